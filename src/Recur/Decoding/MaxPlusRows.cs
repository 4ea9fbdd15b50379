using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Recur.Kernels;

namespace Recur.Decoding;

// N: states; V: lanes per vector (8 doubles in 512 bits, 4 in 256).

/// <summary>
/// The Viterbi inner loop for small N (the whole matrix in double fits in L2): the same
/// contract as <see cref="MaxPlus"/> — best[j] = max_i (δ[i] + log P[i, j]), arg[j] = the
/// lowest i attaining it — but over the row-major matrix in double, i outer and j inner:
/// δ[i] is broadcast and added to a row segment, and each of 8 vectors of columns keeps its
/// running maxima and their indices in registers (compare into a mask, masked blend, max).
/// There is no reduction across lanes and no widening, so it does about 4 vector operations
/// per 8 cells; rows whose δ[i] is −∞ are skipped. Same result bit for bit as
/// <see cref="Reference"/>: i ascends and only a strictly greater sum replaces, so the lowest
/// index wins ties.
/// </summary>
internal static class MaxPlusRows
{
    /// <summary>Columns [<paramref name="first"/>, <paramref name="end"/>) of one Viterbi step over the row-major matrix <paramref name="p"/> (N × N).</summary>
    public static void Columns(ReadOnlySpan<double> delta, ReadOnlySpan<double> p, Span<double> best, Span<int> arg, int n, int first, int end)
    {
        if (delta.Length < n || p.Length < (long)n * n || best.Length < end || arg.Length < end)
            throw new ArgumentException("MaxPlusRows.Columns: a buffer is shorter than the sizes given.");
        int j = first;
        if (Simd.Level == SimdLevel.Vector512 && Avx512F.IsSupported)
            for (; j + 8 * Vector512<double>.Count <= end; j += 8 * Vector512<double>.Count) Block512(delta, p, best, arg, n, j);
        else if (Simd.Level >= SimdLevel.Vector256 && Avx.IsSupported)
            for (; j + 8 * Vector256<double>.Count <= end; j += 8 * Vector256<double>.Count) Block256(delta, p, best, arg, n, j);
        if (Simd.Level == SimdLevel.Vector512 && Avx512F.IsSupported)
            for (; j + Vector512<double>.Count <= end; j += Vector512<double>.Count) Vector(delta, p, best, arg, n, j);
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

    // 64 columns: 8 vectors of maxima and 8 of indices, all in registers.
    private static void Block512(ReadOnlySpan<double> delta, ReadOnlySpan<double> p, Span<double> best, Span<int> arg, int n, int j)
    {
        ref double pj = ref Unsafe.Add(ref MemoryMarshal.GetReference(p), j);
        Vector512<double> b0 = Vector512.Create(double.NegativeInfinity), b1 = b0, b2 = b0, b3 = b0, b4 = b0, b5 = b0, b6 = b0, b7 = b0;
        Vector512<double> x0 = Vector512<double>.Zero, x1 = x0, x2 = x0, x3 = x0, x4 = x0, x5 = x0, x6 = x0, x7 = x0;
        for (int i = 0; i < n; i++)
        {
            double di = delta[i];
            if (di == double.NegativeInfinity) continue;
            var d = Vector512.Create(di);
            var index = Vector512.Create((double)i);
            ref double row = ref Unsafe.Add(ref pj, i * n);
            var s0 = d + Vector512.LoadUnsafe(ref row, 0);
            var s1 = d + Vector512.LoadUnsafe(ref row, 8);
            var s2 = d + Vector512.LoadUnsafe(ref row, 16);
            var s3 = d + Vector512.LoadUnsafe(ref row, 24);
            var s4 = d + Vector512.LoadUnsafe(ref row, 32);
            var s5 = d + Vector512.LoadUnsafe(ref row, 40);
            var s6 = d + Vector512.LoadUnsafe(ref row, 48);
            var s7 = d + Vector512.LoadUnsafe(ref row, 56);
            x0 = Vector512.ConditionalSelect(Vector512.GreaterThan(s0, b0), index, x0);
            x1 = Vector512.ConditionalSelect(Vector512.GreaterThan(s1, b1), index, x1);
            x2 = Vector512.ConditionalSelect(Vector512.GreaterThan(s2, b2), index, x2);
            x3 = Vector512.ConditionalSelect(Vector512.GreaterThan(s3, b3), index, x3);
            x4 = Vector512.ConditionalSelect(Vector512.GreaterThan(s4, b4), index, x4);
            x5 = Vector512.ConditionalSelect(Vector512.GreaterThan(s5, b5), index, x5);
            x6 = Vector512.ConditionalSelect(Vector512.GreaterThan(s6, b6), index, x6);
            x7 = Vector512.ConditionalSelect(Vector512.GreaterThan(s7, b7), index, x7);
            b0 = Vector512.MaxNative(s0, b0);
            b1 = Vector512.MaxNative(s1, b1);
            b2 = Vector512.MaxNative(s2, b2);
            b3 = Vector512.MaxNative(s3, b3);
            b4 = Vector512.MaxNative(s4, b4);
            b5 = Vector512.MaxNative(s5, b5);
            b6 = Vector512.MaxNative(s6, b6);
            b7 = Vector512.MaxNative(s7, b7);
        }
        ref double bj = ref MemoryMarshal.GetReference(best[j..]);
        ref int aj = ref MemoryMarshal.GetReference(arg[j..]);
        b0.StoreUnsafe(ref bj, 0);
        b1.StoreUnsafe(ref bj, 8);
        b2.StoreUnsafe(ref bj, 16);
        b3.StoreUnsafe(ref bj, 24);
        b4.StoreUnsafe(ref bj, 32);
        b5.StoreUnsafe(ref bj, 40);
        b6.StoreUnsafe(ref bj, 48);
        b7.StoreUnsafe(ref bj, 56);
        Avx512F.ConvertToVector256Int32WithTruncation(x0).StoreUnsafe(ref aj, 0);
        Avx512F.ConvertToVector256Int32WithTruncation(x1).StoreUnsafe(ref aj, 8);
        Avx512F.ConvertToVector256Int32WithTruncation(x2).StoreUnsafe(ref aj, 16);
        Avx512F.ConvertToVector256Int32WithTruncation(x3).StoreUnsafe(ref aj, 24);
        Avx512F.ConvertToVector256Int32WithTruncation(x4).StoreUnsafe(ref aj, 32);
        Avx512F.ConvertToVector256Int32WithTruncation(x5).StoreUnsafe(ref aj, 40);
        Avx512F.ConvertToVector256Int32WithTruncation(x6).StoreUnsafe(ref aj, 48);
        Avx512F.ConvertToVector256Int32WithTruncation(x7).StoreUnsafe(ref aj, 56);
    }

    // 8 columns (what is left after the 64-column blocks).
    private static void Vector(ReadOnlySpan<double> delta, ReadOnlySpan<double> p, Span<double> best, Span<int> arg, int n, int j)
    {
        ref double pj = ref Unsafe.Add(ref MemoryMarshal.GetReference(p), j);
        Vector512<double> b = Vector512.Create(double.NegativeInfinity), x = Vector512<double>.Zero;
        for (int i = 0; i < n; i++)
        {
            if (delta[i] == double.NegativeInfinity) continue;
            var s = Vector512.Create(delta[i]) + Vector512.LoadUnsafe(ref Unsafe.Add(ref pj, i * n));
            x = Vector512.ConditionalSelect(Vector512.GreaterThan(s, b), Vector512.Create((double)i), x);
            b = Vector512.MaxNative(s, b);
        }
        b.StoreUnsafe(ref best[j]);
        Avx512F.ConvertToVector256Int32WithTruncation(x).StoreUnsafe(ref arg[j]);
    }

    // 32 columns in 256-bit vectors (AVX2 machines).
    private static void Block256(ReadOnlySpan<double> delta, ReadOnlySpan<double> p, Span<double> best, Span<int> arg, int n, int j)
    {
        ref double pj = ref Unsafe.Add(ref MemoryMarshal.GetReference(p), j);
        Vector256<double> b0 = Vector256.Create(double.NegativeInfinity), b1 = b0, b2 = b0, b3 = b0, b4 = b0, b5 = b0, b6 = b0, b7 = b0;
        Vector256<double> x0 = Vector256<double>.Zero, x1 = x0, x2 = x0, x3 = x0, x4 = x0, x5 = x0, x6 = x0, x7 = x0;
        for (int i = 0; i < n; i++)
        {
            double di = delta[i];
            if (di == double.NegativeInfinity) continue;
            var d = Vector256.Create(di);
            var index = Vector256.Create((double)i);
            ref double row = ref Unsafe.Add(ref pj, i * n);
            var s0 = d + Vector256.LoadUnsafe(ref row, 0);
            var s1 = d + Vector256.LoadUnsafe(ref row, 4);
            var s2 = d + Vector256.LoadUnsafe(ref row, 8);
            var s3 = d + Vector256.LoadUnsafe(ref row, 12);
            var s4 = d + Vector256.LoadUnsafe(ref row, 16);
            var s5 = d + Vector256.LoadUnsafe(ref row, 20);
            var s6 = d + Vector256.LoadUnsafe(ref row, 24);
            var s7 = d + Vector256.LoadUnsafe(ref row, 28);
            x0 = Vector256.ConditionalSelect(Vector256.GreaterThan(s0, b0), index, x0);
            x1 = Vector256.ConditionalSelect(Vector256.GreaterThan(s1, b1), index, x1);
            x2 = Vector256.ConditionalSelect(Vector256.GreaterThan(s2, b2), index, x2);
            x3 = Vector256.ConditionalSelect(Vector256.GreaterThan(s3, b3), index, x3);
            x4 = Vector256.ConditionalSelect(Vector256.GreaterThan(s4, b4), index, x4);
            x5 = Vector256.ConditionalSelect(Vector256.GreaterThan(s5, b5), index, x5);
            x6 = Vector256.ConditionalSelect(Vector256.GreaterThan(s6, b6), index, x6);
            x7 = Vector256.ConditionalSelect(Vector256.GreaterThan(s7, b7), index, x7);
            b0 = Vector256.MaxNative(s0, b0);
            b1 = Vector256.MaxNative(s1, b1);
            b2 = Vector256.MaxNative(s2, b2);
            b3 = Vector256.MaxNative(s3, b3);
            b4 = Vector256.MaxNative(s4, b4);
            b5 = Vector256.MaxNative(s5, b5);
            b6 = Vector256.MaxNative(s6, b6);
            b7 = Vector256.MaxNative(s7, b7);
        }
        ref double bj = ref MemoryMarshal.GetReference(best[j..]);
        ref int aj = ref MemoryMarshal.GetReference(arg[j..]);
        b0.StoreUnsafe(ref bj, 0);
        b1.StoreUnsafe(ref bj, 4);
        b2.StoreUnsafe(ref bj, 8);
        b3.StoreUnsafe(ref bj, 12);
        b4.StoreUnsafe(ref bj, 16);
        b5.StoreUnsafe(ref bj, 20);
        b6.StoreUnsafe(ref bj, 24);
        b7.StoreUnsafe(ref bj, 28);
        Avx.ConvertToVector128Int32WithTruncation(x0).StoreUnsafe(ref aj, 0);
        Avx.ConvertToVector128Int32WithTruncation(x1).StoreUnsafe(ref aj, 4);
        Avx.ConvertToVector128Int32WithTruncation(x2).StoreUnsafe(ref aj, 8);
        Avx.ConvertToVector128Int32WithTruncation(x3).StoreUnsafe(ref aj, 12);
        Avx.ConvertToVector128Int32WithTruncation(x4).StoreUnsafe(ref aj, 16);
        Avx.ConvertToVector128Int32WithTruncation(x5).StoreUnsafe(ref aj, 20);
        Avx.ConvertToVector128Int32WithTruncation(x6).StoreUnsafe(ref aj, 24);
        Avx.ConvertToVector128Int32WithTruncation(x7).StoreUnsafe(ref aj, 28);
    }
}
