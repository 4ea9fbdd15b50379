using Recur.Decoding;
using Recur.LanguageModels.Markov;
using Recur.Tensors;
using Recur.Tests.Support;
using Recur.Text;

namespace Recur.Tests.Decoding;

/// <summary>Exact best-first search (docs/theory.md 2.2f, 2.4a) against exhaustive search.</summary>
public class BestFirstTests
{
    [Fact]
    public void Search_RandomPrefixTrees_EqualsExhaustive_KBest()
    {
        var rng = new Rng(60);
        for (int trial = 0; trial < 250; trial++)
        {
            int depth = 1 + rng.NextInt(4), t = depth + 1 - rng.NextInt(2), k = 1 + rng.NextInt(4), minLength = rng.NextInt(2);
            var m = RandomModels.Tree(rng, depth);
            var exhaustive = Exhaustive.Search(m, new ExhaustiveOptions { MaxLength = t, Count = k, MinLength = minLength });
            var exact = BestFirst.Search(m, new BestFirstOptions { MaxLength = t, Count = k, MinLength = minLength });
            Oracle.AssertSameRanking(m, exhaustive.Sequences, exact.Sequences, t, minLength, $"trial {trial}");
        }
    }

    [Fact]
    public void Search_RandomMarkovModels_EqualsExhaustive()
    {
        var rng = new Rng(61);
        for (int trial = 0; trial < 200; trial++)
        {
            int n = 2 + rng.NextInt(5), t = 1 + rng.NextInt(6);
            if (RandomModels.Power(n, t, 100_000) < 0) continue;
            var m = RandomModels.Markov(rng, n, withEnd: rng.NextInt(3) > 0);
            bool bound = rng.NextInt(2) == 0;
            var exhaustive = Exhaustive.Search(m, new ExhaustiveOptions { MaxLength = t });
            var exact = BestFirst.Search(m, new BestFirstOptions { MaxLength = t, GreedyBound = bound });
            Oracle.AssertSameRanking(m, exhaustive.Sequences, exact.Sequences, t, 0, $"trial {trial}");
        }
    }

    [Fact]
    public void Search_WithoutMinLength_TheEmptySequenceWins()
    {
        // Each word is likelier than the end token, but every sentence pays for its words:
        // p(empty) = 0.3, while the best sentence "a </s>" has 0.35 · 0.3 ≈ 0.1.
        var v = new Vocabulary(["<bos>", "a", "b", "</s>"]);
        float x = float.NegativeInfinity, a = (float)Math.Log(0.35), b = (float)Math.Log(0.34), e = (float)Math.Log(0.3);
        var m = new MarkovModel(v, 0, 3, [x, a, b, e, x, a, b, e, x, a, b, e, x, x, x, x]);
        var empty = BestFirst.Search(m).Best!;
        Assert.Equal([3], empty.Tokens);
        Assert.Equal(e, empty.LogProbability, 6);
        Assert.Equal([1], Greedy.Decode(m).Best!.Tokens[..1]);
        var withMin = BestFirst.Search(m, new BestFirstOptions { MinLength = 1 }).Best!;
        Assert.Equal([1, 3], withMin.Tokens);
        Oracle.AssertIdentical(Exhaustive.Search(m, new ExhaustiveOptions { MaxLength = 6, MinLength = 1 }).Best!, withMin, "min length 1");
    }

    [Fact]
    public void Search_OverTheNodeBudget_ThrowsAClearError()
    {
        var m = RandomModels.Markov(new Rng(62), 6, withEnd: false, sparsity: 0);
        var e = Assert.Throws<InputException>(() => BestFirst.Search(m, new BestFirstOptions { MaxLength = 30, MaxNodes = 500, GreedyBound = false }));
        Assert.Equal("exact search", e.Subject);
        Assert.Contains("500 prefixes", e.Message);
    }

    [Fact]
    public void Search_GreedyBound_ChangesNothingButTheWork()
    {
        var rng = new Rng(63);
        for (int trial = 0; trial < 30; trial++)
        {
            var m = RandomModels.Markov(rng, 5, withEnd: true);
            var with = BestFirst.Search(m, new BestFirstOptions { MaxLength = 8 });
            var without = BestFirst.Search(m, new BestFirstOptions { MaxLength = 8, GreedyBound = false });
            Oracle.AssertIdentical(without.Best!, with.Best!, "bound");
        }
    }
}
