namespace Recur.Decoding;

// S: states; O: observation symbols; T: observations decoded.

/// <summary>
/// A first-order hidden Markov model given by its probability tables (Rabiner 1989): π(s) of
/// starting in state s, a(i, j) of moving from i to j, b(s, o) of state s emitting symbol o, and
/// optionally e(s) of ending after s. It decodes the most probable state path of an observation
/// sequence by Viterbi (<see cref="SparseViterbi"/> over the non-zero transitions, docs/theory.md
/// 2.2) and gives the sequence's total probability by the forward algorithm, both in log space
/// (natural logarithms), so no length underflows.
/// <para>
/// Rows must be distributions: π sums to 1, each row of b sums to 1, and each row of a sums to
/// 1 − e(s) (to 1 without end probabilities), within 1e-6; zeros are allowed anywhere.
/// </para>
/// </summary>
public sealed class HiddenMarkovModel
{
    private const double Tolerance = 1e-6;
    private readonly double[] _logStart;    // (S)
    private readonly double[,] _logMove;    // (S, S)
    private readonly double[,] _logEmit;    // (S, O)
    private readonly double[]? _logEnd;     // (S) or none
    private readonly SparseViterbi _viterbi;
    private readonly Dictionary<string, int> _symbolIds;

    /// <summary>A model over states and symbols numbered 0 … S − 1 and 0 … O − 1, named by their numbers.</summary>
    public HiddenMarkovModel(double[] start, double[,] transitions, double[,] emissions, double[]? end = null)
        : this(Numbers(start?.Length ?? 0), Numbers(emissions?.GetLength(1) ?? 0), start!, transitions, emissions!, end) { }

    /// <summary>
    /// A model with named states and symbols. Throws <see cref="ArgumentException"/> when a
    /// table's shape does not match the names, a probability lies outside [0, 1] or a row is not
    /// a distribution.
    /// </summary>
    /// <param name="states">S state names, e.g. tags.</param>
    /// <param name="symbols">O symbol names, e.g. words.</param>
    /// <param name="start">(S) π: the probability of starting in each state.</param>
    /// <param name="transitions">(S, S) a: row i holds the probabilities of moving from state i to each state.</param>
    /// <param name="emissions">(S, O) b: row s holds the probabilities of state s emitting each symbol.</param>
    /// <param name="end">(S) the probability of the sequence ending after each state, or null when any state may end it.</param>
    public HiddenMarkovModel(IReadOnlyList<string> states, IReadOnlyList<string> symbols,
        double[] start, double[,] transitions, double[,] emissions, double[]? end = null)
    {
        ArgumentNullException.ThrowIfNull(states);
        ArgumentNullException.ThrowIfNull(symbols);
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(transitions);
        ArgumentNullException.ThrowIfNull(emissions);
        int s = states.Count, o = symbols.Count;
        if (s < 1 || o < 1) throw new ArgumentException("A hidden Markov model needs at least one state and one symbol.");
        CheckShape(start.Length, 1, s, 1, nameof(start));
        CheckShape(transitions.GetLength(0), transitions.GetLength(1), s, s, nameof(transitions));
        CheckShape(emissions.GetLength(0), emissions.GetLength(1), s, o, nameof(emissions));
        if (end is not null) CheckShape(end.Length, 1, s, 1, nameof(end));
        StateNames = [.. states];
        SymbolNames = [.. symbols];
        _symbolIds = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < o; i++)
            if (!_symbolIds.TryAdd(symbols[i], i)) throw new ArgumentException($"Symbol \"{symbols[i]}\" is named twice.", nameof(symbols));

        CheckDistribution(start, 0, "start", "π");
        for (int i = 0; i < s; i++)
        {
            CheckDistribution(Row(emissions, i), 0, nameof(emissions), $"row {i} (state {StateNames[i]})");
            double stop = end is null ? 0 : end[i];
            if (end is not null) CheckProbability(stop, nameof(end), $"state {StateNames[i]}");
            CheckDistribution(Row(transitions, i), stop, nameof(transitions), $"row {i} (state {StateNames[i]})");
        }

        _logStart = [.. start.Select(p => Math.Log(p))];
        _logMove = Logs(transitions);
        _logEmit = Logs(emissions);
        _logEnd = end is null ? null : [.. end.Select(p => Math.Log(p))];
        _viterbi = new SparseViterbi(Graph());
    }

    /// <summary>S names, one per state.</summary>
    public IReadOnlyList<string> StateNames { get; }

    /// <summary>O names, one per symbol.</summary>
    public IReadOnlyList<string> SymbolNames { get; }

    /// <summary>
    /// The most probable state path for <paramref name="observations"/> (symbol names), with the
    /// joint log-probability of that path and the observations. Throws
    /// <see cref="ArgumentException"/> on an unknown symbol.
    /// </summary>
    public StatePath Decode(IEnumerable<string> observations) => Decode(Ids(observations));

    /// <summary>
    /// The most probable state path for <paramref name="observations"/> (symbol ids), and its joint
    /// log-probability: ln π(s₁) + Σ ln a(s_{t−1}, s_t) + Σ ln b(s_t, o_t) (+ ln e(s_T)). When no
    /// path can produce the observations the path is empty and the log-probability −∞. Not
    /// thread-safe: the decoder's buffers are reused.
    /// </summary>
    public StatePath Decode(ReadOnlySpan<int> observations)
    {
        int t = observations.Length, s = StateNames.Count;
        if (t == 0) throw new ArgumentException("There are no observations to decode.", nameof(observations));
        var emissions = new float[t * s];
        for (int i = 0; i < t; i++)
        {
            int symbol = CheckSymbol(observations[i], i);
            for (int j = 0; j < s; j++) emissions[i * s + j] = (float)_logEmit[j, symbol];
        }
        var path = new int[t];
        if (_viterbi.Decode(emissions, t, path) == double.NegativeInfinity) return new StatePath([], [], double.NegativeInfinity);
        return new StatePath(path, [.. path.Select(i => StateNames[i])], JointLogProbability(path, observations));
    }

    /// <summary>
    /// ln p(observations): the log of the sum over every state path (the forward algorithm,
    /// log-sum-exp per step), −∞ when no path produces them.
    /// </summary>
    public double LogLikelihood(IEnumerable<string> observations) => LogLikelihood(Ids(observations));

    /// <inheritdoc cref="LogLikelihood(IEnumerable{string})"/>
    public double LogLikelihood(ReadOnlySpan<int> observations)
    {
        int t = observations.Length, s = StateNames.Count;
        if (t == 0) throw new ArgumentException("There are no observations to score.", nameof(observations));
        var alpha = new double[s];
        var next = new double[s];
        var terms = new double[s];
        int first = CheckSymbol(observations[0], 0);
        for (int j = 0; j < s; j++) alpha[j] = _logStart[j] + _logEmit[j, first];
        for (int step = 1; step < t; step++)
        {
            int symbol = CheckSymbol(observations[step], step);
            for (int j = 0; j < s; j++)
            {
                for (int i = 0; i < s; i++) terms[i] = alpha[i] + _logMove[i, j];
                next[j] = LogSumExp(terms) + _logEmit[j, symbol];
            }
            (alpha, next) = (next, alpha);
        }
        if (_logEnd is not null) for (int j = 0; j < s; j++) alpha[j] += _logEnd[j];
        return LogSumExp(alpha);
    }

    /// <summary>The joint log-probability of a state path and the observations, in double.</summary>
    public double JointLogProbability(ReadOnlySpan<int> states, ReadOnlySpan<int> observations)
    {
        if (states.Length != observations.Length || states.IsEmpty) throw new ArgumentException($"{states.Length} states for {observations.Length} observations.");
        double sum = 0;
        for (int i = 0; i < states.Length; i++)
        {
            int state = states[i];
            if ((uint)state >= (uint)StateNames.Count) throw new ArgumentOutOfRangeException(nameof(states), state, $"State {state} at position {i} is outside [0, {StateNames.Count}).");
            sum += (i == 0 ? _logStart[state] : _logMove[states[i - 1], state]) + _logEmit[state, CheckSymbol(observations[i], i)];
        }
        return _logEnd is null ? sum : sum + _logEnd[states[^1]];
    }

    private TransitionGraph Graph()
    {
        int s = StateNames.Count;
        var from = new List<int>();
        var to = new List<int>();
        var weights = new List<float>();
        for (int i = 0; i < s; i++)
            for (int j = 0; j < s; j++)
                if (_logMove[i, j] > double.NegativeInfinity) { from.Add(i); to.Add(j); weights.Add((float)_logMove[i, j]); }
        var labels = Enumerable.Range(0, s).ToArray();   // each state emits under its own label
        var start = _logStart.Select(x => (float)x).ToArray();
        var end = _logEnd?.Select(x => (float)x).ToArray() ?? [];
        return new TransitionGraph(labels, s, start, [.. from], [.. to], [.. weights], end);
    }

    private int[] Ids(IEnumerable<string> observations)
    {
        ArgumentNullException.ThrowIfNull(observations);
        var ids = new List<int>();
        foreach (var symbol in observations)
        {
            if (!_symbolIds.TryGetValue(symbol, out int id)) throw new ArgumentException($"Observation {ids.Count} (\"{symbol}\") is not one of the model's {SymbolNames.Count} symbols.", nameof(observations));
            ids.Add(id);
        }
        return [.. ids];
    }

    private int CheckSymbol(int symbol, int position) =>
        (uint)symbol < (uint)SymbolNames.Count ? symbol
            : throw new ArgumentOutOfRangeException("observations", symbol, $"Observation {position} is symbol {symbol}, outside [0, {SymbolNames.Count}).");

    private static double LogSumExp(ReadOnlySpan<double> x)
    {
        double max = double.NegativeInfinity;
        foreach (double v in x) max = Math.Max(max, v);
        if (max == double.NegativeInfinity) return max;
        double sum = 0;
        foreach (double v in x) sum += Math.Exp(v - max);
        return max + Math.Log(sum);
    }

    private static double[] Row(double[,] table, int row) =>
        [.. Enumerable.Range(0, table.GetLength(1)).Select(j => table[row, j])];

    private static double[,] Logs(double[,] table)
    {
        var logs = new double[table.GetLength(0), table.GetLength(1)];
        for (int i = 0; i < table.GetLength(0); i++)
            for (int j = 0; j < table.GetLength(1); j++) logs[i, j] = Math.Log(table[i, j]);
        return logs;
    }

    private static void CheckShape(int rows, int columns, int wantRows, int wantColumns, string name)
    {
        if (rows != wantRows || columns != wantColumns)
            throw new ArgumentException(wantColumns == 1 && columns == 1
                ? $"{name} holds {rows} probabilities; the model has {wantRows} states."
                : $"{name} is {rows} × {columns}; the model needs {wantRows} × {wantColumns}.", name);
    }

    private static void CheckProbability(double p, string name, string what)
    {
        if (!(p >= 0 && p <= 1)) throw new ArgumentException($"{name}: the probability of {what} is {p}, outside [0, 1].", name);
    }

    private static void CheckDistribution(double[] row, double stop, string name, string what)
    {
        for (int j = 0; j < row.Length; j++) CheckProbability(row[j], name, $"{what}, entry {j}");
        double sum = row.Sum() + stop;
        if (Math.Abs(sum - 1) > Tolerance)
            throw new ArgumentException($"{name}: {what} sums to {sum:G9}{(stop > 0 ? " with its end probability" : "")}; it must sum to 1.", name);
    }

    private static string[] Numbers(int count) => [.. Enumerable.Range(0, count).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))];
}
