using Recur.Tensors;

namespace Recur.Decoding;

// N: vocabulary size.

/// <summary>
/// Draws one token from a next-token distribution after temperature, top-k and top-p
/// (<see cref="SamplingOptions"/>), in double. Buffers are preallocated; a draw allocates
/// nothing. Sorting (O(N log N)) happens only when top-k or top-p is active.
/// </summary>
internal sealed class TokenFilter(int vocabulary)
{
    private readonly double[] _weight = new double[vocabulary]; // (N) p^(1/τ), up to a constant
    private readonly int[] _order = new int[vocabulary];        // (N) candidate tokens

    /// <summary>A token drawn from <paramref name="logProbs"/> with <paramref name="masked"/> excluded, or −1 when none is possible.</summary>
    public int Draw(ReadOnlySpan<float> logProbs, int masked, SamplingOptions o, Rng rng)
    {
        double inverseT = 1.0 / o.Temperature, max = double.NegativeInfinity;
        int count = 0;
        for (int w = 0; w < logProbs.Length; w++)
        {
            if (w == masked || float.IsNegativeInfinity(logProbs[w])) continue;
            _order[count++] = w;
            max = Math.Max(max, logProbs[w] * inverseT);
        }
        if (count == 0) return -1;
        // Subtract the max before exp (docs/architecture.md, conventions): tempered weights stay in range.
        for (int i = 0; i < count; i++) _weight[_order[i]] = Math.Exp(logProbs[_order[i]] * inverseT - max);

        int keep = count;
        bool topK = o.TopK > 0 && o.TopK < count;
        if (topK || o.TopP < 1)
        {
            _order.AsSpan(0, count).Sort(new ByWeight(_weight));
            if (topK) keep = o.TopK;
            if (o.TopP < 1) keep = Nucleus(keep, o.TopP);
        }
        double total = 0;
        for (int i = 0; i < keep; i++) total += _weight[_order[i]];
        double u = rng.NextDouble() * total, cumulative = 0;
        for (int i = 0; i < keep; i++)
        {
            cumulative += _weight[_order[i]];
            if (u < cumulative) return _order[i];
        }
        return _order[keep - 1];
    }

    // The smallest prefix of the sorted kept tokens whose renormalized mass reaches p (at least one).
    private int Nucleus(int keep, double p)
    {
        double total = 0;
        for (int i = 0; i < keep; i++) total += _weight[_order[i]];
        double cumulative = 0;
        for (int i = 0; i < keep; i++)
        {
            cumulative += _weight[_order[i]];
            if (cumulative >= p * total) return i + 1;
        }
        return keep;
    }

    // Most likely first; ties to the lower token id, so the order never depends on the sort.
    private readonly struct ByWeight(double[] weight) : IComparer<int>
    {
        public int Compare(int a, int b) => weight[a] != weight[b] ? weight[b].CompareTo(weight[a]) : a.CompareTo(b);
    }
}
