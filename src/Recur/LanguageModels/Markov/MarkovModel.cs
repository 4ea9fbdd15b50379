using Recur.Text;

namespace Recur.LanguageModels.Markov;

// N: vocabulary size (including the begin token and, when present, the end token).

/// <summary>
/// A first-order Markov language model (docs/theory.md 2.2): P[i, j] = p(w_t = j | w_{t−1} = i),
/// stored as natural-log probabilities, −∞ for probability 0.
/// <para>
/// Sequence end: with an end token (<see cref="EndToken"/> ≥ 0) a sequence ends when that
/// token is generated; nothing follows it, so its row must be all −∞. Without one
/// (<see cref="EndToken"/> = −1) every sequence runs to the decoder's length limit T. The begin
/// token is context only: its column must be all −∞ (it is never predicted), and its row is
/// the distribution of the first token.
/// </para>
/// Rows may sum to less than 1 (missing mass is lost), never to more than 1 + 1e-6.
/// </summary>
public sealed class MarkovModel : IFirstOrderModel
{
    /// <summary>How far above 1 a row's probabilities may sum (rounding in model files).</summary>
    public const double RowSumTolerance = 1e-6;

    private readonly float[] _logProbs; // (N, N), row = previous token

    /// <summary>
    /// Creates the model from its log-transition matrix <paramref name="logProbs"/> (N × N,
    /// row-major, row i = previous token). Throws <see cref="ArgumentException"/> naming the
    /// row and column of the first entry that is NaN, positive or +∞, of a row summing above 1,
    /// of a predicted begin token, or of a continuation after the end token.
    /// </summary>
    public MarkovModel(Vocabulary vocabulary, int beginToken, int endToken, ReadOnlySpan<float> logProbs)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        int n = vocabulary.Count;
        if (n == 0) throw new ArgumentException("A Markov model needs at least one token (the begin token).", nameof(vocabulary));
        ArgumentOutOfRangeException.ThrowIfNegative(beginToken);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(beginToken, n);
        ArgumentOutOfRangeException.ThrowIfLessThan(endToken, -1);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(endToken, n);
        if (endToken == beginToken) throw new ArgumentException($"The end token '{vocabulary[endToken]}' must differ from the begin token.", nameof(endToken));
        if (logProbs.Length != (long)n * n) throw new ArgumentException($"The transition matrix has {logProbs.Length} entries; {n} tokens need {n}×{n} = {(long)n * n}.", nameof(logProbs));
        Validate(vocabulary, beginToken, endToken, logProbs);
        Vocabulary = vocabulary;
        BeginToken = beginToken;
        EndToken = endToken;
        _logProbs = logProbs.ToArray();
    }

    /// <inheritdoc/>
    public Vocabulary Vocabulary { get; }

    /// <inheritdoc/>
    public int BeginToken { get; }

    /// <inheritdoc/>
    public int EndToken { get; }

    /// <summary>The log-transition matrix (N × N, row i = previous token).</summary>
    public ReadOnlySpan<float> LogProbabilities => _logProbs;

    /// <summary>log p(next = · | previous): row <paramref name="previous"/> of the matrix.</summary>
    public ReadOnlySpan<float> Row(int previous) => _logProbs.AsSpan(previous * Vocabulary.Count, Vocabulary.Count);

    /// <inheritdoc/>
    public LanguageModelState CreateState(int batch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        var state = new State(batch);
        state.Last.AsSpan().Fill(-1);
        return state;
    }

    /// <inheritdoc/>
    public void Step(LanguageModelState state, ReadOnlySpan<int> tokens, Span<float> logProbs)
    {
        var s = Own(state);
        int n = Vocabulary.Count, batch = s.Batch;
        ProtocolChecks.Step(batch, tokens, logProbs.Length, n);
        for (int r = 0; r < batch; r++)
        {
            int token = tokens[r];
            s.Last[r] = token;
            Row(token).CopyTo(logProbs.Slice(r * n, n));
        }
    }

    /// <inheritdoc/>
    public void Gather(LanguageModelState source, ReadOnlySpan<int> rows, LanguageModelState destination)
    {
        var from = Own(source);
        var to = Own(destination);
        ProtocolChecks.Gather(from, rows, to);
        for (int r = 0; r < rows.Length; r++) to.Last[r] = from.Last[rows[r]];
    }

    /// <summary>The context of a Markov row is its last token (docs/theory.md 2.2).</summary>
    public ReadOnlySpan<int> Context(LanguageModelState state, int row)
    {
        var s = Own(state);
        if (s.Last[row] < 0) throw new InvalidOperationException("The row has not read the begin token yet.");
        return s.Last.AsSpan(row, 1);
    }

    private State Own(LanguageModelState state) =>
        state as State ?? throw new ArgumentException("The state was not created by this Markov model.", nameof(state));

    private static void Validate(Vocabulary vocabulary, int begin, int end, ReadOnlySpan<float> logProbs)
    {
        int n = vocabulary.Count;
        for (int i = 0; i < n; i++)
        {
            var row = logProbs.Slice(i * n, n);
            double sum = 0;
            for (int j = 0; j < n; j++)
            {
                float v = row[j];
                string where = $"row {i} ('{vocabulary[i]}'), column {j} ('{vocabulary[j]}')";
                if (float.IsNaN(v)) throw new ArgumentException($"{where} is NaN.");
                if (v > 0) throw new ArgumentException($"{where} is {v}: log-probabilities must be ≤ 0.");
                if (float.IsNegativeInfinity(v)) continue;
                if (j == begin) throw new ArgumentException($"{where} is {v}: the begin token is never predicted, so its column must be null (probability 0).");
                if (i == end) throw new ArgumentException($"{where} is {v}: nothing follows the end token, so its row must be null (probability 0).");
                sum += Math.Exp(v);
            }
            if (sum > 1 + RowSumTolerance)
                throw new ArgumentException($"row {i} ('{vocabulary[i]}') sums to {sum:R} > 1: its probabilities must not sum to more than 1 (tolerance {RowSumTolerance}).");
        }
    }

    private sealed class State(int batch) : LanguageModelState
    {
        public readonly int[] Last = new int[batch]; // (B): the token each row read last; −1 before any

        public override int Batch => Last.Length;
    }
}
