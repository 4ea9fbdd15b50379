using Recur.Decoding;
using Recur.LanguageModels;
using Recur.LanguageModels.Markov;
using Recur.LanguageModels.PrefixTrees;
using Recur.Tensors;
using Recur.Tests.Support;

namespace Recur.Tests.Decoding;

/// <summary>docs/theory.md 2.3: beam search against exhaustive search, greedy, and its stop rules.</summary>
public class BeamSearchTests
{
    // Random Markov models (N ≤ 5, T ≤ 5) and random trees, with the length limit T.
    private static IEnumerable<(ILanguageModel Model, int T)> Models(Rng rng, int count)
    {
        for (int i = 0; i < count; i++)
        {
            if (i % 2 == 0)
            {
                int n = 2 + rng.NextInt(4);
                yield return (RandomModels.Markov(rng, n, withEnd: rng.NextInt(3) > 0), 1 + rng.NextInt(5));
            }
            else
            {
                int depth = 1 + rng.NextInt(4);
                yield return (RandomModels.Tree(rng, depth), depth + 1 - rng.NextInt(2));
            }
        }
    }

    [Fact]
    public void Beam_WidthAtLeastNToTheTMinusOne_EqualsExhaustive_TopK()
    {
        var rng = new Rng(50);
        foreach (var (m, t) in Models(rng, 200))
        {
            int n = m.Vocabulary.Count, width = (int)RandomModels.Power(n, t - 1, 5000);
            if (width < 0) continue;
            int k = Math.Min(width, 1 + rng.NextInt(3)), minLength = rng.NextInt(2);
            var exhaustive = Exhaustive.Search(m, new ExhaustiveOptions { MaxLength = t, Count = k, MinLength = minLength });
            var beam = BeamSearch.Decode(m, new BeamSearchOptions { Width = Math.Max(width, 1), MaxLength = t, Count = k, MinLength = minLength });
            Oracle.AssertSameRanking(m, exhaustive.Sequences, beam.Sequences, t, minLength, $"N={n} T={t}");
        }
    }

    [Theory]
    [InlineData(LengthNormalizationKind.Power, 1.0)]
    [InlineData(LengthNormalizationKind.Power, 2.0)]
    [InlineData(LengthNormalizationKind.Power, -1.0)]
    [InlineData(LengthNormalizationKind.Gnmt, 0.6)]
    public void Beam_WideWithLengthNormalization_ExactStopRule_FindsTheNormalizedBest(LengthNormalizationKind kind, double alpha)
    {
        var norm = new LengthNormalization(kind, alpha);
        var rng = new Rng(51);
        foreach (var (m, t) in Models(rng, 120))
        {
            int n = m.Vocabulary.Count, width = (int)RandomModels.Power(n, t - 1, 3000);
            if (width < 0) continue;
            var all = Exhaustive.Search(m, new ExhaustiveOptions { MaxLength = t, Count = 100_000 }).Sequences;
            if (all.Count == 0) continue;
            var best = all.OrderByDescending(s => norm.Score(s.LogProbability, s.Tokens.Length)).First();
            var beam = BeamSearch.Decode(m, new BeamSearchOptions { Width = width, MaxLength = t, LengthNormalization = norm }).Best!;
            Assert.Equal(norm.Score(best.LogProbability, best.Tokens.Length), beam.Score);
            Assert.Equal(beam.Score, norm.Score(Oracle.LogProb(m, beam.Tokens, t), beam.Tokens.Length));
        }
    }

    [Fact]
    public void Greedy_EqualsBeamOfWidthOne()
    {
        var rng = new Rng(52);
        foreach (var (m, t) in Models(rng, 300))
        {
            int minLength = rng.NextInt(3);
            var greedy = Greedy.Decode(m, new GreedyOptions { MaxLength = t, MinLength = minLength });
            var beam = BeamSearch.Decode(m, new BeamSearchOptions { Width = 1, MaxLength = t, MinLength = minLength });
            Assert.Equal(greedy.Sequences.Count, beam.Sequences.Count);
            if (greedy.Best is { } g) Oracle.AssertIdentical(g, beam.Best!, "greedy");
            if (greedy.Best is { } h) Assert.Equal(h.LogProbability, Oracle.LogProb(m, h.Tokens, t, minLength));
        }
    }

    // The empty sequence finishes first with mean log-probability −1.0; "x y z </s>" averages −0.325.
    private static PrefixTreeModel StopRuleCase() => new("<s>",
        [new("</s>", -1.0, []), new("x", -1.2, [new("y", -0.05, [new("z", -0.05, [])])])]);

    [Fact]
    public void StopRules_ExactAndHeuristicReturnDifferentHypotheses_UnderLengthNormalization()
    {
        var m = StopRuleCase();
        var o = new BeamSearchOptions { Width = 1, MaxLength = 4, LengthNormalization = LengthNormalization.Power(1) };
        var exact = BeamSearch.Decode(m, o).Best!;
        var heuristic = BeamSearch.Decode(m, o with { StopRule = StopRule.Heuristic }).Best!;
        var firstK = BeamSearch.Decode(m, o with { StopRule = StopRule.FirstK }).Best!;
        Assert.Equal("x y z", RandomModels.Text(m, exact));
        AssertClose.Scalar(-0.325, exact.Score, 0, 1e-6);
        AssertClose.Scalar(-1.3, exact.LogProbability, 0, 1e-6);
        Assert.Equal([m.EndToken], heuristic.Tokens);
        AssertClose.Scalar(-1.0, heuristic.Score, 0, 1e-6);
        Assert.Equal([m.EndToken], firstK.Tokens);
        // Without normalization the empty sequence really is the best, and every rule agrees.
        foreach (var rule in new[] { StopRule.Exact, StopRule.Heuristic, StopRule.FirstK })
            Assert.Equal([m.EndToken], BeamSearch.Decode(m, new BeamSearchOptions { Width = 1, StopRule = rule }).Best!.Tokens);
    }

    [Fact]
    public void ExactStopRule_NegativeAlpha_BoundsByTheShortestFinish()
    {
        // α < 0 favours short sequences: the bound of an open beam is at its earliest finish, so
        // search stops as soon as nothing open can win and still returns the normalized best.
        var m = StopRuleCase();
        var norm = LengthNormalization.Power(-1);
        var r = BeamSearch.Decode(m, new BeamSearchOptions { Width = 1, MaxLength = 4, LengthNormalization = norm });
        Assert.Equal([m.EndToken], r.Best!.Tokens);
        Assert.Equal(-1.0, r.Best.Score, 6);
        Assert.Equal(1, r.ModelCalls);
    }

    [Fact]
    public void Beam_EndTokenNeverCrowdsOutOpenBeams_AndWidthAboveVocabularyWorks()
    {
        // The end token is the likeliest continuation everywhere; the beams must still fill
        // with open hypotheses so that longer sequences are found.
        var v = new Recur.Text.Vocabulary(["<bos>", "a", "b", "<eos>"]);
        float x = float.NegativeInfinity, e = (float)Math.Log(0.8), a = (float)Math.Log(0.12), b = (float)Math.Log(0.08);
        var m = new MarkovModel(v, 0, 3, [x, a, b, e, x, a, b, e, x, a, b, e, x, x, x, x]);
        foreach (int width in new[] { 2, 3, 10, 40 })
        {
            var beam = BeamSearch.Decode(m, new BeamSearchOptions { Width = width, MaxLength = 4, Count = 2 });
            var exhaustive = Exhaustive.Search(m, new ExhaustiveOptions { MaxLength = 4, Count = 2 });
            Oracle.AssertSameRanking(m, exhaustive.Sequences, beam.Sequences, 4, 0, $"B={width}");
        }
        var minLength = BeamSearch.Decode(m, new BeamSearchOptions { Width = 2, MaxLength = 6, MinLength = 3, Count = 2 });
        Assert.All(minLength.Sequences, s => Assert.Equal(4, s.Tokens.Length));
    }

    [Fact]
    public void NoRepeatNgram_WideBeam_EqualsTheBestSequenceWithoutARepeatedNgram()
    {
        var rng = new Rng(53);
        for (int trial = 0; trial < 60; trial++)
        {
            int n = 3 + rng.NextInt(2), t = 3 + rng.NextInt(3), size = 1 + rng.NextInt(2);
            var m = RandomModels.Markov(rng, n, withEnd: rng.NextInt(2) == 0, sparsity: 0);
            var allowed = Exhaustive.Search(m, new ExhaustiveOptions { MaxLength = t, Count = 100_000 }).Sequences
                .Where(s => !RepeatsNgram(s.Tokens, size, m.EndToken)).ToList();
            var beam = BeamSearch.Decode(m, new BeamSearchOptions { Width = (int)RandomModels.Power(n, t - 1, 10_000), MaxLength = t, NoRepeatNgramSize = size });
            Assert.Equal(allowed.Count > 0, beam.Sequences.Count > 0);
            if (allowed.Count == 0) continue;
            Oracle.AssertSameRanking(m, allowed.Take(1).ToList(), beam.Sequences, t, 0, $"n-gram {size}");
            Assert.False(RepeatsNgram(beam.Best!.Tokens, size, m.EndToken));
        }
    }

    private static bool RepeatsNgram(int[] tokens, int size, int end)
    {
        var body = tokens.Where(t => t != end).ToArray();
        var seen = new HashSet<string>();
        for (int p = 0; p + size <= body.Length; p++)
            if (!seen.Add(string.Join(",", body[p..(p + size)]))) return true;
        return false;
    }

    [Fact]
    public void DiverseGroups_PenaltyPushesLaterGroupsOffEarlierChoices()
    {
        var v = new Recur.Text.Vocabulary(["<bos>", "a", "b", "c", "d"]);
        float x = float.NegativeInfinity;
        float[] row = [x, (float)Math.Log(0.4), (float)Math.Log(0.3), (float)Math.Log(0.2), (float)Math.Log(0.1)];
        var m = new MarkovModel(v, 0, -1, [.. row, .. row, .. row, .. row, .. row]);
        var plain = BeamSearch.Decode(m, new BeamSearchOptions { Width = 4, Groups = 2, MaxLength = 1, Count = 4 });
        Assert.Equal([1, 1, 2, 2], plain.Sequences.Select(s => s.Tokens[0]).Order());
        var diverse = BeamSearch.Decode(m, new BeamSearchOptions { Width = 4, Groups = 2, MaxLength = 1, Count = 4, DiversityStrength = 10 });
        Assert.Equal([1, 2, 3, 4], diverse.Sequences.Select(s => s.Tokens[0]).Order());
        // Scores stay true log-probabilities: the penalty only steers selection.
        Assert.All(diverse.Sequences, s => Assert.Equal(s.LogProbability, s.Score));
    }

    [Fact]
    public void Options_AreValidated()
    {
        var m = RandomModels.WorkedExample();
        Assert.Throws<ArgumentOutOfRangeException>(() => BeamSearch.Decode(m, new BeamSearchOptions { Width = 3, Groups = 2 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => BeamSearch.Decode(m, new BeamSearchOptions { Width = 2, Count = 3 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BeamSearchOptions { Width = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new BeamSearchOptions { DiversityStrength = -1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => LengthNormalization.Power(double.NaN));
    }

    [Fact]
    public void Beam_StepsAllocateNothing_BeyondTheUpFrontBuffers()
    {
        // 2,000 steps over N = 50 with B = 8: one object per step would add ≥ 48 KB.
        const int width = 8, steps = 2000;
        var m = RandomModels.Markov(new Rng(54), 50, withEnd: false, sparsity: 0);
        var o = new BeamSearchOptions { Width = width, MaxLength = steps, NoRepeatNgramSize = 0 };
        BeamSearch.Decode(m, o with { MaxLength = 10 });
        long before = GC.GetAllocatedBytesForCurrentThread();
        var r = BeamSearch.Decode(m, o);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(steps, r.Best!.Tokens.Length);
        long history = 3L * steps * width * 4, result = 8L * steps;
        Assert.True(allocated < history + result + 40_000, $"allocated {allocated} bytes; history and result need {history + result}");
    }

    [Fact]
    public void Result_ReportsModelTimeApartFromTotal()
    {
        var r = BeamSearch.Decode(RandomModels.WorkedExample(), new BeamSearchOptions { Width = 2 });
        Assert.Equal(4, r.ModelCalls);
        Assert.InRange(r.ModelSeconds, 0, r.Seconds);
        Assert.Equal(1 + 2 + 2 + 2, r.Expanded);
    }
}
