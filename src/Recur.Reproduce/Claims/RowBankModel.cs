using Recur.LanguageModels;
using Recur.Tensors;
using Recur.Text;

namespace Recur.Reproduce.Claims;

// N: vocabulary size; R: distributions in the bank; B: batch rows.

/// <summary>
/// A synthetic language model for timing decoders at large N (docs/theory.md 2.3): a bank of R
/// random next-token distributions, the one used after token w being row (7w + 3) mod R; no end
/// token, so every hypothesis runs to the length limit. Its Step costs one O(N) copy per row,
/// so a decoder's own cost is what dominates. Token 0 is the begin token (never predicted).
/// </summary>
internal sealed class RowBankModel : ILanguageModel
{
    private const int Rows = 16;
    private readonly float[] _bank; // (R, N) log-probabilities

    public RowBankModel(int n, ulong seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 2);
        var tokens = new string[n];
        tokens[0] = "<bos>";
        for (int i = 1; i < n; i++) tokens[i] = "t" + i;
        Vocabulary = new Vocabulary(tokens);
        _bank = new float[Rows * n];
        var rng = new Rng(seed);
        var logits = new double[n];
        for (int r = 0; r < Rows; r++)
        {
            double max = double.NegativeInfinity;
            for (int j = 1; j < n; j++) max = Math.Max(max, logits[j] = 4 * rng.NextNormal());
            double z = 0;
            for (int j = 1; j < n; j++) z += Math.Exp(logits[j] - max);
            var row = _bank.AsSpan(r * n, n);
            row[0] = float.NegativeInfinity;
            for (int j = 1; j < n; j++) row[j] = (float)(logits[j] - max - Math.Log(z) - 1e-7);
        }
    }

    public Vocabulary Vocabulary { get; }

    public int BeginToken => 0;

    public int EndToken => -1;

    public LanguageModelState CreateState(int batch) => new State(batch);

    public void Step(LanguageModelState state, ReadOnlySpan<int> tokens, Span<float> logProbs)
    {
        var s = (State)state;
        int n = Vocabulary.Count;
        ProtocolChecks.Step(s.Batch, tokens, logProbs.Length, n);
        for (int b = 0; b < s.Batch; b++)
        {
            s.Last[b] = tokens[b];
            _bank.AsSpan((7 * tokens[b] + 3) % Rows * n, n).CopyTo(logProbs.Slice(b * n, n));
        }
    }

    public void Gather(LanguageModelState source, ReadOnlySpan<int> rows, LanguageModelState destination)
    {
        ProtocolChecks.Gather(source, rows, destination);
        var from = (State)source;
        var to = (State)destination;
        for (int b = 0; b < rows.Length; b++) to.Last[b] = from.Last[rows[b]];
    }

    private sealed class State(int batch) : LanguageModelState
    {
        public readonly int[] Last = new int[batch]; // (B) the token each row read last

        public override int Batch => Last.Length;
    }
}
