namespace Recur.Kernels;

/// <summary>
/// The one matrix product every layer uses: C ← α·op(A)·op(B) + β·C for row-major float32
/// matrices, where op(A) is M×K and op(B) is K×N, each optionally stored transposed
/// (NN, NT, TN and TT). Cache-blocked with packed panels and a Vector512/Vector256 FMA
/// micro-kernel (scalar fallback); large products are split across up to
/// <see cref="Parallelism.MaxThreads"/> threads by blocks of C, small ones run on the calling
/// thread. Each element of C is always summed over K in the same order, so the result is
/// bitwise identical at any thread count. When β = 0, C is not read (it may hold NaN).
/// </summary>
public static class Gemm
{
    // Below this many multiply-adds a second thread costs more to wake than it saves.
    private const long ParallelThreshold = 1L << 21;

    // Products with few rows (decoding steps) are bound by reading B, not by arithmetic: split
    // across threads, each core streams its own share of B (and keeps it in its own L2 across
    // steps). From 2^18 elements of B (1 MiB) that beats one thread: 1×2048×512 took 136 µs on
    // one thread and 46 µs on two (Xeon, AVX-512).
    private const long SmallParallelThreshold = 1L << 18;

    [ThreadStatic] private static float[]? t_packA;
    [ThreadStatic] private static float[]? t_packB;

    /// <summary>
    /// C (M×N) ← α·op(A)·op(B) + β·C. A is M×K, or K×M when <paramref name="transposeA"/>;
    /// B is K×N, or N×K when <paramref name="transposeB"/>. All row-major and contiguous.
    /// </summary>
    public static void Multiply(
        ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k,
        bool transposeA = false, bool transposeB = false, float alpha = 1f, float beta = 0f)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        CheckA(a, m, k, transposeA);
        if (b.Length < (long)k * n) throw new ArgumentException($"B has {b.Length} elements; a {(transposeB ? $"{n}×{k}" : $"{k}×{n}")} matrix needs {(long)k * n}.", nameof(b));
        var cm = CheckC(c, m, n);
        if (cm.Overlaps(a[..(m * k)]) || cm.Overlaps(b[..(k * n)]))
            throw new ArgumentException("C must not overlap A or B.", nameof(c));
        if (IsTrivial(cm, m, n, k, alpha, beta)) return;
        unsafe
        {
            fixed (float* pa = a, pb = b, pc = c)
            {
                Run(pa, transposeA ? m : k, transposeA, pb, transposeB ? k : n, transposeB, null, pc, n, m, n, k, alpha, beta, Simd.Level);
            }
        }
    }

    /// <summary>
    /// C (M×N) ← α·op(A)·B + β·C where B (K×N) was packed once by <see cref="PackedMatrix.Pack"/>:
    /// the form for a weight matrix multiplied at every step of a sequence, which then pays
    /// for packing once per sequence instead of once per step.
    /// </summary>
    public static void Multiply(ReadOnlySpan<float> a, PackedMatrix b, Span<float> c, int m,
        bool transposeA = false, float alpha = 1f, float beta = 0f)
    {
        ArgumentNullException.ThrowIfNull(b);
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        int n = b.Columns, k = b.Rows;
        CheckA(a, m, k, transposeA);
        var cm = CheckC(c, m, n);
        if (cm.Overlaps(a[..(m * k)])) throw new ArgumentException("C must not overlap A.", nameof(c));
        if (IsTrivial(cm, m, n, k, alpha, beta)) return;
        unsafe
        {
            fixed (float* pa = a, pc = c)
            {
                Run(pa, transposeA ? m : k, transposeA, null, 0, false, b.Pointer, pc, n, m, n, k, alpha, beta, b.Level);
            }
        }
    }

    private static void CheckA(ReadOnlySpan<float> a, int m, int k, bool transposeA)
    {
        if (a.Length < (long)m * k) throw new ArgumentException($"A has {a.Length} elements; a {(transposeA ? $"{k}×{m}" : $"{m}×{k}")} matrix needs {(long)m * k}.", nameof(a));
    }

    /// <summary>The M×N matrix at the start of <paramref name="c"/>, which must hold one.</summary>
    private static Span<float> CheckC(Span<float> c, int m, int n)
    {
        if (c.Length < (long)m * n) throw new ArgumentException($"C has {c.Length} elements; a {m}×{n} matrix needs {(long)m * n}.", nameof(c));
        return c[..(m * n)];
    }

    /// <summary>
    /// Whether the product is empty or zero (M, N or K is 0, or α = 0), in which case C (M×N)
    /// has been set to β·C here, and is not read when β = 0.
    /// </summary>
    private static bool IsTrivial(Span<float> cm, int m, int n, int k, float alpha, float beta)
    {
        if (m == 0 || n == 0) return true;
        if (k != 0 && alpha != 0f) return false;
        if (beta == 0f) cm.Clear();
        else if (beta != 1f) Elementwise.Scale(beta, cm);
        return true;
    }

    private static unsafe void Run(
        float* a, nint lda, bool transA, float* b, nint ldb, bool transB, float* prepacked, float* c, nint ldc,
        int m, int n, int k, float alpha, float beta, SimdLevel level)
    {
        var ks = GemmBlocked.KernelShape.For(level);
        // Packed panels are only read by the blocked path, which pads few-row products.
        bool small = prepacked is null && m <= GemmSmall.MaxRows;
        bool parallel = small ? (long)n * k >= SmallParallelThreshold : (long)m * n * k >= ParallelThreshold;
        int threads = parallel ? Math.Min(Parallelism.MaxThreads, Environment.ProcessorCount) : 1;
        // Split C into column stripes (whole NR panels) when it is wide, else row stripes.
        bool byColumns = small || n >= m;
        int unit = byColumns ? ks.Nr : ks.Mr;
        int units = ((byColumns ? n : m) + unit - 1) / unit;
        ParallelRanges.For(units, threads, new Stripes(a, lda, transA, b, ldb, transB, prepacked, c, ldc, m, n, k, alpha, beta, ks, small, level, byColumns, unit));
    }

    /// <summary>
    /// Stripes [start, end) of C, in whole NR panels (column stripes) or MR tiles (row stripes);
    /// the last unit is clipped at C's edge.
    /// </summary>
    private readonly unsafe struct Stripes(
        float* a, nint lda, bool transA, float* b, nint ldb, bool transB, float* prepacked, float* c, nint ldc,
        int m, int n, int k, float alpha, float beta, GemmBlocked.KernelShape ks, bool small, SimdLevel level,
        bool byColumns, int unit) : IRangeWork
    {
        public void Run(int start, int end)
        {
            int lo = start * unit, hi = Math.Min(end * unit, byColumns ? n : m);
            if (byColumns)
                RunBlock(a, lda, transA, b, ldb, transB, prepacked, c, ldc, 0, m, lo, hi, k, alpha, beta, ks, small, level);
            else
                RunBlock(a, lda, transA, b, ldb, transB, prepacked, c, ldc, lo, hi, 0, n, k, alpha, beta, ks, small, level);
        }
    }

    private static unsafe void RunBlock(
        float* a, nint lda, bool transA, float* b, nint ldb, bool transB, float* prepacked, float* c, nint ldc,
        int m0, int m1, int n0, int n1, int k, float alpha, float beta, GemmBlocked.KernelShape ks, bool small, SimdLevel level)
    {
        if (small)
        {
            GemmSmall.Run(a, lda, transA, b, ldb, transB, c, ldc, m1 - m0, n0, n1, k, alpha, beta, level);
            return;
        }
        var (sizeA, sizeB) = GemmBlocked.BufferSizes(ks);
        var packA = CacheLine.EnsurePinned(ref t_packA, sizeA + CacheLine.Slack);
        var packB = CacheLine.EnsurePinned(ref t_packB, sizeB + CacheLine.Slack);
        fixed (float* ap = packA, bp = packB)
        {
            GemmBlocked.Run(a, lda, transA, b, ldb, transB, prepacked, c, ldc, m0, m1, n0, n1, k, alpha, beta, ks,
                CacheLine.Align(ap), CacheLine.Align(bp));
        }
    }
}
