using Recur.Decoding;
using Recur.Tensors;

namespace Recur.Tests.Decoding;

/// <summary>HMM Viterbi over sparse transitions with emissions, against exhaustive tagging.</summary>
public class SparseViterbiTests
{
    private sealed record Hmm(TransitionGraph Graph, float[] Emissions, int Steps);

    // A random HMM: S states with random labels, sparse edges, some forbidden starts and
    // emissions, optional end scores, and T steps of emission scores.
    private static Hmm RandomHmm(Rng rng, int s, int c, int t, double density)
    {
        var labels = Enumerable.Range(0, s).Select(_ => rng.NextInt(c)).ToArray();
        var start = Enumerable.Range(0, s).Select(_ => rng.NextDouble() < 0.2 ? float.NegativeInfinity : (float)(-3 * rng.NextDouble())).ToArray();
        var (from, to, w) = (new List<int>(), new List<int>(), new List<float>());
        for (int i = 0; i < s; i++)
            for (int j = 0; j < s; j++)
            {
                if (rng.NextDouble() >= density) continue;
                from.Add(i);
                to.Add(j);
                w.Add((float)(-3 * rng.NextDouble()));
            }
        float[] end = rng.NextInt(2) == 0 ? [] : Enumerable.Range(0, s).Select(_ => rng.NextDouble() < 0.2 ? float.NegativeInfinity : (float)(-rng.NextDouble())).ToArray();
        var emissions = Enumerable.Range(0, t * c).Select(_ => rng.NextDouble() < 0.15 ? float.NegativeInfinity : (float)(-4 * rng.NextDouble())).ToArray();
        return new Hmm(new TransitionGraph(labels, c, start, from.ToArray(), to.ToArray(), w.ToArray(), end), emissions, t);
    }

    // Every state sequence, summed in Viterbi's order; lowest (reversed) sequence on ties as Viterbi's tie rule gives.
    private static (double Score, int[]? Path) Exhaustive(Hmm h)
    {
        var g = h.Graph;
        int s = g.StateCount, t = h.Steps, c = g.LabelCount;
        double best = double.NegativeInfinity;
        int[]? bestPath = null;
        var path = new int[t];
        long total = (long)Math.Pow(s, t);
        for (long code = 0; code < total; code++)
        {
            long x = code;
            for (int p = 0; p < t; p++, x /= s) path[p] = (int)(x % s);
            double v = g.Start(path[0]);
            v += h.Emissions[g.Label(path[0])];
            for (int p = 1; p < t; p++) v = v + g.Weight(path[p - 1], path[p]) + h.Emissions[p * c + g.Label(path[p])];
            v += g.End(path[t - 1]);
            if (v > best) (best, bestPath) = (v, (int[])path.Clone());
        }
        return (best, bestPath);
    }

    [Fact]
    public void Decode_RandomHmms_EqualsExhaustiveTagging()
    {
        var rng = new Rng(40);
        int found = 0;
        for (int trial = 0; trial < 400; trial++)
        {
            int s = 1 + rng.NextInt(5), c = 1 + rng.NextInt(3), t = 1 + rng.NextInt(6);
            var h = RandomHmm(rng, s, c, t, density: trial % 2 == 0 ? 0.35 : 0.9);
            var (score, path) = Exhaustive(h);
            var states = new int[t];
            double v = new SparseViterbi(h.Graph).Decode(h.Emissions, t, states);
            Assert.Equal(score, v);
            if (path is null) continue;
            Assert.Equal(path, states);
            found++;
        }
        Assert.True(found > 200, $"only {found} HMMs had a path");
    }

    [Fact]
    public void Decode_ReusedInstance_GivesTheSameAsAFreshOne()
    {
        var rng = new Rng(41);
        var h = RandomHmm(rng, 6, 3, 40, 0.5);
        var decoder = new SparseViterbi(h.Graph);
        for (int t = 1; t <= 40; t += 3)
        {
            var (a, b) = (new int[t], new int[t]);
            double va = decoder.Decode(h.Emissions.AsSpan(0, t * 3), t, a);
            double vb = new SparseViterbi(h.Graph).Decode(h.Emissions.AsSpan(0, t * 3), t, b);
            Assert.Equal(vb, va);
            if (double.IsFinite(va)) Assert.Equal(b, a);
        }
    }

    [Fact]
    public void Decode_ManySentences_AllocatesNothingOnceWarm()
    {
        var h = RandomHmm(new Rng(43), 40, 8, 30, 0.4);
        var decoder = new SparseViterbi(h.Graph, pruneWidth: 6);
        var states = new int[30];
        decoder.Decode(h.Emissions, 30, states);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int sentence = 0; sentence < 200; sentence++) decoder.Decode(h.Emissions.AsSpan(0, (1 + sentence % 30) * 8), 1 + sentence % 30, states);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Decode_WithPruning_VisitsFewerStates_AndScoresItsOwnPathExactly()
    {
        var rng = new Rng(42);
        var h = RandomHmm(rng, 60, 10, 50, 0.3);
        var states = new int[50];
        var exact = new SparseViterbi(h.Graph);
        double best = exact.Decode(h.Emissions, 50, states);
        var pruned = new SparseViterbi(h.Graph, pruneWidth: 2.0);
        var prunedStates = new int[50];
        double v = pruned.Decode(h.Emissions, 50, prunedStates);
        Assert.True(double.IsFinite(best));
        Assert.True(pruned.Visited < exact.Visited, $"pruned {pruned.Visited} vs {exact.Visited}");
        if (double.IsFinite(v))
        {
            Assert.True(v <= best);
            double again = h.Graph.Start(prunedStates[0]) + h.Emissions[h.Graph.Label(prunedStates[0])];
            for (int p = 1; p < 50; p++) again = again + h.Graph.Weight(prunedStates[p - 1], prunedStates[p]) + h.Emissions[p * 10 + h.Graph.Label(prunedStates[p])];
            Assert.Equal(v, again + h.Graph.End(prunedStates[49]));
        }
        Assert.Equal(best, new SparseViterbi(h.Graph, pruneWidth: 1e9).Decode(h.Emissions, 50, states));
    }

    [Fact]
    public void Graph_RejectsBadInput()
    {
        Assert.Throws<ArgumentException>(() => new TransitionGraph([0, 1], 2, [0, 0], [0, 0], [1, 1], [-1, -2]));
        Assert.Throws<ArgumentException>(() => new TransitionGraph([0, 2], 2, [0, 0], [], [], []));
        Assert.Throws<ArgumentException>(() => new TransitionGraph([0, 1], 2, [0, float.NaN], [], [], []));
        Assert.Throws<ArgumentException>(() => new TransitionGraph([0, 1], 2, [0, 0], [0], [2], [-1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SparseViterbi(new TransitionGraph([0], 1, [0], [], [], []), -1));
    }

    [Fact]
    public void Graph_DropsZeroProbabilityEdges_AndSortsSuccessors()
    {
        var g = new TransitionGraph([0, 0, 0], 1, [0, 0, 0], [0, 0, 0, 1], [2, 1, 0, 2], [-1, -2, float.NegativeInfinity, -3]);
        Assert.Equal([1, 2], g.Successors(0).ToArray());
        Assert.Equal([-2f, -1f], g.SuccessorWeights(0).ToArray());
        Assert.Equal(float.NegativeInfinity, g.Weight(0, 0));
        Assert.Equal(3, g.EdgeCount);
    }
}
