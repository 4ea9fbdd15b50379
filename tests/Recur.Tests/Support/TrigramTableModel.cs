using Recur.LanguageModels;
using Recur.Tensors;
using Recur.Text;

namespace Recur.Tests.Support;

/// <summary>
/// A random second-order (trigram) model for the state-expansion tests: p(w | u, v) for the two
/// previous tokens (u = −1 before the second token), drawn once per context from a seed. Token
/// 0 is the begin token; with an end token, it is the last. Some contexts forbid some tokens.
/// </summary>
internal sealed class TrigramTableModel : IFiniteContextModel
{
    private readonly ulong _seed;
    private readonly Dictionary<(int, int), float[]> _table = [];

    public TrigramTableModel(int n, bool withEnd, ulong seed)
    {
        var tokens = new List<string> { "<bos>" };
        for (int i = 1; i < n; i++) tokens.Add(withEnd && i == n - 1 ? "<eos>" : $"t{i}");
        Vocabulary = new Vocabulary(tokens);
        EndToken = withEnd ? n - 1 : -1;
        _seed = seed;
    }

    public Vocabulary Vocabulary { get; }
    public int BeginToken => 0;
    public int EndToken { get; }

    public LanguageModelState CreateState(int batch)
    {
        var s = new State(batch);
        Array.Fill(s.Context, -1);
        return s;
    }

    public void Step(LanguageModelState state, ReadOnlySpan<int> tokens, Span<float> logProbs)
    {
        var s = (State)state;
        int n = Vocabulary.Count;
        for (int r = 0; r < s.Batch; r++)
        {
            (s.Context[2 * r], s.Context[2 * r + 1]) = (s.Context[2 * r + 1], tokens[r]);
            Distribution(s.Context[2 * r], s.Context[2 * r + 1]).CopyTo(logProbs.Slice(r * n, n));
        }
    }

    public void Gather(LanguageModelState source, ReadOnlySpan<int> rows, LanguageModelState destination)
    {
        var (from, to) = ((State)source, (State)destination);
        for (int r = 0; r < rows.Length; r++) (to.Context[2 * r], to.Context[2 * r + 1]) = (from.Context[2 * rows[r]], from.Context[2 * rows[r] + 1]);
    }

    public ReadOnlySpan<int> Context(LanguageModelState state, int row) => ((State)state).Context.AsSpan(2 * row, 2);

    private float[] Distribution(int u, int v)
    {
        if (_table.TryGetValue((u, v), out var d)) return d;
        int n = Vocabulary.Count;
        d = new float[n];
        Array.Fill(d, float.NegativeInfinity);
        if (v != EndToken)
        {
            var rng = new Rng(_seed * 1_000_003UL + (ulong)((u + 1) * 4099 + v));
            var logits = new double[n];
            for (int w = 1; w < n; w++) logits[w] = w != 1 && rng.NextDouble() < 0.2 ? double.NegativeInfinity : 3 * rng.NextDouble();
            double z = 0;
            for (int w = 1; w < n; w++) z += Math.Exp(logits[w]);
            for (int w = 1; w < n; w++) d[w] = (float)(logits[w] - Math.Log(z));
        }
        _table[(u, v)] = d;
        return d;
    }

    private sealed class State(int batch) : LanguageModelState
    {
        public readonly int[] Context = new int[2 * batch]; // (B, 2): the two previous tokens

        public override int Batch => Context.Length / 2;
    }
}
