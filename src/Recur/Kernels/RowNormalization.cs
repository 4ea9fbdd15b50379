using System.Runtime.Intrinsics;

namespace Recur.Kernels;

/// <summary>
/// Layer norm and RMS norm over rows: R rows of M contiguous floats, each normalized by its own
/// statistics, with a per-element affine γ, β of length M.
/// Layer norm (Ba et al. 2016, eq. 4): y = (x − μ_r)·r_r·γ + β, r = 1/√(σ²_r + ε), σ² biased.
/// RMS norm (Zhang &amp; Sennrich 2019, eq. 4): y = x·r_r·γ, r = 1/√(mean(x²) + ε) (β = 0).
/// Statistics are accumulated in double (two-pass for layer norm). Rows run in parallel; the
/// affine gradients are summed over fixed chunks of <see cref="ChunkRows"/> rows (in float for
/// at most <see cref="FoldRows"/> rows, then in double) and the chunks added in order, so the
/// result does not depend on the thread count.
/// </summary>
internal static unsafe class RowNormalization
{
    /// <summary>Rows per chunk of the affine-gradient reduction.</summary>
    public const int ChunkRows = 256;

    /// <summary>Rows summed in float before a chunk's sums move to double.</summary>
    public const int FoldRows = 16;

    /// <summary>Chunks for <paramref name="rows"/> rows.</summary>
    public static int Chunks(int rows) => (rows + ChunkRows - 1) / ChunkRows;

    /// <summary>Scratch elements <see cref="Backward"/> needs, both in doubles and in floats.</summary>
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
            var args = new Args(rows, length, px, py, null, pg, pb, pm, pv, pr, null, null, centered, eps);
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
        bool centered, ReadOnlySpan<double> mean, ReadOnlySpan<double> rstd, Span<float> gammaGrad, Span<float> betaGrad,
        Span<double> sums, Span<float> floatSums)
    {
        int need = ScratchLength(rows, length);
        if (sums.Length < need || floatSums.Length < need) throw new ArgumentException($"Scratch needs {need} elements.", nameof(sums));
        fixed (float* pdy = dy, px = x, pdx = dx, pg = gamma, pf = floatSums)
        fixed (double* pm = mean, pr = rstd, ps = sums)
        {
            var args = new Args(rows, length, px, pdx, pdy, pg, null, pm, null, pr, ps, pf, centered, 0);
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
        double* mean, double* variance, double* rstd, double* sums, float* floatSums, bool centered, double eps)
    {
        public readonly int Rows = rows, Length = length;
        /// <summary>Output is y in the forward pass and dx in the backward pass.</summary>
        public readonly float* X = x, Output = output, Dy = dy, Gamma = gamma, Beta = beta, FloatSums = floatSums;
        public readonly double* Mean = mean, Variance = variance, Rstd = rstd, Sums = sums;
        public readonly bool Centered = centered;
        public readonly double Eps = eps;
    }

    private readonly struct ForwardWork<W, V>(Args a) : IRangeWork where W : struct, IVectorWidth<V> where V : struct
    {
        public void Run(int start, int end)
        {
            int n = a.Length;
            for (int r = start; r < end; r++)
            {
                float* xr = a.X + (long)r * n;
                double mu = a.Centered ? SegmentOps<W, V>.Sum(xr, n) / n : 0;
                float mf = (float)mu;
                // Σ(x − m)² = Σ(x − μ)² + n(μ − m)² for the float-rounded m: remove the second term.
                double shift = mu - mf;
                double variance = Math.Max(0, SegmentOps<W, V>.SumSquaredDeviations(xr, n, mf) / n - shift * shift);
                double rstd = 1 / Math.Sqrt(variance + a.Eps);
                a.Mean[r] = mu;
                a.Variance[r] = variance;
                a.Rstd[r] = rstd;
                SegmentOps<W, V>.NormalizeAffine(xr, a.Gamma, a.Beta, a.Output + (long)r * n, n, mf, (float)rstd);
            }
        }
    }

    private readonly struct BackwardWork<W, V>(Args a) : IRangeWork where W : struct, IVectorWidth<V> where V : struct
    {
        public void Run(int start, int end)
        {
            int n = a.Length;
            long chunks = Chunks(a.Rows);
            for (int ch = start; ch < end; ch++)
            {
                double* dg = a.Sums + ch * (long)n, db = dg + chunks * n;
                float* fg = a.FloatSums + ch * (long)n, fb = fg + chunks * n;
                new Span<double>(dg, n).Clear();
                new Span<double>(db, n).Clear();
                new Span<float>(fg, n).Clear();
                new Span<float>(fb, n).Clear();
                int r0 = ch * ChunkRows, r1 = Math.Min(a.Rows, r0 + ChunkRows);
                for (int r = r0; r < r1; r++)
                {
                    long o = (long)r * n;
                    float m = (float)a.Mean[r], rs = (float)a.Rstd[r];
                    var (s1, s2) = SegmentOps<W, V>.AffineBackwardSums(a.Dy + o, a.X + o, a.Gamma, n, m);
                    float m1 = a.Centered ? (float)(s1 / n) : 0f, m2 = (float)(s2 * rs / n);
                    SegmentOps<W, V>.AffineBackwardApply(a.Dy + o, a.X + o, a.Gamma, a.Output + o, fg, fb, n, m, rs, m1, m2);
                    if ((r - r0) % FoldRows == FoldRows - 1 || r == r1 - 1) Fold(fg, fb, dg, db, n);
                }
            }
        }

        private static void Fold(float* fg, float* fb, double* dg, double* db, int n)
        {
            for (int j = 0; j < n; j++)
            {
                dg[j] += fg[j];
                db[j] += fb[j];
                fg[j] = fb[j] = 0;
            }
        }
    }
}
