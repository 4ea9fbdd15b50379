using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Recur.Kernels;

/// <summary>
/// Layer norm and RMS norm over rows: R rows of M contiguous floats, each normalized by its own
/// statistics, with a per-element affine γ, β of length M.
/// Layer norm (Ba et al. 2016, eq. 4): y = (x − μ_r)·r_r·γ + β, r = 1/√(σ²_r + ε), σ² biased.
/// RMS norm (Zhang &amp; Sennrich 2019, eq. 4): y = x·r_r·γ, r = 1/√(mean(x²) + ε) (β = 0).
/// Statistics are accumulated in double (two-pass for layer norm). Rows run in parallel; the
/// affine gradients are summed over fixed chunks of <see cref="ChunkRows"/> rows (in float over
/// a tile of 8 rows, then in double) and the chunks added in order, so the result does not
/// depend on the thread count.
/// </summary>
internal static unsafe class RowNormalization
{
    /// <summary>Rows per chunk of the affine-gradient reduction.</summary>
    public const int ChunkRows = 256;

    /// <summary>Rows per tile: each phase of a pass runs over a tile before the next phase starts.</summary>
    private const int Tile = 8;

    /// <summary>Chunks for <paramref name="rows"/> rows.</summary>
    public static int Chunks(int rows) => (rows + ChunkRows - 1) / ChunkRows;

    /// <summary>Doubles of scratch <see cref="Backward"/> needs.</summary>
    public static int ScratchLength(int rows, int length) => 2 * Chunks(rows) * length;

    /// <summary>
    /// y = (x − mean_r)·rstd_r·γ + β. Centered (layer norm): mean and biased variance per row.
    /// Uncentered (RMS norm): mean = 0 and variance holds the mean square. γ and β have length M.
    /// </summary>
    public static void Forward(ReadOnlySpan<float> x, Span<float> y, int rows, int length, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta,
        bool centered, double eps, Span<double> mean, Span<double> variance, Span<double> rstd)
    {
        fixed (float* px = x, py = y, pg = gamma, pb = beta)
        fixed (double* pm = mean, pv = variance, pr = rstd)
        {
            var args = new Args(rows, length, px, py, null, pg, pb, pm, pv, pr, null, centered, eps);
            int threads = ParallelRanges.ThreadsFor((long)rows * length);
            switch (Simd.Level)
            {
                case SimdLevel.Vector512: ParallelRanges.For(rows, threads, new ForwardWork<Width512, Vector512<float>>(args)); break;
                case SimdLevel.Vector256: ParallelRanges.For(rows, threads, new ForwardWork<Width256, Vector256<float>>(args)); break;
                case SimdLevel.Vector128: ParallelRanges.For(rows, threads, new ForwardWork<Width128, Vector128<float>>(args)); break;
                default: ParallelRanges.For(rows, threads, new ForwardWork<Width1, float>(args)); break;
            }
        }
    }

    /// <summary>
    /// dx = r·(dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂)) with dx̂ = γ·dy, x̂ = (x − mean)·r (the
    /// mean(dx̂) term only when centered); adds Σ_r dy·x̂ to <paramref name="gammaGrad"/> and
    /// Σ_r dy to <paramref name="betaGrad"/> (either may be empty). dx may alias dy.
    /// </summary>
    public static void Backward(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, Span<float> dx, int rows, int length, ReadOnlySpan<float> gamma,
        bool centered, ReadOnlySpan<double> mean, ReadOnlySpan<double> rstd, Span<float> gammaGrad, Span<float> betaGrad, Span<double> sums)
    {
        int need = ScratchLength(rows, length);
        if (sums.Length < need) throw new ArgumentException($"Scratch needs {need} doubles.", nameof(sums));
        fixed (float* pdy = dy, px = x, pdx = dx, pg = gamma)
        fixed (double* pm = mean, pr = rstd, ps = sums)
        {
            var args = new Args(rows, length, px, pdx, pdy, pg, null, pm, null, pr, ps, centered, 0);
            int chunks = Chunks(rows);
            int threads = ParallelRanges.ThreadsFor((long)rows * length);
            switch (Simd.Level)
            {
                case SimdLevel.Vector512: ParallelRanges.For(chunks, threads, new BackwardWork<Width512, Vector512<float>>(args)); break;
                case SimdLevel.Vector256: ParallelRanges.For(chunks, threads, new BackwardWork<Width256, Vector256<float>>(args)); break;
                case SimdLevel.Vector128: ParallelRanges.For(chunks, threads, new BackwardWork<Width128, Vector128<float>>(args)); break;
                default: ParallelRanges.For(chunks, threads, new BackwardWork<Width1, float>(args)); break;
            }
            AddChunks(ps, chunks, length, gammaGrad);
            AddChunks(ps + (long)chunks * length, chunks, length, betaGrad);
        }
    }

    /// <summary>grad_j += Σ over chunks, in order, of the chunk's sum for element j.</summary>
    private static void AddChunks(double* chunkSums, int chunks, int length, Span<float> grad)
    {
        if (grad.IsEmpty) return;
        for (int j = 0; j < length; j++)
        {
            double total = 0;
            for (int ch = 0; ch < chunks; ch++) total += chunkSums[(long)ch * length + j];
            grad[j] += (float)total;
        }
    }

    private readonly struct Args(int rows, int length, float* x, float* output, float* dy, float* gamma, float* beta,
        double* mean, double* variance, double* rstd, double* sums, bool centered, double eps)
    {
        public readonly int Rows = rows, Length = length;
        /// <summary>Output is y in the forward pass and dx in the backward pass.</summary>
        public readonly float* X = x, Output = output, Dy = dy, Gamma = gamma, Beta = beta;
        public readonly double* Mean = mean, Variance = variance, Rstd = rstd, Sums = sums;
        public readonly bool Centered = centered;
        public readonly double Eps = eps;
    }

    private readonly struct ForwardWork<W, V>(Args a) : IRangeWork where W : struct, IVectorWidth<V> where V : struct
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Run(int start, int end)
        {
            int n = a.Length;
            double inverse = 1.0 / n;
            // Each phase runs over a tile of rows, so that the rows' dependent chains (sum → mean →
            // squared deviations → variance → 1/√) overlap instead of running one after another.
            for (int t0 = start; t0 < end; t0 += Tile)
            {
                int t1 = Math.Min(end, t0 + Tile);
                for (int r = t0; r < t1; r++)
                    a.Mean[r] = a.Centered ? SegmentOps<W, V>.ShiftedMean(a.X + (long)r * n, n, inverse) : 0;
                for (int r = t0; r < t1; r++)
                {
                    double variance = SegmentOps<W, V>.Variance(a.X + (long)r * n, n, a.Mean[r], inverse);
                    a.Variance[r] = variance;
                    a.Rstd[r] = SegmentOps<W, V>.Rstd(variance, a.Eps);
                }
                for (int r = t0; r < t1; r++)
                    SegmentOps<W, V>.NormalizeAffine(a.X + (long)r * n, a.Gamma, a.Beta, a.Output + (long)r * n, n, ScalarConvert.ToFloat(a.Mean[r]), ScalarConvert.ToFloat(a.Rstd[r]));
            }
        }
    }

    private readonly struct BackwardWork<W, V>(Args a) : IRangeWork where W : struct, IVectorWidth<V> where V : struct
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Run(int start, int end)
        {
            int n = a.Length;
            long chunks = Chunks(a.Rows);
            double inverse = 1.0 / n;
            // Per row of the tile: mean, r, mean(dx̂) and mean(dx̂·x̂), as floats.
            var mean = stackalloc float[Tile];
            var rstd = stackalloc float[Tile];
            var m1 = stackalloc float[Tile];
            var m2 = stackalloc float[Tile];
            for (int ch = start; ch < end; ch++)
            {
                double* dg = a.Sums + ch * (long)n, db = dg + chunks * n;
                new Span<double>(dg, n).Clear();
                new Span<double>(db, n).Clear();
                int r0 = ch * ChunkRows, r1 = Math.Min(a.Rows, r0 + ChunkRows);
                for (int t0 = r0; t0 < r1; t0 += Tile)
                {
                    int t1 = Math.Min(r1, t0 + Tile);
                    for (int r = t0; r < t1; r++)
                    {
                        long o = (long)r * n;
                        float m = mean[r - t0] = ScalarConvert.ToFloat(a.Mean[r]);
                        rstd[r - t0] = ScalarConvert.ToFloat(a.Rstd[r]);
                        var (s1, s2) = SegmentOps<W, V>.AffineBackwardSums(a.Dy + o, a.X + o, a.Gamma, n, m);
                        m1[r - t0] = a.Centered ? ScalarConvert.ToFloat(s1 * inverse) : 0f;
                        m2[r - t0] = ScalarConvert.ToFloat(s2 * a.Rstd[r] * inverse);
                    }
                    long to = (long)t0 * n;
                    SegmentOps<W, V>.AffineBackwardTile(a.Dy + to, a.X + to, a.Gamma, a.Output + to, dg, db, n, t1 - t0, mean, rstd, m1, m2);
                }
            }
        }
    }
}
