using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Recur.Kernels;

namespace Recur.Decoding;

// N: states; J: the columns one call computes.

/// <summary>
/// The Viterbi inner loop (docs/theory.md 2.2a, c) in log space: for each column j,
/// best[j] = max_i (δ[i] + L[j, i]) and arg[j] = the lowest i attaining it, where L is the
/// transposed log-transition matrix (L[j, i] = log P[i, j]), so the max over i is a contiguous
/// reduction. δ and the sums are double; L is float, widened on load.
/// <para>
/// Vector path: four columns at once share each load of δ; each column keeps a vector of
/// running maxima (vmaxpd) and a vector of their indices (as doubles), replaced where the new
/// sum is strictly greater (a compare into a mask and a masked blend, so within a lane the
/// first index wins); then lanes are merged preferring the lowest index among equal maxima. Same result bit for bit as <see cref="Reference"/>.
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
        Vector512<double> v0 = Vector512.Create(double.NegativeInfinity), v1 = v0, v2 = v0, v3 = v0;
        Vector512<double> x0 = Vector512<double>.Zero, x1 = x0, x2 = x0, x3 = x0;
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
            x0 = Vector512.ConditionalSelect(Vector512.GreaterThan(s0, v0), index, x0);
            x1 = Vector512.ConditionalSelect(Vector512.GreaterThan(s1, v1), index, x1);
            x2 = Vector512.ConditionalSelect(Vector512.GreaterThan(s2, v2), index, x2);
            x3 = Vector512.ConditionalSelect(Vector512.GreaterThan(s3, v3), index, x3);
            v0 = Vector512.MaxNative(s0, v0);
            v1 = Vector512.MaxNative(s1, v1);
            v2 = Vector512.MaxNative(s2, v2);
            v3 = Vector512.MaxNative(s3, v3);
            index += step;
        }
        Span<double> lanes = stackalloc double[64]; // (4 columns, values 8 + indices 8)
        v0.StoreUnsafe(ref lanes[0]);
        x0.StoreUnsafe(ref lanes[8]);
        v1.StoreUnsafe(ref lanes[16]);
        x1.StoreUnsafe(ref lanes[24]);
        v2.StoreUnsafe(ref lanes[32]);
        x2.StoreUnsafe(ref lanes[40]);
        v3.StoreUnsafe(ref lanes[48]);
        x3.StoreUnsafe(ref lanes[56]);
        for (int c = 0; c < 4; c++) Finish(delta, transposed, best, arg, n, j + c, i, lanes.Slice(16 * c, 8), lanes.Slice(16 * c + 8, 8));
    }

    private static void Four256(ReadOnlySpan<double> delta, ReadOnlySpan<float> transposed, Span<double> best, Span<int> arg, int n, int j)
    {
        ref double d = ref MemoryMarshal.GetReference(delta);
        ref float c0 = ref Unsafe.Add(ref MemoryMarshal.GetReference(transposed), j * n);
        ref float c1 = ref Unsafe.Add(ref c0, n);
        ref float c2 = ref Unsafe.Add(ref c1, n);
        ref float c3 = ref Unsafe.Add(ref c2, n);
        Vector256<double> v0 = Vector256.Create(double.NegativeInfinity), v1 = v0, v2 = v0, v3 = v0;
        Vector256<double> x0 = Vector256<double>.Zero, x1 = x0, x2 = x0, x3 = x0;
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
            x0 = Vector256.ConditionalSelect(Vector256.GreaterThan(s0, v0), index, x0);
            x1 = Vector256.ConditionalSelect(Vector256.GreaterThan(s1, v1), index, x1);
            x2 = Vector256.ConditionalSelect(Vector256.GreaterThan(s2, v2), index, x2);
            x3 = Vector256.ConditionalSelect(Vector256.GreaterThan(s3, v3), index, x3);
            v0 = Vector256.MaxNative(s0, v0);
            v1 = Vector256.MaxNative(s1, v1);
            v2 = Vector256.MaxNative(s2, v2);
            v3 = Vector256.MaxNative(s3, v3);
            index += step;
        }
        Span<double> lanes = stackalloc double[32]; // (4 columns, values 4 + indices 4)
        v0.StoreUnsafe(ref lanes[0]);
        x0.StoreUnsafe(ref lanes[4]);
        v1.StoreUnsafe(ref lanes[8]);
        x1.StoreUnsafe(ref lanes[12]);
        v2.StoreUnsafe(ref lanes[16]);
        x2.StoreUnsafe(ref lanes[20]);
        v3.StoreUnsafe(ref lanes[24]);
        x3.StoreUnsafe(ref lanes[28]);
        for (int c = 0; c < 4; c++) Finish(delta, transposed, best, arg, n, j + c, i, lanes.Slice(8 * c, 4), lanes.Slice(8 * c + 4, 4));
    }

    // Merges the lanes of one column (lowest index among equal maxima), then the scalar tail.
    private static void Finish(ReadOnlySpan<double> delta, ReadOnlySpan<float> transposed, Span<double> best, Span<int> arg, int n, int j, int tail,
        ReadOnlySpan<double> values, ReadOnlySpan<double> indices)
    {
        double m = double.NegativeInfinity, a = 0;
        for (int lane = 0; lane < values.Length; lane++)
            if (values[lane] > m || (values[lane] == m && indices[lane] < a)) (m, a) = (values[lane], indices[lane]);
        best[j] = Scalar(delta, transposed.Slice(j * n, n), tail, m, (int)a, out arg[j]);
    }
}
