using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Recur.Kernels;

/// <summary>
/// Batch norm of (N, C) input (N batch, C channels; the segments are single floats): the
/// statistics are column sums, so every pass runs down the rows with vectors across channels,
/// in blocks of <see cref="ColumnBlock"/> channels. Sums add in float for
/// <see cref="FoldRows"/> rows, then in double; the mean pass sums around the first row (so
/// the float sums keep their digits) and the variance pass is the second of a two-pass
/// variance. Each channel's sums run over the rows in order, so the results do not depend on
/// the thread count.
/// </summary>
internal static unsafe partial class SegmentNormalization
{
    /// <summary>Channels one pass keeps its per-channel constants for, on the stack.</summary>
    private const int ColumnBlock = 256;

    /// <summary>Rows summed in float before the sums move to double.</summary>
    private const int FoldRows = 16;

    /// <summary>
    /// Channels per unit of parallel work: a multiple of every vector width, so that a thread's
    /// range never ends inside a vector and only the last channels take the scalar tail (whose
    /// rounding differs), whatever the thread count.
    /// </summary>
    private const int ColumnUnit = 64;

    private static int ColumnUnits(SegmentLayout layout) => (layout.Groups + ColumnUnit - 1) / ColumnUnit;

    private static bool IsColumns(SegmentLayout layout) => layout.Length == 1 && layout.SegmentStride != 1;

    private static void ColumnForward(Args args, int threads)
    {
        CheckStrided(args.Layout);
        switch (Simd.Level)
        {
            case SimdLevel.Vector512: ParallelRanges.For(ColumnUnits(args.Layout), threads, new ColumnForwardWork<Width512, Vector512<float>>(args)); break;
            case SimdLevel.Vector256: ParallelRanges.For(ColumnUnits(args.Layout), threads, new ColumnForwardWork<Width256, Vector256<float>>(args)); break;
            case SimdLevel.Vector128: ParallelRanges.For(ColumnUnits(args.Layout), threads, new ColumnForwardWork<Width128, Vector128<float>>(args)); break;
            default: ParallelRanges.For(ColumnUnits(args.Layout), threads, new ColumnForwardWork<Width1, float>(args)); break;
        }
    }

    private static void ColumnBackward(Args args, int threads)
    {
        CheckStrided(args.Layout);
        switch (Simd.Level)
        {
            case SimdLevel.Vector512: ParallelRanges.For(ColumnUnits(args.Layout), threads, new ColumnBackwardWork<Width512, Vector512<float>>(args)); break;
            case SimdLevel.Vector256: ParallelRanges.For(ColumnUnits(args.Layout), threads, new ColumnBackwardWork<Width256, Vector256<float>>(args)); break;
            case SimdLevel.Vector128: ParallelRanges.For(ColumnUnits(args.Layout), threads, new ColumnBackwardWork<Width128, Vector128<float>>(args)); break;
            default: ParallelRanges.For(ColumnUnits(args.Layout), threads, new ColumnBackwardWork<Width1, float>(args)); break;
        }
    }

    private readonly struct ColumnForwardWork<W, V>(Args a) : IRangeWork where W : struct, IVectorWidth<V> where V : struct
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Run(int startUnit, int endUnit)
        {
            var l = a.Layout;
            int start = startUnit * ColumnUnit, end = Math.Min(l.Groups, endUnit * ColumnUnit);
            long stride = l.SegmentStride;
            var center = stackalloc float[ColumnBlock];   // the first row, then the float means
            var scale = stackalloc float[ColumnBlock];
            var shift = stackalloc float[ColumnBlock];
            var acc = stackalloc float[ColumnBlock];
            for (int b0 = start; b0 < end; b0 += ColumnBlock)
            {
                int n = Math.Min(end, b0 + ColumnBlock) - b0;
                float* x0 = a.X + b0;
                double* mean = a.Mean + b0, variance = a.Variance + b0;
                if (a.Flag)
                {
                    double inverse = 1.0 / l.Segments;
                    new Span<float>(center, n).Clear();
                    ColumnOps<W, V>.Add(x0, center, n);
                    SumRows(x0, stride, center, acc, mean, n, squares: false);
                    for (int j = 0; j < n; j++)
                    {
                        double mu = ScalarConvert.ToDouble(center[j]) + mean[j] * inverse;
                        mean[j] = mu;
                        center[j] = ScalarConvert.ToFloat(mu);
                    }
                    SumRows(x0, stride, center, acc, variance, n, squares: true);
                    for (int j = 0; j < n; j++)
                    {
                        // Σ(x − m)² = Σ(x − μ)² + N(μ − m)² for the float-rounded m: remove the second term.
                        double rounding = mean[j] - ScalarConvert.ToDouble(center[j]);
                        variance[j] = Math.Max(0, variance[j] * inverse - rounding * rounding);
                        a.Rstd[b0 + j] = SegmentOps<W, V>.Rstd(variance[j], a.Eps);
                    }
                }
                for (int j = 0; j < n; j++)
                {
                    float r = ScalarConvert.ToFloat(a.Rstd[b0 + j]);
                    center[j] = ScalarConvert.ToFloat(mean[j]);
                    scale[j] = a.Gamma == null ? r : r * a.Gamma[b0 + j];
                    shift[j] = a.Beta == null ? 0f : a.Beta[b0 + j];
                }
                for (int k = 0; k < l.Segments; k++)
                    ColumnOps<W, V>.Normalize(x0 + k * stride, center, scale, shift, a.Output + b0 + k * stride, n);
            }
        }

        /// <summary>sums[j] = Σ_rows (x − c_j), or Σ_rows (x − c_j)² with <paramref name="squares"/>.</summary>
        private void SumRows(float* x0, long stride, float* c, float* acc, double* sums, int n, bool squares)
        {
            new Span<float>(acc, n).Clear();
            new Span<double>(sums, n).Clear();
            int rows = a.Layout.Segments;
            for (int k = 0; k < rows; k++)
            {
                if (squares) ColumnOps<W, V>.AddSquaredDeviations(x0 + k * stride, c, acc, n);
                else ColumnOps<W, V>.AddDeviations(x0 + k * stride, c, acc, n);
                if (k % FoldRows == FoldRows - 1 || k == rows - 1) ColumnOps<W, V>.Fold(acc, sums, n);
            }
        }
    }

    private readonly struct ColumnBackwardWork<W, V>(Args a) : IRangeWork where W : struct, IVectorWidth<V> where V : struct
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Run(int startUnit, int endUnit)
        {
            var l = a.Layout;
            int start = startUnit * ColumnUnit, end = Math.Min(l.Groups, endUnit * ColumnUnit);
            long stride = l.SegmentStride;
            int rows = l.Segments;
            double inverse = 1.0 / rows;
            var mean = stackalloc float[ColumnBlock];
            var scale = stackalloc float[ColumnBlock];
            var slope = stackalloc float[ColumnBlock];
            var offset = stackalloc float[ColumnBlock];
            var acc1 = stackalloc float[ColumnBlock];
            var acc2 = stackalloc float[ColumnBlock];
            for (int b0 = start; b0 < end; b0 += ColumnBlock)
            {
                int n = Math.Min(end, b0 + ColumnBlock) - b0;
                // Per channel: Σ dy·x̂ (for γ) and Σ dy (for β), as in the contiguous path with D = 1.
                double* sg = a.Scratch + b0;
                double* sb = a.Scratch + l.Groups + b0;
                for (int j = 0; j < n; j++) mean[j] = ScalarConvert.ToFloat(a.Mean[b0 + j]);
                new Span<float>(acc1, n).Clear();
                new Span<float>(acc2, n).Clear();
                new Span<double>(sg, n).Clear();
                new Span<double>(sb, n).Clear();
                for (int k = 0; k < rows; k++)
                {
                    long o = b0 + k * stride;
                    ColumnOps<W, V>.AddBackwardSums(a.Dy + o, a.X + o, mean, acc1, acc2, n);
                    if (k % FoldRows == FoldRows - 1 || k == rows - 1)
                    {
                        ColumnOps<W, V>.Fold(acc1, sb, n);
                        ColumnOps<W, V>.Fold(acc2, sg, n);
                    }
                }
                for (int j = 0; j < n; j++)
                {
                    double r = a.Rstd[b0 + j];
                    sg[j] *= r;
                    // dx = r·γ·dy − r²·m2·(x − μ) − r·m1 with m1 = mean(dx̂), m2 = mean(dx̂·x̂), dx̂ = γ·dy.
                    double gamma = a.Gamma == null ? 1 : ScalarConvert.ToDouble(a.Gamma[b0 + j]);
                    double m1 = a.Flag ? gamma * sb[j] * inverse : 0, m2 = a.Flag ? gamma * sg[j] * inverse : 0;
                    scale[j] = ScalarConvert.ToFloat(r * gamma);
                    slope[j] = ScalarConvert.ToFloat(-r * r * m2);
                    offset[j] = ScalarConvert.ToFloat(-r * m1);
                }
                for (int k = 0; k < rows; k++)
                {
                    long o = b0 + k * stride;
                    ColumnOps<W, V>.Apply(a.Dy + o, a.X + o, mean, scale, slope, offset, a.Output + o, n);
                }
            }
        }
    }

    /// <summary>Loops across one row of a channel block: element j belongs to channel j.</summary>
    private static class ColumnOps<W, V> where W : struct, IVectorWidth<V> where V : struct
    {
        /// <summary>acc_j += x_j.</summary>
        public static void Add(float* x, float* acc, int n)
        {
            int j = 0, c = W.Count;
            for (; j + c <= n; j += c) W.Store(W.Add(W.Load(acc + j), W.Load(x + j)), acc + j);
            for (; j < n; j++) acc[j] += x[j];
        }

        /// <summary>acc_j += x_j − c_j.</summary>
        public static void AddDeviations(float* x, float* center, float* acc, int n)
        {
            int j = 0, c = W.Count;
            for (; j + c <= n; j += c) W.Store(W.Add(W.Load(acc + j), W.Subtract(W.Load(x + j), W.Load(center + j))), acc + j);
            for (; j < n; j++) acc[j] += x[j] - center[j];
        }

        /// <summary>acc_j += (x_j − c_j)².</summary>
        public static void AddSquaredDeviations(float* x, float* center, float* acc, int n)
        {
            int j = 0, c = W.Count;
            for (; j + c <= n; j += c)
            {
                V d = W.Subtract(W.Load(x + j), W.Load(center + j));
                W.Store(W.MultiplyAdd(d, d, W.Load(acc + j)), acc + j);
            }
            for (; j < n; j++)
            {
                float d = x[j] - center[j];
                acc[j] += d * d;
            }
        }

        /// <summary>s1_j += dy_j; s2_j += dy_j·(x_j − mean_j).</summary>
        public static void AddBackwardSums(float* dy, float* x, float* mean, float* s1, float* s2, int n)
        {
            int j = 0, c = W.Count;
            for (; j + c <= n; j += c)
            {
                V g = W.Load(dy + j);
                W.Store(W.Add(W.Load(s1 + j), g), s1 + j);
                W.Store(W.MultiplyAdd(g, W.Subtract(W.Load(x + j), W.Load(mean + j)), W.Load(s2 + j)), s2 + j);
            }
            for (; j < n; j++)
            {
                s1[j] += dy[j];
                s2[j] += dy[j] * (x[j] - mean[j]);
            }
        }

        /// <summary>y_j = (x_j − mean_j)·scale_j + shift_j.</summary>
        public static void Normalize(float* x, float* mean, float* scale, float* shift, float* y, int n)
        {
            int j = 0, c = W.Count;
            for (; j + c <= n; j += c)
                W.Store(W.MultiplyAdd(W.Subtract(W.Load(x + j), W.Load(mean + j)), W.Load(scale + j), W.Load(shift + j)), y + j);
            for (; j < n; j++) y[j] = (x[j] - mean[j]) * scale[j] + shift[j];
        }

        /// <summary>dx_j = scale_j·dy_j + slope_j·(x_j − mean_j) + offset_j.</summary>
        public static void Apply(float* dy, float* x, float* mean, float* scale, float* slope, float* offset, float* dx, int n)
        {
            int j = 0, c = W.Count;
            for (; j + c <= n; j += c)
            {
                V t = W.MultiplyAdd(W.Load(slope + j), W.Subtract(W.Load(x + j), W.Load(mean + j)), W.Load(offset + j));
                W.Store(W.MultiplyAdd(W.Load(scale + j), W.Load(dy + j), t), dx + j);
            }
            for (; j < n; j++) dx[j] = scale[j] * dy[j] + (slope[j] * (x[j] - mean[j]) + offset[j]);
        }

        /// <summary>sums_j += acc_j (in double), then acc_j = 0.</summary>
        public static void Fold(float* acc, double* sums, int n)
        {
            int j = 0, c = W.Count;
            for (; j + c <= n; j += c)
            {
                W.AddWidened(W.Load(acc + j), sums + j);
                W.Store(W.Zero, acc + j);
            }
            for (; j < n; j++)
            {
                sums[j] += acc[j];
                acc[j] = 0;
            }
        }
    }
}
