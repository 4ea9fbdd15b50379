using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Recur.Kernels;

/// <summary>
/// Where the statistics groups of batch, instance and group norm lie in a row-major input.
/// A group (one mean and variance) is <see cref="Segments"/> contiguous segments of
/// <see cref="Length"/> floats; segment k of group g starts at g·GroupStride + k·SegmentStride
/// and has channel (g·D mod C) + k mod D, where D = <see cref="ChannelsPerGroup"/> and C =
/// <see cref="Channels"/> (the length of the affine γ and β). For input (N, C, L):
/// batch norm: a group per channel, N segments of L at stride C·L;
/// instance norm: a group per (n, c), one segment of L;
/// group norm with G groups: a group per (n, g), C/G segments of L, one per channel.
/// </summary>
internal readonly record struct SegmentLayout(int Groups, int Segments, int Length, int GroupStride, int SegmentStride, int ChannelsPerGroup, int Channels)
{
    /// <summary>Elements in one group (the n of its mean and variance).</summary>
    public int GroupSize => Segments * Length;

    /// <summary>
    /// The channel of segment 0 of <paramref name="group"/>; segment k has channel
    /// FirstChannel + k mod D (always below C). Loops step it instead of dividing: the next group's
    /// first channel is this one + D, less C when that reaches C (<see cref="NextGroup"/>).
    /// </summary>
    public int FirstChannel(int group) => (int)((long)group * ChannelsPerGroup % Channels);

    /// <summary>The first channel of the group after the one whose first channel is <paramref name="firstChannel"/>.</summary>
    public int NextGroup(int firstChannel)
    {
        int c = firstChannel + ChannelsPerGroup;
        return c >= Channels ? c - Channels : c;
    }

    /// <summary>Batch norm of (N, C, L): statistics per channel over N and L.</summary>
    public static SegmentLayout Batch(int n, int c, int l) => new(c, n, l, l, c * l, 1, c);

    /// <summary>Instance norm of (N, C, L): statistics per (n, c) over L.</summary>
    public static SegmentLayout Instance(int n, int c, int l) => new(n * c, 1, l, l, l, 1, c);

    /// <summary>Group norm of (N, C, L) with <paramref name="groups"/> groups: statistics per (n, g) over C/G channels and L.</summary>
    public static SegmentLayout Grouped(int n, int c, int groups, int l)
    {
        int per = c / groups;
        return new(n * groups, per, l, per * l, l, per, c);
    }
}

/// <summary>
/// Forward and backward passes of batch, instance and group norm over a
/// <see cref="SegmentLayout"/> (Ioffe &amp; Szegedy 2015, Alg. 1; Ulyanov et al. 2016; Wu &amp; He 2018):
/// y = (x − μ_g)·r_g·γ_c + β_c with r_g = 1/√(σ²_g + ε), σ² the biased variance. Statistics have
/// two-pass accuracy and are accumulated in double. Contiguous groups (instance and group norm)
/// are processed in tiles, each pass over a tile before the next; strided ones (batch norm) in
/// memory order (SegmentNormalization.Strided.cs), and single-float segments (batch norm of
/// (N, C)) as columns (SegmentNormalization.Columns.cs). Groups run in parallel; the
/// affine gradients are summed per group first and then over groups in a fixed order, so the
/// result does not depend on the thread count.
/// </summary>
internal static unsafe partial class SegmentNormalization
{
    /// <summary>
    /// Floats per tile (at least one group): each phase of a pass runs over a tile before the next
    /// phase starts, so the tile's input must still be in L1 when the next phase reads it again. The
    /// forward tile (x and y) and the backward one (x, dy and dx: 24 KB) leave room in a 48 KB L1;
    /// tiles of 8 whole groups (48 KB in the backward pass of GroupNorm(32, 256) at L = 64) were
    /// slower. Found by timing 1024, 2048 and 4096 floats for each.
    /// </summary>
    private const int ForwardTileFloats = 1024, BackwardTileFloats = 2048;

    /// <summary>Groups per tile of about <paramref name="floats"/> floats.</summary>
    private static int TileGroups(int floats, SegmentLayout l) => Math.Max(1, floats / l.GroupSize);

    /// <summary>Doubles of scratch <see cref="Backward"/> needs.</summary>
    public static int ScratchLength(SegmentLayout layout) => 2 * layout.Groups * layout.ChannelsPerGroup + 2 * layout.Channels;

    /// <summary>
    /// y = (x − mean_g)·rstd_g·γ_c + β_c. When <paramref name="computeStatistics"/> is true the
    /// group means and biased variances of x are written to <paramref name="mean"/> and
    /// <paramref name="variance"/> and rstd = 1/√(variance + ε); otherwise mean and rstd are
    /// inputs (running statistics) and variance is not touched. γ and β may be empty (no affine).
    /// </summary>
    public static void Forward(ReadOnlySpan<float> x, Span<float> y, SegmentLayout layout, ReadOnlySpan<float> gamma, ReadOnlySpan<float> beta,
        bool computeStatistics, double eps, Span<double> mean, Span<double> variance, Span<double> rstd)
    {
        fixed (float* px = x, py = y, pg = gamma, pb = beta)
        fixed (double* pm = mean, pv = variance, pr = rstd)
        {
            var args = new Args(layout, px, py, null, pg, pb, pm, pv, pr, null, computeStatistics, eps);
            int threads = ParallelRanges.ThreadsFor((long)layout.Groups * layout.GroupSize);
            if (layout.SegmentStride != layout.Length)
            {
                if (IsColumns(layout)) ColumnForward(args, threads);
                else StridedForward(args, threads);
                return;
            }
            switch (Simd.Level)
            {
                case SimdLevel.Vector512: ParallelRanges.For(layout.Groups, threads, new ForwardWork<Width512, Vector512<float>>(args)); break;
                case SimdLevel.Vector256: ParallelRanges.For(layout.Groups, threads, new ForwardWork<Width256, Vector256<float>>(args)); break;
                case SimdLevel.Vector128: ParallelRanges.For(layout.Groups, threads, new ForwardWork<Width128, Vector128<float>>(args)); break;
                default: ParallelRanges.For(layout.Groups, threads, new ForwardWork<Width1, float>(args)); break;
            }
        }
    }

    /// <summary>
    /// dx for the forward above; adds Σ dy·x̂ to <paramref name="gammaGrad"/> and Σ dy to
    /// <paramref name="betaGrad"/> per channel (either may be empty). With
    /// <paramref name="batchStatistics"/> the gradient flows through the mean and variance
    /// (dx = r·(dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂)), dx̂ = γ·dy); without (running statistics) they
    /// are constants and dx = r·γ·dy. dx may alias dy.
    /// </summary>
    public static void Backward(ReadOnlySpan<float> dy, ReadOnlySpan<float> x, Span<float> dx, SegmentLayout layout, ReadOnlySpan<float> gamma,
        bool batchStatistics, ReadOnlySpan<double> mean, ReadOnlySpan<double> rstd, Span<float> gammaGrad, Span<float> betaGrad, Span<double> scratch)
    {
        if (scratch.Length < ScratchLength(layout)) throw new ArgumentException($"Scratch needs {ScratchLength(layout)} doubles.", nameof(scratch));
        fixed (float* pdy = dy, px = x, pdx = dx, pg = gamma)
        fixed (double* pm = mean, pr = rstd, ps = scratch)
        {
            var args = new Args(layout, px, pdx, pdy, pg, null, pm, null, pr, ps, batchStatistics, 0);
            int threads = ParallelRanges.ThreadsFor((long)layout.Groups * layout.GroupSize);
            if (IsColumns(layout)) ColumnBackward(args, threads);
            else if (layout.SegmentStride != layout.Length) StridedBackward(args, threads);
            else switch (Simd.Level)
            {
                case SimdLevel.Vector512: ParallelRanges.For(layout.Groups, threads, new BackwardWork<Width512, Vector512<float>>(args)); break;
                case SimdLevel.Vector256: ParallelRanges.For(layout.Groups, threads, new BackwardWork<Width256, Vector256<float>>(args)); break;
                case SimdLevel.Vector128: ParallelRanges.For(layout.Groups, threads, new BackwardWork<Width128, Vector128<float>>(args)); break;
                default: ParallelRanges.For(layout.Groups, threads, new BackwardWork<Width1, float>(args)); break;
            }
            int per = layout.Groups * layout.ChannelsPerGroup;
            AddPerChannel(layout, ps, gammaGrad, ps + 2 * per);
            AddPerChannel(layout, ps + per, betaGrad, ps + 2 * per + layout.Channels);
        }
    }

    /// <summary>grad_c += Σ over groups, in group order, of the group's contribution to channel c.</summary>
    private static void AddPerChannel(SegmentLayout layout, double* contributions, Span<float> grad, double* accumulator)
    {
        if (grad.IsEmpty) return;
        int d = layout.ChannelsPerGroup;
        new Span<double>(accumulator, layout.Channels).Clear();
        for (int g = 0, c0 = 0; g < layout.Groups; g++, c0 = layout.NextGroup(c0))
            for (int j = 0; j < d; j++)
                accumulator[c0 + j] += contributions[(long)g * d + j];
        for (int c = 0; c < layout.Channels; c++) grad[c] += (float)accumulator[c];
    }

    /// <summary>Pointers and settings shared by the forward and backward work items.</summary>
    private readonly struct Args(SegmentLayout layout, float* x, float* output, float* dy, float* gamma, float* beta,
        double* mean, double* variance, double* rstd, double* scratch, bool flag, double eps)
    {
        public readonly SegmentLayout Layout = layout;
        /// <summary>Output is y in the forward pass and dx in the backward pass.</summary>
        public readonly float* X = x, Output = output, Dy = dy, Gamma = gamma, Beta = beta;
        public readonly double* Mean = mean, Variance = variance, Rstd = rstd, Scratch = scratch;
        /// <summary>Forward: compute statistics. Backward: statistics came from the batch.</summary>
        public readonly bool Flag = flag;
        public readonly double Eps = eps;
    }

    private readonly struct ForwardWork<W, V>(Args a) : IRangeWork where W : struct, IVectorWidth<V> where V : struct
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Run(int start, int end)
        {
            var l = a.Layout;
            int d = l.ChannelsPerGroup;
            int tileChannel = l.FirstChannel(start);
            // Each phase runs over a tile of groups, so that the groups' dependent chains (sum → mean →
            // squared deviations → variance → 1/√) overlap instead of running one after another.
            int tile = TileGroups(ForwardTileFloats, l);
            for (int t0 = start; t0 < end; t0 += tile)
            {
                int t1 = Math.Min(end, t0 + tile);
                if (a.Flag) Statistics(t0, t1);
                int c0 = tileChannel;
                for (int g = t0; g < t1; g++, c0 = l.NextGroup(c0))
                {
                    long go = (long)g * l.GroupStride;
                    float m = ScalarConvert.ToFloat(a.Mean[g]), r = ScalarConvert.ToFloat(a.Rstd[g]);
                    for (int k = 0, j = 0; k < l.Segments; k++, j = j + 1 == d ? 0 : j + 1)
                    {
                        float scale = a.Gamma == null ? r : r * a.Gamma[c0 + j];
                        float shift = a.Beta == null ? 0f : a.Beta[c0 + j];
                        long o = go + (long)k * l.SegmentStride;
                        SegmentOps<W, V>.Normalize(a.X + o, a.Output + o, l.Length, m, scale, shift);
                    }
                }
                tileChannel = c0;
            }
        }

        /// <summary>
        /// Two-pass statistics of groups [t0, t1), each one contiguous run: the sums of the whole tile
        /// first, then the squared deviations, so that the groups' chains overlap.
        /// </summary>
        private void Statistics(int t0, int t1)
        {
            var l = a.Layout;
            int n = l.GroupSize;
            double inverse = 1.0 / n;
            for (int g = t0; g < t1; g++)
                a.Mean[g] = SegmentOps<W, V>.ShiftedMean(a.X + (long)g * l.GroupStride, n, inverse);
            for (int g = t0; g < t1; g++)
            {
                double variance = SegmentOps<W, V>.Variance(a.X + (long)g * l.GroupStride, n, a.Mean[g], inverse);
                a.Variance[g] = variance;
                a.Rstd[g] = SegmentOps<W, V>.Rstd(variance, a.Eps);
            }
        }
    }

    private readonly struct BackwardWork<W, V>(Args a) : IRangeWork where W : struct, IVectorWidth<V> where V : struct
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Run(int start, int end)
        {
            var l = a.Layout;
            int d = l.ChannelsPerGroup;
            double inverse = 1.0 / l.GroupSize;
            int tileChannel = l.FirstChannel(start);
            int tile = TileGroups(BackwardTileFloats, l);
            for (int t0 = start; t0 < end; t0 += tile)
            {
                int t1 = Math.Min(end, t0 + tile);
                // Per channel of each group: Σ dy·x̂ (for γ) and Σ dy (for β).
                for (int g = t0; g < t1; g++)
                {
                    long go = (long)g * l.GroupStride;
                    float m = ScalarConvert.ToFloat(a.Mean[g]);
                    double r = a.Rstd[g];
                    double* sg = a.Scratch + (long)g * d;
                    double* sb = a.Scratch + (long)l.Groups * d + (long)g * d;
                    for (int j = 0; j < d; j++) sg[j] = sb[j] = 0;
                    for (int k = 0, j = 0; k < l.Segments; k++, j = j + 1 == d ? 0 : j + 1)
                    {
                        long o = go + (long)k * l.SegmentStride;
                        var (s1, s2) = SegmentOps<W, V>.BackwardSums(a.Dy + o, a.X + o, l.Length, m);
                        sb[j] += s1;
                        sg[j] += s2 * r;
                    }
                }
                int c0 = tileChannel;
                for (int g = t0; g < t1; g++, c0 = l.NextGroup(c0))
                {
                    double* sg = a.Scratch + (long)g * d;
                    double* sb = a.Scratch + (long)l.Groups * d + (long)g * d;
                    float m = ScalarConvert.ToFloat(a.Mean[g]), r = ScalarConvert.ToFloat(a.Rstd[g]);
                    // mean(dx̂) and mean(dx̂·x̂) over the group, dx̂ = γ·dy.
                    double m1 = 0, m2 = 0;
                    if (a.Flag)
                    {
                        for (int j = 0; j < d; j++)
                        {
                            double gamma = a.Gamma == null ? 1 : ScalarConvert.ToDouble(a.Gamma[c0 + j]);
                            m1 += gamma * sb[j];
                            m2 += gamma * sg[j];
                        }
                        m1 *= inverse;
                        m2 *= inverse;
                    }
                    // dx = r·γ·dy − r²·m2·(x − μ) − r·m1.
                    double rd = ScalarConvert.ToDouble(r);
                    float b = ScalarConvert.ToFloat(-rd * rd * m2), dd = ScalarConvert.ToFloat(-rd * m1);
                    long go = (long)g * l.GroupStride;
                    for (int k = 0, j = 0; k < l.Segments; k++, j = j + 1 == d ? 0 : j + 1)
                    {
                        float scale = a.Gamma == null ? r : r * a.Gamma[c0 + j];
                        long o = go + (long)k * l.SegmentStride;
                        SegmentOps<W, V>.BackwardApply(a.Dy + o, a.X + o, a.Output + o, l.Length, m, scale, b, dd);
                    }
                }
                tileChannel = c0;
            }
        }
    }
}
