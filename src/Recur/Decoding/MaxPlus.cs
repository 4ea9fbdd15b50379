using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Recur.Kernels;

namespace Recur.Decoding;

// N: states; J: the columns one call computes.

/// <summary>
/// The Viterbi inner loop (theory.md 2.2a, c) in log space: for each column j,
/// best[j] = max_i (δ[i] + L[j, i]) and arg[j] = the lowest i attaining it, where L is the
/// transposed log-transition matrix (L[j, i] = log P[i, j]), so the max over i is a contiguous
/// reduction. δ and the sums are double; L is float, widened on load.
/// <para>
/// Vector path: four columns at once share each load of δ; each column keeps a vector of
/// running maxima and a vector of their indices (as doubles), updated by compare-and-select
/// (strict &gt;, so within a lane the first index wins), then lanes are merged preferring the
/// lowest index among equal maxima. Same result bit for bit as <see cref="Reference"/>.
/// </para>
/// </summary>
internal static class MaxPlus
{
    /// <summary>Columns [<paramref name="first"/>, <paramref name="end"/>) of one Viterbi step.</summary>
    public static void Columns(ReadOnlySpan<double> delta, ReadOnlySpan<float> transposed, Span<double> best, Span<int> arg, int n, int first, int end)
    {
        if (delta.Length < n || transposed.Length < (long)end * n || best.Length < end || arg.Length < end)
            throw new ArgumentException("MaxPlus.Columns: a buffer is shorter than the sizes given.");
        int j = first;
        if (Simd.Level == SimdLevel.Vector512 && Avx512F.IsSupported && n >= Vector512<double>.Count)
            for (; j + 4 <= end; j += 4) Four512(delta, transposed, best, arg, n, j);
        else if (Simd.Level >= SimdLevel.Vector256 && Avx.IsSupported && n >= Vector256<double>.Count)
            for (; j + 4 <= end; j += 4) Four256(delta, transposed, best, arg, n, j);
        for (; j < end; j++) best[j] = Scalar(delta, transposed.Slice(j * n, n), 0, double.NegativeInfinity, 0, out arg[j]);
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

    // Continues a column's max from index `from` with strict > (later indices lose ties).
    private static double Scalar(ReadOnlySpan<double> delta, ReadOnlySpan<float> column, int from, double m, int a, out int argmax)
    {
        for (int i = from; i < column.Length; i++)
        {
            double s = delta[i] + column[i];
            if (s > m) (m, a) = (s, i);
        }
        argmax = a;
        return m;
    }

    private static void Four512(ReadOnlySpan<double> delta, ReadOnlySpan<float> transposed, Span<double> best, Span<int> arg, int n, int j)
    {
        ref double d = ref MemoryMarshal.GetReference(delta);
        ref float c0 = ref Unsafe.Add(ref MemoryMarshal.GetReference(transposed), j * n);
        ref float c1 = ref Unsafe.Add(ref c0, n);
        ref float c2 = ref Unsafe.Add(ref c1, n);
        ref float c3 = ref Unsafe.Add(ref c2, n);
        var v0 = Vector512.Create(double.NegativeInfinity);
        var (v1, v2, v3) = (v0, v0, v0);
        var x0 = Vector512<double>.Zero;
        var (x1, x2, x3) = (x0, x0, x0);
        var index = Vector512.Create(0.0, 1, 2, 3, 4, 5, 6, 7);
        var step = Vector512.Create(8.0);
        int i = 0;
        for (; i <= n - 8; i += 8)
        {
            var dv = Vector512.LoadUnsafe(ref d, (nuint)i);
            var s0 = dv + Avx512F.ConvertToVector512Double(Vector256.LoadUnsafe(ref c0, (nuint)i));
            var s1 = dv + Avx512F.ConvertToVector512Double(Vector256.LoadUnsafe(ref c1, (nuint)i));
            var s2 = dv + Avx512F.ConvertToVector512Double(Vector256.LoadUnsafe(ref c2, (nuint)i));
            var s3 = dv + Avx512F.ConvertToVector512Double(Vector256.LoadUnsafe(ref c3, (nuint)i));
            var m0 = Vector512.GreaterThan(s0, v0);
            var m1 = Vector512.GreaterThan(s1, v1);
            var m2 = Vector512.GreaterThan(s2, v2);
            var m3 = Vector512.GreaterThan(s3, v3);
            v0 = Vector512.ConditionalSelect(m0, s0, v0);
            v1 = Vector512.ConditionalSelect(m1, s1, v1);
            v2 = Vector512.ConditionalSelect(m2, s2, v2);
            v3 = Vector512.ConditionalSelect(m3, s3, v3);
            x0 = Vector512.ConditionalSelect(m0, index, x0);
            x1 = Vector512.ConditionalSelect(m1, index, x1);
            x2 = Vector512.ConditionalSelect(m2, index, x2);
            x3 = Vector512.ConditionalSelect(m3, index, x3);
            index += step;
        }
        Finish(delta, transposed, best, arg, n, j, i, v0.GetLower(), v0.GetUpper(), x0.GetLower(), x0.GetUpper());
        Finish(delta, transposed, best, arg, n, j + 1, i, v1.GetLower(), v1.GetUpper(), x1.GetLower(), x1.GetUpper());
        Finish(delta, transposed, best, arg, n, j + 2, i, v2.GetLower(), v2.GetUpper(), x2.GetLower(), x2.GetUpper());
        Finish(delta, transposed, best, arg, n, j + 3, i, v3.GetLower(), v3.GetUpper(), x3.GetLower(), x3.GetUpper());
    }

    private static void Four256(ReadOnlySpan<double> delta, ReadOnlySpan<float> transposed, Span<double> best, Span<int> arg, int n, int j)
    {
        ref double d = ref MemoryMarshal.GetReference(delta);
        ref float c0 = ref Unsafe.Add(ref MemoryMarshal.GetReference(transposed), j * n);
        ref float c1 = ref Unsafe.Add(ref c0, n);
        ref float c2 = ref Unsafe.Add(ref c1, n);
        ref float c3 = ref Unsafe.Add(ref c2, n);
        var v0 = Vector256.Create(double.NegativeInfinity);
        var (v1, v2, v3) = (v0, v0, v0);
        var x0 = Vector256<double>.Zero;
        var (x1, x2, x3) = (x0, x0, x0);
        var index = Vector256.Create(0.0, 1, 2, 3);
        var step = Vector256.Create(4.0);
        int i = 0;
        for (; i <= n - 4; i += 4)
        {
            var dv = Vector256.LoadUnsafe(ref d, (nuint)i);
            var s0 = dv + Avx.ConvertToVector256Double(Vector128.LoadUnsafe(ref c0, (nuint)i));
            var s1 = dv + Avx.ConvertToVector256Double(Vector128.LoadUnsafe(ref c1, (nuint)i));
            var s2 = dv + Avx.ConvertToVector256Double(Vector128.LoadUnsafe(ref c2, (nuint)i));
            var s3 = dv + Avx.ConvertToVector256Double(Vector128.LoadUnsafe(ref c3, (nuint)i));
            var m0 = Vector256.GreaterThan(s0, v0);
            var m1 = Vector256.GreaterThan(s1, v1);
            var m2 = Vector256.GreaterThan(s2, v2);
            var m3 = Vector256.GreaterThan(s3, v3);
            v0 = Vector256.ConditionalSelect(m0, s0, v0);
            v1 = Vector256.ConditionalSelect(m1, s1, v1);
            v2 = Vector256.ConditionalSelect(m2, s2, v2);
            v3 = Vector256.ConditionalSelect(m3, s3, v3);
            x0 = Vector256.ConditionalSelect(m0, index, x0);
            x1 = Vector256.ConditionalSelect(m1, index, x1);
            x2 = Vector256.ConditionalSelect(m2, index, x2);
            x3 = Vector256.ConditionalSelect(m3, index, x3);
            index += step;
        }
        Finish(delta, transposed, best, arg, n, j, i, v0, Vector256.Create(double.NegativeInfinity), x0, Vector256<double>.Zero);
        Finish(delta, transposed, best, arg, n, j + 1, i, v1, Vector256.Create(double.NegativeInfinity), x1, Vector256<double>.Zero);
        Finish(delta, transposed, best, arg, n, j + 2, i, v2, Vector256.Create(double.NegativeInfinity), x2, Vector256<double>.Zero);
        Finish(delta, transposed, best, arg, n, j + 3, i, v3, Vector256.Create(double.NegativeInfinity), x3, Vector256<double>.Zero);
    }

    // Merges the lanes of one column (lowest index among equal maxima), then the scalar tail.
    private static void Finish(ReadOnlySpan<double> delta, ReadOnlySpan<float> transposed, Span<double> best, Span<int> arg, int n, int j, int tail,
        Vector256<double> lowValues, Vector256<double> highValues, Vector256<double> lowIndices, Vector256<double> highIndices)
    {
        double m = double.NegativeInfinity, a = 0;
        for (int lane = 0; lane < 8; lane++)
        {
            double v = lane < 4 ? lowValues.GetElement(lane) : highValues.GetElement(lane - 4);
            double x = lane < 4 ? lowIndices.GetElement(lane) : highIndices.GetElement(lane - 4);
            if (v > m || (v == m && x < a)) (m, a) = (v, x);
        }
        best[j] = Scalar(delta, transposed.Slice(j * n, n), tail, m, (int)a, out arg[j]);
    }
}
