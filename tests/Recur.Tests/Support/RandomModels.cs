using Recur.Decoding;
using Recur.LanguageModels;
using Recur.LanguageModels.Markov;
using Recur.LanguageModels.PrefixTrees;
using Recur.Reproduce.Claims;
using Recur.Tensors;

namespace Recur.Tests.Support;

/// <summary>Seeded random small models for the decoder property tests, and the worked example of docs/theory.md 2.4.</summary>
internal static class RandomModels
{
    /// <summary>A seeded random Markov model (see <see cref="ClaimModels.RandomMarkov"/>).</summary>
    public static MarkovModel Markov(Rng rng, int n, bool withEnd, double sparsity = 0.2) => ClaimModels.RandomMarkov(rng, n, withEnd, sparsity);

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

    /// <summary>The prefix tree of docs/theory.md 2.4.</summary>
    public static PrefixTreeModel WorkedExample() => ClaimModels.WorkedExample();

    /// <summary>The words of a sequence, without the end token.</summary>
    public static string Text(ILanguageModel model, DecodedSequence s) =>
        s.Words(model);

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
