using Recur.Decoding;
using Recur.Tensors;
using Recur.Tests.Support;

namespace Recur.Tests.Decoding;

public class ExhaustiveTests
{
    [Theory]
    [InlineData(2, 10)]
    [InlineData(3, 5)]
    [InlineData(6, 4)]
    public void Search_WithoutEndToken_EnumeratesNToTheT(int n, int t)
    {
        var m = RandomModels.Markov(new Rng(1), n, withEnd: false);
        var r = Exhaustive.Search(m, new ExhaustiveOptions { MaxLength = t });
        Assert.Equal((long)Math.Pow(n, t), r.Expanded);
        Assert.Equal(t, r.Best!.Tokens.Length);
    }

    [Fact]
    public void Search_KBest_IsSortedAndDistinct_AndMatchesBruteForceScores()
    {
        var m = RandomModels.Markov(new Rng(2), 5, withEnd: true, sparsity: 0);
        var r = Exhaustive.Search(m, new ExhaustiveOptions { MaxLength = 4, Count = 20 });
        Assert.Equal(20, r.Sequences.Count);
        for (int i = 1; i < r.Sequences.Count; i++) Assert.True(r.Sequences[i - 1].LogProbability >= r.Sequences[i].LogProbability);
        Assert.Equal(20, r.Sequences.Select(s => string.Join(",", s.Tokens)).Distinct().Count());
        foreach (var s in r.Sequences)
        {
            double sum = 0;
            int prev = m.BeginToken;
            foreach (int w in s.Tokens) (sum, prev) = (sum + m.Row(prev)[w], w);
            Assert.Equal(sum, s.LogProbability);
        }
    }

    [Fact]
    public void Search_MinLength_MasksTheEndToken()
    {
        var m = RandomModels.Markov(new Rng(3), 4, withEnd: true);
        var r = Exhaustive.Search(m, new ExhaustiveOptions { MaxLength = 5, MinLength = 3, Count = 50 });
        Assert.All(r.Sequences, s => Assert.True(s.Tokens.Length >= 4 || s.Tokens[^1] != m.EndToken));
    }

    [Fact]
    public void Search_AboveTheLimit_RefusesWithAClearMessage()
    {
        var m = RandomModels.Markov(new Rng(4), 6, withEnd: false);
        var e = Assert.Throws<InputException>(() => Exhaustive.Search(m, new ExhaustiveOptions { MaxLength = 12, MaxSequences = 1000 }));
        Assert.Equal("exhaustive search", e.Subject);
        Assert.Contains("6^12", e.Message);
        Assert.Contains("limit of 1000", e.Message);
    }

    [Fact]
    public void Options_RejectBadValues()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ExhaustiveOptions { MaxLength = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new ExhaustiveOptions { Count = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new ExhaustiveOptions { MinLength = -1 });
    }
}
