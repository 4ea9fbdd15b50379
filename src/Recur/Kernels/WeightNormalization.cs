using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Recur.Kernels;

/// <summary>
/// Weight normalization's kernels (Salimans &amp; Kingma 2016) over a weight of O rows of K
/// floats: w_o = g_o·v_o/‖v_o‖, and its backward pass (docs/theory.md 4.3)
/// ∇g_o += ∇w_o·v_o/‖v_o‖, ∇v_o += (g_o/‖v_o‖)·(∇w_o − v_o·(v_o·∇w_o)/‖v_o‖²). Norms and dot
/// products are accumulated in double. Rows run in parallel; each row's results come from one
/// thread, so they do not depend on the thread count.
/// </summary>
internal static unsafe class WeightNormalization
{
    /// <summary>w_o = g_o·v_o/‖v_o‖; writes ‖v_o‖ to <paramref name="norms"/>.</summary>
    public static void Recompute(ReadOnlySpan<float> v, ReadOnlySpan<float> g, Span<float> w, Span<double> norms, int rows, int rowLength)
    {
        Check(v.Length, w.Length, g.Length, norms.Length, rows, rowLength);
        fixed (float* pv = v, pg = g, pw = w)
        fixed (double* pn = norms)
            Run(new Args(rows, rowLength, pv, pg, pw, null, null, null, pn, forward: true));
    }

    /// <summary>
    /// Adds the gradients of g and v from the gradient dw of w (using the norms of the last
    /// <see cref="Recompute"/>) and clears dw.
    /// </summary>
    public static void Backward(Span<float> dw, ReadOnlySpan<float> v, ReadOnlySpan<float> g, ReadOnlySpan<double> norms,
        Span<float> dv, Span<float> dg, int rows, int rowLength)
    {
        Check(v.Length, dw.Length, g.Length, norms.Length, rows, rowLength);
        if (dv.Length != v.Length || dg.Length != g.Length) throw new ArgumentException("Gradient shapes must match g and v.");
        fixed (float* pv = v, pg = g, pdw = dw, pdv = dv, pdg = dg)
        fixed (double* pn = norms)
            Run(new Args(rows, rowLength, pv, pg, null, pdw, pdv, pdg, pn, forward: false));
    }

    private static void Check(int v, int w, int g, int norms, int rows, int rowLength)
    {
        long n = (long)rows * rowLength;
        if (v != n || w != n || g != rows || norms < rows)
            throw new ArgumentException($"Weight normalization of {rows} rows of {rowLength}: got v {v}, w {w}, g {g}, norms {norms}.");
    }

    private static void Run(Args args)
    {
        int threads = ParallelRanges.ThreadsFor((long)args.Rows * args.RowLength);
        switch (Simd.Level)
        {
            case SimdLevel.Vector512: ParallelRanges.For(args.Rows, threads, new Work<Width512, Vector512<float>>(args)); break;
            case SimdLevel.Vector256: ParallelRanges.For(args.Rows, threads, new Work<Width256, Vector256<float>>(args)); break;
            case SimdLevel.Vector128: ParallelRanges.For(args.Rows, threads, new Work<Width128, Vector128<float>>(args)); break;
            default: ParallelRanges.For(args.Rows, threads, new Work<Width1, float>(args)); break;
        }
    }

    private readonly struct Args(int rows, int rowLength, float* v, float* g, float* w, float* dw, float* dv, float* dg, double* norms, bool forward)
    {
        public readonly int Rows = rows, RowLength = rowLength;
        public readonly float* V = v, G = g, W = w, Dw = dw, Dv = dv, Dg = dg;
        public readonly double* Norms = norms;
        public readonly bool Forward = forward;
    }

    private readonly struct Work<W, V>(Args a) : IRangeWork where W : struct, IVectorWidth<V> where V : struct
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Run(int start, int end)
        {
            int k = a.RowLength;
            for (int o = start; o < end; o++)
            {
                float* v = a.V + (long)o * k;
                if (a.Forward)
                {
                    double norm = Math.Sqrt(SegmentOps<W, V>.Dot(v, v, k));
                    a.Norms[o] = norm;
                    SegmentOps<W, V>.Scale(v, a.W + (long)o * k, k, ScalarConvert.ToFloat(a.G[o] / norm));
                }
                else
                {
                    float* dw = a.Dw + (long)o * k;
                    double norm = a.Norms[o], dot = SegmentOps<W, V>.Dot(dw, v, k), scale = a.G[o] / norm;
                    a.Dg[o] += ScalarConvert.ToFloat(dot / norm);
                    SegmentOps<W, V>.MoveCombination(dw, v, a.Dv + (long)o * k, k, ScalarConvert.ToFloat(scale), ScalarConvert.ToFloat(-scale * dot / (norm * norm)));
                }
            }
        }
    }
}
