using Recur.Decoding;
using Recur.Kernels;
using Recur.LanguageModels.Markov;
using Recur.Tensors;
using Recur.Tests.Support;
using Recur.Text;

namespace Recur.Tests.Decoding;

/// <summary>docs/theory.md 2.2: Viterbi against exhaustive search, k-best, state expansion, and long sequences.</summary>
public class ViterbiTests
{
    [Fact]
    public void Viterbi_RandomMarkovModels_EqualsExhaustive()
    {
        var rng = new Rng(20);
        int checkedCount = 0, identical = 0;
        for (int trial = 0; trial < 300; trial++)
        {
            int n = 2 + rng.NextInt(5), t = 1 + rng.NextInt(7), minLength = rng.NextInt(3);
            if (RandomModels.Power(n, t, 300_000) < 0) continue;
            var m = RandomModels.Markov(rng, n, withEnd: rng.NextInt(2) == 0);
            var exhaustive = Exhaustive.Search(m, new ExhaustiveOptions { MaxLength = t, MinLength = minLength });
            var viterbi = Viterbi.Decode(m, new ViterbiOptions { MaxLength = t, MinLength = minLength });
            if (Oracle.AssertSameRanking(m, exhaustive.Sequences, viterbi.Sequences, t, minLength, $"trial {trial} n={n} t={t}")) identical++;
            checkedCount++;
        }
        Assert.True(checkedCount > 200, $"only {checkedCount} models were checked");
        Assert.True(identical > checkedCount * 3 / 4, $"only {identical} of {checkedCount} answers were the same sequence");
    }

    [Fact]
    public void KBestViterbi_RandomMarkovModels_EqualsTopKOfExhaustive()
    {
        var rng = new Rng(21);
        for (int trial = 0; trial < 150; trial++)
        {
            int n = 2 + rng.NextInt(4), t = 1 + rng.NextInt(5), k = 1 + rng.NextInt(8), minLength = rng.NextInt(3);
            var m = RandomModels.Markov(rng, n, withEnd: rng.NextInt(2) == 0);
            var exhaustive = Exhaustive.Search(m, new ExhaustiveOptions { MaxLength = t, Count = k, MinLength = minLength });
            var viterbi = Viterbi.Decode(m, new ViterbiOptions { MaxLength = t, Count = k, MinLength = minLength });
            Oracle.AssertSameRanking(m, exhaustive.Sequences, viterbi.Sequences, t, minLength, $"trial {trial}");
        }
    }

    [Fact]
    public void StateExpansion_TrigramModels_EqualsExhaustive()
    {
        var rng = new Rng(22);
        for (int trial = 0; trial < 120; trial++)
        {
            int n = 2 + rng.NextInt(4), t = 1 + rng.NextInt(6), minLength = rng.NextInt(2);
            var m = new TrigramTableModel(n, withEnd: rng.NextInt(2) == 0, seed: (ulong)trial);
            var exhaustive = Exhaustive.Search(m, new ExhaustiveOptions { MaxLength = t, MinLength = minLength });
            var viterbi = Viterbi.Decode(m, new ViterbiOptions { MaxLength = t, MinLength = minLength });
            Oracle.AssertSameRanking(m, exhaustive.Sequences, viterbi.Sequences, t, minLength, $"trial {trial}");
        }
    }

    [Fact]
    public void StateExpansion_OfAMarkovModel_VisitsOnlyReachedContexts_AndMatchesDenseViterbi()
    {
        var rng = new Rng(23);
        var m = RandomModels.Markov(rng, 6, withEnd: true, sparsity: 0.5);
        var graph = ContextGraph.Build(m, 8);
        Assert.True(graph.StateCount <= 5, "a first-order model has at most one state per token (the begin token is never reached)");
        var states = new int[8];
        double score = new SparseViterbi(graph).Decode(default, 8, states);
        var dense = Viterbi.Decode(m, new ViterbiOptions { MaxLength = 8 }).Best!;
        Assert.Equal(dense.LogProbability, score);
        // Graph states are numbered by discovery, so ties may resolve to another optimal path.
        var tokens = states.Select(graph.Label).ToArray();
        int length = Array.IndexOf(tokens, m.EndToken) is int e && e >= 0 ? e + 1 : tokens.Length;
        Assert.Equal(score, Oracle.LogProb(m, tokens[..length], 8));
    }

    [Fact]
    public void Viterbi_TiesGoToTheLowestIndex()
    {
        // Every path has the same probability: the lowest state at every step wins.
        var v = new Vocabulary(["<bos>", "a", "b", "c"]);
        float third = (float)Math.Log(1 / 3.0 - 1e-9), x = float.NegativeInfinity;
        var m = new MarkovModel(v, 0, -1, [x, third, third, third, x, third, third, third, x, third, third, third, x, third, third, third]);
        Assert.Equal([1, 1, 1], Viterbi.Decode(m, new ViterbiOptions { MaxLength = 3 }).Best!.Tokens);
        var k = Viterbi.Decode(m, new ViterbiOptions { MaxLength = 2, Count = 3 });
        Assert.Equal([[1, 1], [2, 1], [3, 1]], k.Sequences.Select(s => s.Tokens));
    }

    [Fact]
    public void Viterbi_HundredThousandSteps_StaysExactWhereProbabilitySpaceUnderflows()
    {
        const int t = 100_000;
        var m = RandomModels.Markov(new Rng(24), 5, withEnd: false, sparsity: 0);
        var best = Viterbi.Decode(m, new ViterbiOptions { MaxLength = t }).Best!;
        Assert.Equal(t, best.Tokens.Length);
        Assert.True(double.IsFinite(best.LogProbability) && best.LogProbability < -1000);
        Assert.Equal(0.0, Math.Exp(best.LogProbability));

        // The same recursion in probability space: every δ underflows to 0 long before T.
        int n = 5, zeroAt = -1;
        var delta = new double[n];
        for (int j = 0; j < n; j++) delta[j] = Math.Exp(m.Row(0)[j]);
        for (int step = 1; step < t && zeroAt < 0; step++)
        {
            var next = new double[n];
            for (int j = 0; j < n; j++)
                for (int i = 0; i < n; i++) next[j] = Math.Max(next[j], delta[i] * Math.Exp(m.Row(i)[j]));
            delta = next;
            if (delta.All(d => d == 0)) zeroAt = step;
        }
        Assert.InRange(zeroAt, 1, 20_000);

        // A log-space reference (plain loops) agrees on the score and path.
        var (refScore, refPath) = ReferenceViterbi(m, t);
        Assert.Equal(refScore, best.LogProbability);
        Assert.Equal(refPath, best.Tokens);
    }

    [Theory]
    [InlineData(9)]
    [InlineData(64)]
    [InlineData(77)]
    [InlineData(130)]
    [InlineData(384)]
    [InlineData(385)]
    [InlineData(530)]
    public void Viterbi_BothMatrixLayouts_MatchThePlainLoopReference_BitForBit(int n)
    {
        // Up to 384 states the matrix is row-major double, above transposed float; coarse
        // values make exact ties frequent, so the tie rule is checked too.
        var rng = new Rng((ulong)n);
        var v = new Vocabulary(Enumerable.Range(0, n).Select(i => i == 0 ? "<bos>" : i == n - 1 ? "<eos>" : $"w{i}"));
        var lp = new float[n * n];
        float step = (float)(Math.Log(1.0 / n) - 0.7);
        for (int i = 0; i < n * n; i++) lp[i] = i % n == 0 || i / n == n - 1 ? float.NegativeInfinity : step - rng.NextInt(3) * 0.5f;
        var m = new MarkovModel(v, 0, n - 1, lp);
        var best = Viterbi.Decode(m, new ViterbiOptions { MaxLength = 7 }).Best!;
        var (refScore, refPath) = ReferenceViterbi(m, 7);
        Assert.Equal(refScore, best.LogProbability);
        Assert.Equal(refPath, best.Tokens);
    }

    [Fact]
    public void Viterbi_ResultDoesNotDependOnThreadCount()
    {
        int saved = Parallelism.MaxThreads;
        try
        {
            // 380 states: row-major double layout; 600: transposed float; both split columns over threads.
            foreach (int n in new[] { 380, 600 })
            {
                var m = RandomModels.Markov(new Rng(25), n, withEnd: true, sparsity: 0.1);
                Parallelism.MaxThreads = 1;
                var one = Viterbi.Decode(m, new ViterbiOptions { MaxLength = 6 }).Best!;
                Parallelism.MaxThreads = 2;
                var two = Viterbi.Decode(m, new ViterbiOptions { MaxLength = 6 }).Best!;
                Oracle.AssertIdentical(one, two, $"threads, N={n}");
                var (refScore, refPath) = ReferenceViterbi(m, 6);
                Assert.Equal(refScore, one.LogProbability);
                Assert.Equal(refPath, one.Tokens);
            }
        }
        finally
        {
            Parallelism.MaxThreads = saved;
        }
    }

    // Plain log-space Viterbi with the end token absorbing and the lowest index winning ties.
    private static (double Score, int[] Path) ReferenceViterbi(MarkovModel m, int t)
    {
        int n = m.Vocabulary.Count, end = m.EndToken;
        var back = new int[t, n];
        var delta = new double[n];
        for (int j = 0; j < n; j++) delta[j] = m.Row(0)[j];
        for (int step = 1; step < t; step++)
        {
            var next = new double[n];
            for (int j = 0; j < n; j++)
            {
                next[j] = double.NegativeInfinity;
                for (int i = 0; i < n; i++)
                {
                    double p = i == end ? (j == end ? 0 : double.NegativeInfinity) : m.Row(i)[j];
                    if (delta[i] + p > next[j]) (next[j], back[step, j]) = (delta[i] + p, i);
                }
            }
            delta = next;
        }
        int last = 0;
        for (int j = 1; j < n; j++)
            if (delta[j] > delta[last]) last = j;
        var path = new int[t];
        path[t - 1] = last;
        for (int step = t - 1; step > 0; step--) path[step - 1] = back[step, path[step]];
        int length = end >= 0 && Array.IndexOf(path, end) >= 0 ? Array.IndexOf(path, end) + 1 : t;
        return (delta[last], path[..length]);
    }
}
