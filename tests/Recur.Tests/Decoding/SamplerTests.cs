using Recur.Decoding;
using Recur.LanguageModels.Markov;
using Recur.Tensors;
using Recur.Tests.Support;
using Recur.Text;

namespace Recur.Tests.Decoding;

public class SamplerTests
{
    private static readonly double[] P = [0.5, 0.25, 0.15, 0.1];

    // First-token distribution P over tokens 1…4; the end token (5) follows with probability 1.
    private static MarkovModel Model()
    {
        var v = new Vocabulary(["<bos>", "a", "b", "c", "d", "</s>"]);
        float x = float.NegativeInfinity;
        var lp = Enumerable.Repeat(x, 36).ToArray();
        for (int j = 0; j < 4; j++) lp[1 + j] = (float)Math.Log(P[j]);
        for (int i = 1; i <= 4; i++) lp[i * 6 + 5] = 0;
        return new MarkovModel(v, 0, 5, lp);
    }

    private static double[] Frequencies(SamplingOptions o, ulong seed)
    {
        var r = Sampler.Sample(Model(), o with { Count = 40_000 }, new Rng(seed));
        var counts = new int[4];
        foreach (var s in r.Sequences) counts[s.Tokens[0] - 1]++;
        return counts.Select(c => c / (double)r.Sequences.Count).ToArray();
    }

    // Within 5 standard errors of the expected frequencies (40,000 draws).
    private static void AssertFrequencies(double[] expected, double[] actual)
    {
        for (int j = 0; j < 4; j++)
            Assert.InRange(actual[j], expected[j] - 5 * Math.Sqrt(expected[j] * (1 - expected[j]) / 40_000) - 1e-12, expected[j] + 5 * Math.Sqrt(expected[j] * (1 - expected[j]) / 40_000) + 1e-12);
    }

    [Fact]
    public void Sample_DefaultSettings_FollowTheModel()
    {
        AssertFrequencies(P, Frequencies(new SamplingOptions(), 1));
    }

    [Fact]
    public void Sample_Temperature_SharpensAsPToTheOneOverTau()
    {
        var q = P.Select(p => p * p).ToArray();
        AssertFrequencies(q.Select(v => v / q.Sum()).ToArray(), Frequencies(new SamplingOptions { Temperature = 0.5 }, 2));
    }

    [Fact]
    public void Sample_TopKAndTopP_TruncateAndRenormalize()
    {
        AssertFrequencies([0.5 / 0.75, 0.25 / 0.75, 0, 0], Frequencies(new SamplingOptions { TopK = 2 }, 3));
        // The smallest set reaching 0.8 is {a, b, c} (0.9); renormalized.
        AssertFrequencies([0.5 / 0.9, 0.25 / 0.9, 0.15 / 0.9, 0], Frequencies(new SamplingOptions { TopP = 0.8 }, 4));
        AssertFrequencies([1, 0, 0, 0], Frequencies(new SamplingOptions { TopP = 1e-9 }, 5));
        AssertFrequencies([1, 0, 0, 0], Frequencies(new SamplingOptions { TopK = 1 }, 6));
    }

    [Fact]
    public void Sample_DegenerateTopK_IsANoOp()
    {
        var m = RandomModels.Markov(new Rng(7), 6, withEnd: true);
        var off = Sampler.Sample(m, new SamplingOptions { Count = 50 }, new Rng(9));
        foreach (int k in new[] { -3, 0, 6, 100 })
        {
            var same = Sampler.Sample(m, new SamplingOptions { Count = 50, TopK = k }, new Rng(9));
            Assert.Equal(off.Sequences.Select(s => string.Join(",", s.Tokens)), same.Sequences.Select(s => string.Join(",", s.Tokens)));
        }
    }

    [Fact]
    public void Sample_SameSeed_SameSamples_WithTheModelsOwnLogProbabilities()
    {
        var m = RandomModels.Markov(new Rng(8), 6, withEnd: true);
        var o = new SamplingOptions { Count = 20, MaxLength = 10, Temperature = 1.7, TopP = 0.9 };
        var a = Sampler.Sample(m, o, new Rng(11));
        var b = Sampler.Sample(m, o, new Rng(11));
        Assert.Equal(a.Sequences.Select(s => string.Join(",", s.Tokens)), b.Sequences.Select(s => string.Join(",", s.Tokens)));
        foreach (var s in a.Sequences)
        {
            int prev = m.BeginToken;
            for (int i = 0; i < s.Tokens.Length; i++)
            {
                Assert.Equal(m.Row(prev)[s.Tokens[i]], s.TokenLogProbabilities[i]);
                prev = s.Tokens[i];
            }
            Assert.True(s.Tokens[^1] == m.EndToken || s.Tokens.Length == 10);
            Assert.DoesNotContain(m.EndToken, s.Tokens[..^1]);
        }
    }

    [Fact]
    public void Sample_MinLength_MasksTheEndToken()
    {
        var r = Sampler.Sample(Model(), new SamplingOptions { Count = 100, MinLength = 3, MaxLength = 3 }, new Rng(12));
        Assert.Empty(r.Sequences);
    }

    [Fact]
    public void Options_RejectDegenerateTemperatureAndTopP()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SamplingOptions { Temperature = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new SamplingOptions { Temperature = double.PositiveInfinity });
        Assert.Throws<ArgumentOutOfRangeException>(() => new SamplingOptions { TopP = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new SamplingOptions { TopP = 1.5 });
    }
}
