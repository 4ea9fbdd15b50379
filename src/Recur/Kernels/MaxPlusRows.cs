namespace Recur.Kernels;

// N: states; W: double lanes per vector (8 in 512 bits, 4 in 256).

/// <summary>
/// The Viterbi inner loop for small N (the whole matrix in double fits in L2): the same
/// contract as <see cref="MaxPlus"/> — best[j] = max_i (δ[i] + log P[i, j]), arg[j] = the
/// lowest i attaining it — but over the row-major matrix in double, i outer and j inner:
/// δ[i] is broadcast and added to a row segment, and each of 8 vectors of columns keeps its
/// running maxima and their indices in registers (compare into a mask, masked blend, max).
/// There is no reduction across lanes and no widening, so it does about 4 vector operations
/// per 8 cells; rows whose δ[i] is −∞ are skipped. Written once over
/// <see cref="IDoubleWidth{TVector}"/>. Same result bit for bit as <see cref="Reference"/>:
/// i ascends and only a strictly greater sum replaces, so the lowest index wins ties.
/// </summary>
internal static unsafe class MaxPlusRows
{
    /// <summary>Columns [<paramref name="first"/>, <paramref name="end"/>) of one Viterbi step over the row-major matrix <paramref name="p"/> (N × N).</summary>
    public static void Columns(ReadOnlySpan<double> delta, ReadOnlySpan<double> p, Span<double> best, Span<int> arg, int n, int first, int end)
    {
        if (delta.Length < n || p.Length < (long)n * n || best.Length < end || arg.Length < end)
            throw new ArgumentException("MaxPlusRows.Columns: a buffer is shorter than the sizes given.");
        int j;
        fixed (double* d = delta, pp = p, b = best)
        fixed (int* a = arg)
        {
            var loop = new ColumnsLoop(d, pp, b, a, n, first, end);
            VectorLoop.RunDouble(ref loop);
            j = loop.Done;
        }
        Reference(delta, p, best, arg, n, j, end);
    }

    /// <summary>The plain-loop oracle.</summary>
    public static void Reference(ReadOnlySpan<double> delta, ReadOnlySpan<double> p, Span<double> best, Span<int> arg, int n, int first, int end)
    {
        for (int j = first; j < end; j++)
        {
            double m = double.NegativeInfinity;
            int a = 0;
            for (int i = 0; i < n; i++)
            {
                double s = delta[i] + p[i * n + j];
                if (s > m) (m, a) = (s, i);
            }
            (best[j], arg[j]) = (m, a);
        }
    }

    // Blocks of 8 vectors of columns, then single vectors; Done is where the scalar reference
    // takes over. The work is in static methods, whose arguments the JIT keeps in registers.
    private struct ColumnsLoop(double* delta, double* p, double* best, int* arg, int n, int first, int end) : IDoubleVectorLoop
    {
        /// <summary>The first column the vector loops left to the scalar reference.</summary>
        public int Done { get; private set; } = first;

        public void Run<W, V>() where W : struct, IDoubleWidth<V> where V : struct
        {
            if (W.Count == 1) return;
            int j = Done;
            for (; j + 8 * W.Count <= end; j += 8 * W.Count) Block<W, V>(delta, p, best, arg, n, j);
            for (; j + W.Count <= end; j += W.Count) Single<W, V>(delta, p, best, arg, n, j);
            Done = j;
        }
    }

    // 8·W columns: 8 vectors of maxima and 8 of indices, all in registers.
    private static void Block<W, V>(double* delta, double* p, double* best, int* arg, int n, int j) where W : struct, IDoubleWidth<V> where V : struct
    {
        V b0 = W.Broadcast(double.NegativeInfinity), b1 = b0, b2 = b0, b3 = b0, b4 = b0, b5 = b0, b6 = b0, b7 = b0;
        V x0 = W.Broadcast(0), x1 = x0, x2 = x0, x3 = x0, x4 = x0, x5 = x0, x6 = x0, x7 = x0;
        int w = W.Count;
        for (int i = 0; i < n; i++)
        {
            double di = delta[i];
            if (di == double.NegativeInfinity) continue;
            V d = W.Broadcast(di);
            V index = W.Broadcast(i);
            double* row = p + (long)i * n + j;
            V s0 = W.Add(d, W.Load(row));
            V s1 = W.Add(d, W.Load(row + w));
            V s2 = W.Add(d, W.Load(row + 2 * w));
            V s3 = W.Add(d, W.Load(row + 3 * w));
            V s4 = W.Add(d, W.Load(row + 4 * w));
            V s5 = W.Add(d, W.Load(row + 5 * w));
            V s6 = W.Add(d, W.Load(row + 6 * w));
            V s7 = W.Add(d, W.Load(row + 7 * w));
            x0 = W.ConditionalSelect(W.GreaterThan(s0, b0), index, x0);
            x1 = W.ConditionalSelect(W.GreaterThan(s1, b1), index, x1);
            x2 = W.ConditionalSelect(W.GreaterThan(s2, b2), index, x2);
            x3 = W.ConditionalSelect(W.GreaterThan(s3, b3), index, x3);
            x4 = W.ConditionalSelect(W.GreaterThan(s4, b4), index, x4);
            x5 = W.ConditionalSelect(W.GreaterThan(s5, b5), index, x5);
            x6 = W.ConditionalSelect(W.GreaterThan(s6, b6), index, x6);
            x7 = W.ConditionalSelect(W.GreaterThan(s7, b7), index, x7);
            b0 = W.MaxNative(s0, b0);
            b1 = W.MaxNative(s1, b1);
            b2 = W.MaxNative(s2, b2);
            b3 = W.MaxNative(s3, b3);
            b4 = W.MaxNative(s4, b4);
            b5 = W.MaxNative(s5, b5);
            b6 = W.MaxNative(s6, b6);
            b7 = W.MaxNative(s7, b7);
        }
        double* bj = best + j;
        int* aj = arg + j;
        W.Store(b0, bj);
        W.Store(b1, bj + w);
        W.Store(b2, bj + 2 * w);
        W.Store(b3, bj + 3 * w);
        W.Store(b4, bj + 4 * w);
        W.Store(b5, bj + 5 * w);
        W.Store(b6, bj + 6 * w);
        W.Store(b7, bj + 7 * w);
        W.StoreInt32(x0, aj);
        W.StoreInt32(x1, aj + w);
        W.StoreInt32(x2, aj + 2 * w);
        W.StoreInt32(x3, aj + 3 * w);
        W.StoreInt32(x4, aj + 4 * w);
        W.StoreInt32(x5, aj + 5 * w);
        W.StoreInt32(x6, aj + 6 * w);
        W.StoreInt32(x7, aj + 7 * w);
    }

    // W columns (what is left after the blocks).
    private static void Single<W, V>(double* delta, double* p, double* best, int* arg, int n, int j) where W : struct, IDoubleWidth<V> where V : struct
    {
        V b = W.Broadcast(double.NegativeInfinity), x = W.Broadcast(0);
        for (int i = 0; i < n; i++)
        {
            if (delta[i] == double.NegativeInfinity) continue;
            V s = W.Add(W.Broadcast(delta[i]), W.Load(p + (long)i * n + j));
            x = W.ConditionalSelect(W.GreaterThan(s, b), W.Broadcast(i), x);
            b = W.MaxNative(s, b);
        }
        W.Store(b, best + j);
        W.StoreInt32(x, arg + j);
    }
}
