using Recur.Decoding;
using Recur.LanguageModels;
using Recur.Tensors;
using Recur.Text;

namespace Recur.Tests.Support;

/// <summary>Seeded random small models for the decoder property tests, and the worked example of theory.md 2.4.</summary>
internal static class RandomModels
{
    /// <summary>
    /// A Markov model of <paramref name="n"/> tokens (token 0 = begin; with an end token, the
    /// last). Rows are log-softmax of random logits, sometimes with zeros (−∞) and sometimes
    /// short of 1 (lost mass); the end token is often likely, so sequences end at all lengths.
    /// </summary>
    public static MarkovModel Markov(Rng rng, int n, bool withEnd, double sparsity = 0.2)
    {
        var tokens = new List<string> { "<bos>" };
        for (int i = 1; i < n; i++) tokens.Add(withEnd && i == n - 1 ? "<eos>" : $"w{i}");
        int end = withEnd ? n - 1 : -1;
        var lp = new float[n * n];
        for (int i = 0; i < n; i++)
        {
            var row = lp.AsSpan(i * n, n);
            row.Fill(float.NegativeInfinity);
            if (i == end) continue;
            var logits = new double[n];
            double max = double.NegativeInfinity;
            for (int j = 1; j < n; j++)
            {
                bool zero = rng.NextDouble() < sparsity && j != 1;  // keep one token possible
                logits[j] = zero ? double.NegativeInfinity : 3 * rng.NextDouble();
                max = Math.Max(max, logits[j]);
            }
            double z = 0;
            for (int j = 1; j < n; j++) z += Math.Exp(logits[j] - max);
            double lost = rng.NextDouble() < 0.3 ? Math.Log(0.5 + 0.5 * rng.NextDouble()) : 0;
            for (int j = 1; j < n; j++) row[j] = (float)(logits[j] - max - Math.Log(z) + lost - 1e-7);
        }
        return new MarkovModel(new Vocabulary(tokens), 0, end, lp);
    }

    /// <summary>
    /// A random prefix tree over a pool of words: depth ≤ <paramref name="depth"/>, 1–3 children
    /// per node, conditional probabilities summing to at most 1, and now and then an explicit
    /// end branch at an inner node.
    /// </summary>
    public static PrefixTreeModel Tree(Rng rng, int depth, int pool = 5) => new("<bos>", Branches(rng, depth, pool));

    private static List<TreeBranch> Branches(Rng rng, int depth, int pool)
    {
        int count = 1 + rng.NextInt(3);
        var words = Enumerable.Range(0, pool).OrderBy(_ => rng.NextDouble()).Take(count).Select(i => $"v{i}").ToList();
        if (rng.NextDouble() < 0.25) words.Add(PrefixTreeModel.DefaultEndToken);
        var weights = words.Select(_ => 0.05 + rng.NextDouble()).ToArray();
        double mass = rng.NextDouble() < 0.5 ? 1.0 : 0.3 + 0.7 * rng.NextDouble();
        double total = weights.Sum() / mass * (1 + 1e-7);
        var branches = new List<TreeBranch>();
        for (int i = 0; i < words.Count; i++)
        {
            bool leaf = words[i] == PrefixTreeModel.DefaultEndToken || depth <= 1 || rng.NextDouble() < 0.25;
            branches.Add(new TreeBranch(words[i], Math.Log(weights[i] / total), leaf ? [] : Branches(rng, depth - 1, pool)));
        }
        return branches;
    }

    /// <summary>The prefix tree of theory.md 2.4.</summary>
    public static PrefixTreeModel WorkedExample() => new("<bos>",
    [
        new("the", -1.5, [
            new("red", -3.1, [new("rectangle", -4.5, []), new("circle", -4.8, [])]),
            new("green", -3.4, [new("rectangle", -3.3, []), new("ellipse", -3.6, [])]),
        ]),
        new("a", -1.8, [
            new("red", -2.7, [new("circle", -4.9, []), new("square", -5.1, [])]),
            new("blue", -2.5, [new("ellipse", -5.4, []), new("square", -5.0, [])]),
        ]),
    ]);

    /// <summary>The words of a sequence, without the end token.</summary>
    public static string Text(ILanguageModel model, DecodedSequence s) =>
        string.Join(' ', s.Tokens.Where(t => t != model.EndToken).Select(t => model.Vocabulary[t]));

    /// <summary>N^T when it is at most <paramref name="limit"/>, else −1.</summary>
    public static long Power(int n, int t, long limit)
    {
        long p = 1;
        for (int i = 0; i < t; i++)
        {
            p *= n;
            if (p > limit) return -1;
        }
        return p;
    }
}
