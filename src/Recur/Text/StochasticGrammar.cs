using Recur.Tensors;

namespace Recur.Text;

/// <summary>
/// A stochastic finite-state grammar over words: states with weighted arcs, each arc emitting
/// one word and moving to a next state, from a start state to a final state. Within a state
/// every arc emits a different word, so a word sequence determines its state path and its
/// probability exactly. Sentences are independent draws, so every statistic of the corpus —
/// the entropy per sentence, per word and per character — follows exactly from the expected
/// number of visits to each state (a linear system, solved directly; the grammar may loop).
/// </summary>
public sealed class StochasticGrammar
{
    /// <summary>One transition: emit <paramref name="Word"/> with probability <paramref name="Probability"/>, go to <paramref name="Next"/>.</summary>
    public sealed record Arc(string Word, double Probability, int Next);

    private readonly Arc[][] _arcs;
    private readonly string[] _names;

    /// <summary>
    /// Creates a grammar. <paramref name="states"/> lists each state's name and arcs (by next
    /// state name); the first state is the start, <paramref name="final"/> names the final one
    /// (it has no arcs). Each non-final state's probabilities must sum to 1.
    /// </summary>
    public StochasticGrammar(IReadOnlyList<(string Name, (string Word, double Probability, string Next)[] Arcs)> states, string final)
    {
        _names = states.Select(s => s.Name).Append(final).ToArray();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < _names.Length; i++)
            if (!index.TryAdd(_names[i], i)) throw new ArgumentException($"State '{_names[i]}' is defined twice.");
        _arcs = new Arc[_names.Length][];
        for (int s = 0; s < states.Count; s++)
        {
            var arcs = states[s].Arcs;
            if (arcs.Length == 0) throw new ArgumentException($"State '{_names[s]}' has no arcs.");
            double total = 0;
            var words = new HashSet<string>(StringComparer.Ordinal);
            _arcs[s] = new Arc[arcs.Length];
            for (int a = 0; a < arcs.Length; a++)
            {
                var (word, p, next) = arcs[a];
                if (!(p > 0 && p <= 1)) throw new ArgumentOutOfRangeException(nameof(states), $"State '{_names[s]}': probability of '{word}' must be in (0, 1].");
                if (!words.Add(word)) throw new ArgumentException($"State '{_names[s]}' emits '{word}' twice; a word must determine the next state.");
                if (!index.TryGetValue(next, out int n)) throw new ArgumentException($"State '{_names[s]}' goes to unknown state '{next}'.");
                _arcs[s][a] = new Arc(word, p, n);
                total += p;
            }
            if (Math.Abs(total - 1) > 1e-12) throw new ArgumentException($"State '{_names[s]}': probabilities sum to {total}, not 1.");
        }
        _arcs[^1] = [];
        Final = _names.Length - 1;
    }

    /// <summary>The start state (0).</summary>
    public int Start => 0;

    /// <summary>The final state.</summary>
    public int Final { get; }

    /// <summary>Number of states, the final one included.</summary>
    public int StateCount => _names.Length;

    /// <summary>The name of a state.</summary>
    public string StateName(int state) => _names[state];

    /// <summary>The arcs leaving a state (none for the final state).</summary>
    public IReadOnlyList<Arc> ArcsOf(int state) => _arcs[state];

    /// <summary>Every word the grammar can emit, in order of first appearance.</summary>
    public IReadOnlyList<string> Words => _arcs.SelectMany(a => a).Select(a => a.Word).Distinct(StringComparer.Ordinal).ToArray();

    /// <summary>Draws one sentence (its words, without an end marker).</summary>
    public List<string> Sample(Rng rng)
    {
        var words = new List<string>();
        int state = Start;
        while (state != Final)
        {
            double u = rng.NextDouble();
            var arcs = _arcs[state];
            int a = 0;
            for (double acc = arcs[0].Probability; acc <= u && a < arcs.Length - 1; acc += arcs[++a].Probability) { }
            words.Add(arcs[a].Word);
            state = arcs[a].Next;
        }
        return words;
    }

    /// <summary>The natural-log probability of a complete sentence; −∞ if the grammar cannot produce it.</summary>
    public double LogProbability(IReadOnlyList<string> words)
    {
        int state = Start;
        double logp = 0;
        foreach (string w in words)
        {
            Arc? arc = null;
            foreach (var a in _arcs[state]) if (a.Word == w) { arc = a; break; }
            if (arc is null) return double.NegativeInfinity;
            logp += Math.Log(arc.Probability);
            state = arc.Next;
        }
        return state == Final ? logp : double.NegativeInfinity;
    }

    /// <summary>
    /// Expected visits to each state per sentence: v = e_start + Qᵀv, where Q[s, s'] is the
    /// probability of moving from s to s'. Solved by Gaussian elimination with partial pivoting.
    /// </summary>
    public double[] ExpectedVisits()
    {
        int n = StateCount;
        var m = new double[n, n + 1];
        for (int s = 0; s < n; s++) m[s, s] = 1;
        for (int s = 0; s < n; s++)
            foreach (var a in _arcs[s]) m[a.Next, s] -= a.Probability;
        m[Start, n] = 1;
        for (int col = 0; col < n; col++)
        {
            int pivot = col;
            for (int r = col + 1; r < n; r++) if (Math.Abs(m[r, col]) > Math.Abs(m[pivot, col])) pivot = r;
            if (Math.Abs(m[pivot, col]) < 1e-300) throw new InvalidOperationException("The grammar never reaches its final state.");
            for (int c = 0; c <= n; c++) (m[col, c], m[pivot, c]) = (m[pivot, c], m[col, c]);
            for (int r = 0; r < n; r++)
            {
                if (r == col || m[r, col] == 0) continue;
                double f = m[r, col] / m[col, col];
                for (int c = col; c <= n; c++) m[r, c] -= f * m[col, c];
            }
        }
        var v = new double[n];
        for (int s = 0; s < n; s++) v[s] = m[s, n] / m[s, s];
        return v;
    }

    /// <summary>Exact corpus statistics (nats), with sentences rendered as <see cref="Render"/> does.</summary>
    public GrammarStatistics Statistics()
    {
        double[] v = ExpectedVisits();
        double entropy = 0, words = 0, chars = 0;
        for (int s = 0; s < StateCount; s++)
        {
            if (s == Final) continue;
            foreach (var a in _arcs[s])
            {
                entropy -= v[s] * a.Probability * Math.Log(a.Probability);
                chars += v[s] * a.Probability * (a.Word.Length + 1); // the word and the space or newline after it
            }
            words += v[s];
        }
        return new GrammarStatistics(entropy, words, chars);
    }

    /// <summary>
    /// The most likely sentence and its log-probability: a shortest path from start to final
    /// with arc costs −log p ≥ 0 (Dijkstra), i.e. Viterbi over the grammar. Ties go to the arc
    /// listed first.
    /// </summary>
    public (IReadOnlyList<string> Words, double LogProbability) MostLikely()
    {
        int n = StateCount;
        var cost = Enumerable.Repeat(double.PositiveInfinity, n).ToArray();
        var from = new (int State, string Word)[n];
        var done = new bool[n];
        cost[Start] = 0;
        for (int iter = 0; iter < n; iter++)
        {
            int u = -1;
            for (int s = 0; s < n; s++) if (!done[s] && (u < 0 || cost[s] < cost[u])) u = s;
            if (u < 0 || double.IsPositiveInfinity(cost[u])) break;
            done[u] = true;
            foreach (var a in _arcs[u])
            {
                double c = cost[u] - Math.Log(a.Probability);
                if (c < cost[a.Next]) { cost[a.Next] = c; from[a.Next] = (u, a.Word); }
            }
        }
        var words = new List<string>();
        for (int s = Final; s != Start; s = from[s].State) words.Insert(0, from[s].Word);
        return (words, -cost[Final]);
    }

    /// <summary>The text of a sentence: words joined by spaces, then a newline.</summary>
    public static string Render(IReadOnlyList<string> words) => string.Join(' ', words) + "\n";
}

/// <summary>
/// Exact statistics of a grammar's sentences (natural logs). A sentence of k words is
/// rendered as k words, k − 1 spaces and one newline, so it has Σ(|w| + 1) characters, and
/// as k words plus one end-of-sentence token in a word stream. Sentences are independent and
/// the rendering is prefix-free, so these ratios are the exact entropy rates of the streams.
/// </summary>
/// <param name="EntropyPerSentence">H(S) = −E[log p(S)].</param>
/// <param name="WordsPerSentence">E[number of words].</param>
/// <param name="CharactersPerSentence">E[number of characters, newline included].</param>
public sealed record GrammarStatistics(double EntropyPerSentence, double WordsPerSentence, double CharactersPerSentence)
{
    /// <summary>Entropy per character of the rendered text (nats).</summary>
    public double EntropyPerCharacter => EntropyPerSentence / CharactersPerSentence;

    /// <summary>Entropy per word token, the end-of-sentence token counted as one (nats).</summary>
    public double EntropyPerWordToken => EntropyPerSentence / (WordsPerSentence + 1);
}
