using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Recur.Kernels;

/// <summary>
/// Batch norm's layout: group g is channel g, made of N segments of L floats that lie C·L floats
/// apart (N batch, C channels, L length). Walking one channel's segments jumps a multiple of
/// 4 KB each time, so they share L1 sets and evict each other, and the hardware prefetchers
/// cannot follow. These passes walk memory in order instead: sample by sample, and within a
/// sample channel by channel, with per-channel accumulators. Each channel's sums still run
/// over its segments in sample order, so the results do not depend on the thread count.
/// </summary>
internal static unsafe partial class SegmentNormalization
{
    /// <summary>Channels whose per-channel constants one pass keeps on the stack.</summary>
    private const int StridedBlock = 128;

    private static void StridedForward(Args args, int threads)
    {
        CheckStrided(args.Layout);
        switch (Simd.Level)
        {
            case SimdLevel.Vector512: ParallelRanges.For(args.Layout.Groups, threads, new StridedForwardWork<Width512, Vector512<float>>(args)); break;
            case SimdLevel.Vector256: ParallelRanges.For(args.Layout.Groups, threads, new StridedForwardWork<Width256, Vector256<float>>(args)); break;
            case SimdLevel.Vector128: ParallelRanges.For(args.Layout.Groups, threads, new StridedForwardWork<Width128, Vector128<float>>(args)); break;
            default: ParallelRanges.For(args.Layout.Groups, threads, new StridedForwardWork<Width1, float>(args)); break;
        }
    }

    private static void StridedBackward(Args args, int threads)
    {
        CheckStrided(args.Layout);
        switch (Simd.Level)
        {
            case SimdLevel.Vector512: ParallelRanges.For(args.Layout.Groups, threads, new StridedBackwardWork<Width512, Vector512<float>>(args)); break;
            case SimdLevel.Vector256: ParallelRanges.For(args.Layout.Groups, threads, new StridedBackwardWork<Width256, Vector256<float>>(args)); break;
            case SimdLevel.Vector128: ParallelRanges.For(args.Layout.Groups, threads, new StridedBackwardWork<Width128, Vector128<float>>(args)); break;
            default: ParallelRanges.For(args.Layout.Groups, threads, new StridedBackwardWork<Width1, float>(args)); break;
        }
    }

    /// <summary>Strided layouts are batch norm's: one channel per group, channel g for group g.</summary>
    private static void CheckStrided(SegmentLayout layout)
    {
        if (layout.ChannelsPerGroup != 1 || layout.Channels != layout.Groups)
            throw new ArgumentException("A strided layout has one group per channel.");
    }

    private readonly struct StridedForwardWork<W, V>(Args a) : IRangeWork where W : struct, IVectorWidth<V> where V : struct
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Run(int start, int end)
        {
            var l = a.Layout;
            var mean = stackalloc float[StridedBlock];
            var scale = stackalloc float[StridedBlock];
            var shift = stackalloc float[StridedBlock];
            for (int b0 = start; b0 < end; b0 += StridedBlock)
            {
                int b1 = Math.Min(end, b0 + StridedBlock);
                if (a.Flag) Statistics(b0, b1);
                for (int g = b0; g < b1; g++)
                {
                    float r = ScalarConvert.ToFloat(a.Rstd[g]);
                    mean[g - b0] = ScalarConvert.ToFloat(a.Mean[g]);
                    scale[g - b0] = a.Gamma == null ? r : r * a.Gamma[g];
                    shift[g - b0] = a.Beta == null ? 0f : a.Beta[g];
                }
                for (int k = 0; k < l.Segments; k++)
                    for (int g = b0; g < b1; g++)
                    {
                        long o = (long)g * l.GroupStride + (long)k * l.SegmentStride;
                        SegmentOps<W, V>.Normalize(a.X + o, a.Output + o, l.Length, mean[g - b0], scale[g - b0], shift[g - b0]);
                    }
            }
        }

        /// <summary>
        /// Mean, biased variance and 1/√(variance + ε) of channels [b0, b1). Each segment is read
        /// twice while it is in L1 (sum, then squared deviations from its own mean: two-pass
        /// accuracy) and the segments are combined exactly in double (Chan, Golub &amp; LeVeque
        /// 1983): Σ(x − μ)² = Σ_k q_k + Σ_k L·(m_k − μ)². The segment sums are taken around the
        /// channel's first value K, so the float partial sums keep their digits however far the
        /// data lie from 0 (the second term needs the segment means to first order). Mean,
        /// Variance and Rstd hold Σd_k, Σq_k and Σd_k² (d_k = m_k − K) until the end.
        /// </summary>
        private void Statistics(int b0, int b1)
        {
            var l = a.Layout;
            int length = l.Length;
            double inverseLength = 1.0 / length, inverse = 1.0 / l.GroupSize;
            for (int g = b0; g < b1; g++) a.Mean[g] = a.Variance[g] = a.Rstd[g] = 0;
            for (int k = 0; k < l.Segments; k++)
                for (int g = b0; g < b1; g++)
                {
                    float* xs = a.X + (long)g * l.GroupStride + (long)k * l.SegmentStride;
                    float first = a.X[(long)g * l.GroupStride];
                    double d = SegmentOps<W, V>.Sum(xs, length, first) * inverseLength;
                    float mf = ScalarConvert.ToFloat(ScalarConvert.ToDouble(first) + d);
                    // Σ(x − mf)² = Σ(x − m)² + L(m − mf)² for the float-rounded mf: remove the second term.
                    double rounding = d - (ScalarConvert.ToDouble(mf) - ScalarConvert.ToDouble(first));
                    a.Variance[g] += SegmentOps<W, V>.SumSquaredDeviations(xs, length, mf) - length * rounding * rounding;
                    a.Mean[g] += d;
                    a.Rstd[g] += d * d;
                }
            for (int g = b0; g < b1; g++)
            {
                // Σ_k L(m_k − μ)² = L·Σd_k² − M·d̄², d̄ = L·Σd_k / M = μ − K.
                double dbar = a.Mean[g] * length * inverse;
                double variance = Math.Max(0, (a.Variance[g] + length * a.Rstd[g] - l.GroupSize * dbar * dbar) * inverse);
                a.Mean[g] = ScalarConvert.ToDouble(a.X[(long)g * l.GroupStride]) + dbar;
                a.Variance[g] = variance;
                a.Rstd[g] = SegmentOps<W, V>.Rstd(variance, a.Eps);
            }
        }
    }

    private readonly struct StridedBackwardWork<W, V>(Args a) : IRangeWork where W : struct, IVectorWidth<V> where V : struct
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Run(int start, int end)
        {
            var l = a.Layout;
            double inverse = 1.0 / l.GroupSize;
            var mean = stackalloc float[StridedBlock];
            var scale = stackalloc float[StridedBlock];
            var slope = stackalloc float[StridedBlock];
            var offset = stackalloc float[StridedBlock];
            // Per channel: Σ dy·x̂ (for γ) and Σ dy (for β), as in the contiguous path with D = 1.
            double* sg = a.Scratch;
            double* sb = a.Scratch + l.Groups;
            for (int b0 = start; b0 < end; b0 += StridedBlock)
            {
                int b1 = Math.Min(end, b0 + StridedBlock);
                for (int g = b0; g < b1; g++)
                {
                    sg[g] = sb[g] = 0;
                    mean[g - b0] = ScalarConvert.ToFloat(a.Mean[g]);
                }
                for (int k = 0; k < l.Segments; k++)
                    for (int g = b0; g < b1; g++)
                    {
                        long o = (long)g * l.GroupStride + (long)k * l.SegmentStride;
                        var (s1, s2) = SegmentOps<W, V>.BackwardSums(a.Dy + o, a.X + o, l.Length, mean[g - b0]);
                        sb[g] += s1;
                        sg[g] += s2;
                    }
                for (int g = b0; g < b1; g++)
                {
                    double r = a.Rstd[g];
                    sg[g] *= r;
                    // mean(dx̂) and mean(dx̂·x̂) over the channel, dx̂ = γ·dy; then
                    // dx = r·γ·dy − r²·m2·(x − μ) − r·m1.
                    double gamma = a.Gamma == null ? 1 : ScalarConvert.ToDouble(a.Gamma[g]);
                    double m1 = a.Flag ? gamma * sb[g] * inverse : 0, m2 = a.Flag ? gamma * sg[g] * inverse : 0;
                    scale[g - b0] = ScalarConvert.ToFloat(r * gamma);
                    slope[g - b0] = ScalarConvert.ToFloat(-r * r * m2);
                    offset[g - b0] = ScalarConvert.ToFloat(-r * m1);
                }
                for (int k = 0; k < l.Segments; k++)
                    for (int g = b0; g < b1; g++)
                    {
                        long o = (long)g * l.GroupStride + (long)k * l.SegmentStride;
                        SegmentOps<W, V>.BackwardApply(a.Dy + o, a.X + o, a.Output + o, l.Length, mean[g - b0], scale[g - b0], slope[g - b0], offset[g - b0]);
                    }
            }
        }
    }
}
