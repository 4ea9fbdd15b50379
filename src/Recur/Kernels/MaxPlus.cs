namespace Recur.Kernels;

// N: states; J: the columns one call computes; W: double lanes per vector.

/// <summary>
/// The Viterbi inner loop (docs/theory.md 2.2a, c) in log space: for each column j,
/// best[j] = max_i (δ[i] + L[j, i]) and arg[j] = the lowest i attaining it, where L is the
/// transposed log-transition matrix (L[j, i] = log P[i, j]), so the max over i is a contiguous
/// reduction. δ and the sums are double; L is float, widened on load.
/// <para>
/// Vector path (written once over <see cref="IDoubleWidth{TVector}"/>): four columns at once
/// share each load of δ; each column keeps a vector of running maxima and a vector of their
/// indices (as doubles), replaced where the new sum is strictly greater (a compare into a
/// mask and a masked blend, so within a lane the first index wins); then lanes are merged
/// preferring the lowest index among equal maxima. Same result bit for bit as
/// <see cref="Reference"/>.
/// </para>
/// </summary>
internal static unsafe class MaxPlus
{
    /// <summary>Columns [<paramref name="first"/>, <paramref name="end"/>) of one Viterbi step.</summary>
    public static void Columns(ReadOnlySpan<double> delta, ReadOnlySpan<float> transposed, Span<double> best, Span<int> arg, int n, int first, int end)
    {
        if (delta.Length < n || transposed.Length < (long)end * n || best.Length < end || arg.Length < end)
            throw new ArgumentException("MaxPlus.Columns: a buffer is shorter than the sizes given.");
        fixed (double* d = delta, b = best)
        fixed (float* t = transposed)
        fixed (int* a = arg)
        {
            var loop = new ColumnsLoop(d, t, b, a, n, first, end);
            VectorLoop.RunDouble(ref loop);
        }
    }

    /// <summary>The plain-loop oracle: same contract, no vectors.</summary>
    public static void Reference(ReadOnlySpan<double> delta, ReadOnlySpan<float> transposed, Span<double> best, Span<int> arg, int n, int first, int end)
    {
        for (int j = first; j < end; j++)
        {
            double m = double.NegativeInfinity;
            int a = 0;
            for (int i = 0; i < n; i++)
            {
                double s = delta[i] + transposed[j * n + i];
                if (s > m) (m, a) = (s, i);
            }
            (best[j], arg[j]) = (m, a);
        }
    }

    // The loop's arguments; the work is in static methods, whose arguments the JIT keeps in
    // registers (fields read through `this` inside a hot loop are reloaded from memory).
    private readonly struct ColumnsLoop(double* delta, float* transposed, double* best, int* arg, int n, int first, int end) : IDoubleVectorLoop
    {
        public void Run<W, V>() where W : struct, IDoubleWidth<V> where V : struct => Columns<W, V>(delta, transposed, best, arg, n, first, end);
    }

    private static void Columns<W, V>(double* delta, float* transposed, double* best, int* arg, int n, int first, int end) where W : struct, IDoubleWidth<V> where V : struct
    {
        int j = first;
        if (W.Count > 1 && n >= W.Count)
            for (; j + 4 <= end; j += 4) Four<W, V>(delta, transposed, best, arg, n, j);
        for (; j < end; j++) best[j] = Scalar(delta, transposed + (long)j * n, n, 0, double.NegativeInfinity, 0, out arg[j]);
    }

    private static void Four<W, V>(double* delta, float* transposed, double* best, int* arg, int n, int j) where W : struct, IDoubleWidth<V> where V : struct
    {
        float* c0 = transposed + (long)j * n, c1 = c0 + n, c2 = c1 + n, c3 = c2 + n;
        V v0 = W.Broadcast(double.NegativeInfinity), v1 = v0, v2 = v0, v3 = v0;
        V x0 = W.Broadcast(0), x1 = x0, x2 = x0, x3 = x0;
        V index = W.Lanes, step = W.Broadcast(W.Count);
        int i = 0;
        for (; i <= n - W.Count; i += W.Count)
        {
            V dv = W.Load(delta + i);
            V s0 = W.Add(dv, W.LoadWidened(c0 + i));
            V s1 = W.Add(dv, W.LoadWidened(c1 + i));
            V s2 = W.Add(dv, W.LoadWidened(c2 + i));
            V s3 = W.Add(dv, W.LoadWidened(c3 + i));
            x0 = W.ConditionalSelect(W.GreaterThan(s0, v0), index, x0);
            x1 = W.ConditionalSelect(W.GreaterThan(s1, v1), index, x1);
            x2 = W.ConditionalSelect(W.GreaterThan(s2, v2), index, x2);
            x3 = W.ConditionalSelect(W.GreaterThan(s3, v3), index, x3);
            v0 = W.MaxNative(s0, v0);
            v1 = W.MaxNative(s1, v1);
            v2 = W.MaxNative(s2, v2);
            v3 = W.MaxNative(s3, v3);
            index = W.Add(index, step);
        }
        FinishFour<W, V>(delta, transposed, best, arg, n, j, i, v0, x0, v1, x1, v2, x2, v3, x3);
    }

    // The four columns' lanes merged (in memory, outside the hot loop so that its vectors stay in registers).
    private static void FinishFour<W, V>(double* delta, float* transposed, double* best, int* arg, int n, int j, int tail,
        V v0, V x0, V v1, V x1, V v2, V x2, V v3, V x3) where W : struct, IDoubleWidth<V> where V : struct
    {
        double* lanes = stackalloc double[64]; // (4 columns, values W + indices W), W ≤ 8
        W.Store(v0, lanes);
        W.Store(x0, lanes + W.Count);
        W.Store(v1, lanes + 2 * W.Count);
        W.Store(x1, lanes + 3 * W.Count);
        W.Store(v2, lanes + 4 * W.Count);
        W.Store(x2, lanes + 5 * W.Count);
        W.Store(v3, lanes + 6 * W.Count);
        W.Store(x3, lanes + 7 * W.Count);
        for (int c = 0; c < 4; c++)
            best[j + c] = Finish(delta, transposed + (long)(j + c) * n, n, tail, lanes + 2 * c * W.Count, lanes + (2 * c + 1) * W.Count, W.Count, out arg[j + c]);
    }

    // Merges the lanes of one column (lowest index among equal maxima), then the scalar tail.
    private static double Finish(double* delta, float* column, int n, int tail, double* values, double* indices, int count, out int argmax)
    {
        double m = double.NegativeInfinity, a = 0;
        for (int lane = 0; lane < count; lane++)
            if (values[lane] > m || (values[lane] == m && indices[lane] < a)) (m, a) = (values[lane], indices[lane]);
        return Scalar(delta, column, n, tail, m, (int)a, out argmax);
    }

    // Continues a column's max from index `from` with strict > (later indices lose ties).
    private static double Scalar(double* delta, float* column, int n, int from, double m, int a, out int argmax)
    {
        for (int i = from; i < n; i++)
        {
            double s = delta[i] + column[i];
            if (s > m) (m, a) = (s, i);
        }
        argmax = a;
        return m;
    }
}
