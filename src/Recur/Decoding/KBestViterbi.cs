namespace Recur.Decoding;

// N: states; T: steps; K: paths kept.

/// <summary>
/// List Viterbi (the "parallel list Viterbi" of Seshadri &amp; Sundberg 1994): each state keeps
/// its K best partial paths, δ_t(j, r) for r &lt; K, best first, with back-pointers to a
/// (state, rank) pair at t−1; the K best of the N·K final entries are the K most probable
/// paths. Time O(T·N²·K) (a candidate is kept in O(K) only when it enters the list), memory
/// O(T·N·K). Same end-token and minimum-length semantics as <see cref="DenseViterbi"/>; since
/// an ended sequence has exactly one padded path, distinct paths are distinct sequences.
/// Tie rule: lowest (state, rank) first at every list.
/// </summary>
internal static class KBestViterbi
{
    /// <summary>Up to K best paths of <paramref name="steps"/> states with their log-probabilities, best first; paths of probability 0 are left out.</summary>
    public static List<(int[] Path, double Score)> Decode(ReadOnlySpan<float> start, ReadOnlySpan<float> transitions, int n, int end, int steps, int minLength, int k)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        var delta = new double[(long)n * k];          // (N, K) δ_{t−1}
        var next = new double[(long)n * k];           // (N, K) δ_t
        var back = new int[(long)steps * n * k];      // (T, N, K) i·K + r of the predecessor; row 0 unused
        var list = new BestList<int>(k);
        Array.Fill(delta, double.NegativeInfinity);
        for (int j = 0; j < n; j++) delta[(long)j * k] = start[j];
        Mask(delta, end, k, 0, minLength);
        for (int t = 1; t < steps; t++)
        {
            for (int j = 0; j < n; j++)
            {
                list.Clear();
                for (int i = 0; i < n; i++)
                {
                    float p = i == end ? (j == end ? 0f : float.NegativeInfinity) : transitions[i * n + j];
                    if (float.IsNegativeInfinity(p)) continue;
                    for (int r = 0; r < k; r++)
                    {
                        double s = delta[(long)i * k + r] + p;
                        // Lists are sorted, so once one entry cannot enter, no later one can.
                        if (!(s > double.NegativeInfinity) || !list.WouldAccept(s)) break;
                        list.Offer(s, i * k + r);
                    }
                }
                long at = (long)j * k, row = ((long)t * n + j) * k;
                for (int r = 0; r < k; r++)
                {
                    next[at + r] = r < list.Count ? list.ScoreAt(r) : double.NegativeInfinity;
                    back[row + r] = r < list.Count ? list.ItemAt(r) : 0;
                }
            }
            Mask(next, end, k, t, minLength);
            (delta, next) = (next, delta);
        }

        list.Clear();
        for (int j = 0; j < n; j++)
            for (int r = 0; r < k; r++)
            {
                double s = delta[(long)j * k + r];
                if (!(s > double.NegativeInfinity) || !list.WouldAccept(s)) break;
                list.Offer(s, j * k + r);
            }
        var result = new List<(int[] Path, double Score)>(list.Count);
        for (int q = 0; q < list.Count; q++)
        {
            var path = new int[steps];
            int entry = list.ItemAt(q);
            for (int t = steps - 1; t >= 0; t--)
            {
                path[t] = entry / k;
                if (t > 0) entry = back[((long)t * n + path[t]) * k + entry % k];
            }
            result.Add((path, list.ScoreAt(q)));
        }
        return result;
    }

    private static void Mask(double[] delta, int end, int k, int position, int minLength)
    {
        if (end < 0 || position >= minLength) return;
        for (int r = 0; r < k; r++) delta[(long)end * k + r] = double.NegativeInfinity;
    }
}
