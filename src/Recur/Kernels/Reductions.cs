using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Recur.Kernels;

/// <summary>
/// Reductions over float spans. Sums accumulate in double (docs/architecture.md, conventions): a float
/// accumulator loses about log2(n) bits over n terms, which matters for losses and norms over
/// millions of values. Max and ArgMax go through TensorPrimitives.
/// </summary>
public static class Reductions
{
    /// <summary>Σ x_i, accumulated in double.</summary>
    public static double Sum(ReadOnlySpan<float> x)
    {
        ref float px = ref MemoryMarshal.GetReference(x);
        int n = x.Length, i = 0;
        double total = 0;
        SimdLevel level = Simd.Level;
        if (level == SimdLevel.Vector512 && n >= Vector512<float>.Count)
        {
            var acc0 = Vector512<double>.Zero;
            var acc1 = Vector512<double>.Zero;
            for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var v = Vector512.LoadUnsafe(ref px, (nuint)i);
                acc0 += Vector512.WidenLower(v);
                acc1 += Vector512.WidenUpper(v);
            }
            total = Vector512.Sum(acc0 + acc1);
        }
        else if (level >= SimdLevel.Vector256 && n >= Vector256<float>.Count)
        {
            var acc0 = Vector256<double>.Zero;
            var acc1 = Vector256<double>.Zero;
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var v = Vector256.LoadUnsafe(ref px, (nuint)i);
                acc0 += Vector256.WidenLower(v);
                acc1 += Vector256.WidenUpper(v);
            }
            total = Vector256.Sum(acc0 + acc1);
        }
        for (; i < n; i++) total += Unsafe.Add(ref px, i);
        return total;
    }

    /// <summary>Σ x_i², accumulated in double.</summary>
    public static double SumOfSquares(ReadOnlySpan<float> x) => Dot(x, x);

    /// <summary>Σ x_i·y_i, accumulated in double.</summary>
    public static double Dot(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        if (x.Length != y.Length) throw new ArgumentException($"Lengths differ: {x.Length} and {y.Length}.");
        ref float px = ref MemoryMarshal.GetReference(x);
        ref float py = ref MemoryMarshal.GetReference(y);
        int n = x.Length, i = 0;
        double total = 0;
        SimdLevel level = Simd.Level;
        if (level == SimdLevel.Vector512 && n >= Vector512<float>.Count)
        {
            var acc0 = Vector512<double>.Zero;
            var acc1 = Vector512<double>.Zero;
            for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var a = Vector512.LoadUnsafe(ref px, (nuint)i);
                var b = Vector512.LoadUnsafe(ref py, (nuint)i);
                acc0 = Vector512.FusedMultiplyAdd(Vector512.WidenLower(a), Vector512.WidenLower(b), acc0);
                acc1 = Vector512.FusedMultiplyAdd(Vector512.WidenUpper(a), Vector512.WidenUpper(b), acc1);
            }
            total = Vector512.Sum(acc0 + acc1);
        }
        else if (level >= SimdLevel.Vector256 && n >= Vector256<float>.Count)
        {
            var acc0 = Vector256<double>.Zero;
            var acc1 = Vector256<double>.Zero;
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var a = Vector256.LoadUnsafe(ref px, (nuint)i);
                var b = Vector256.LoadUnsafe(ref py, (nuint)i);
                acc0 = Vector256.FusedMultiplyAdd(Vector256.WidenLower(a), Vector256.WidenLower(b), acc0);
                acc1 = Vector256.FusedMultiplyAdd(Vector256.WidenUpper(a), Vector256.WidenUpper(b), acc1);
            }
            total = Vector256.Sum(acc0 + acc1);
        }
        for (; i < n; i++) total += (double)Unsafe.Add(ref px, i) * Unsafe.Add(ref py, i);
        return total;
    }

    /// <summary>The Euclidean norm √Σx_i², accumulated in double.</summary>
    public static double Norm(ReadOnlySpan<float> x) => Math.Sqrt(SumOfSquares(x));

    /// <summary>The largest element; NaN if any element is NaN. The span must not be empty.</summary>
    public static float Max(ReadOnlySpan<float> x)
    {
        if (x.IsEmpty) throw new ArgumentException("Max of an empty span.", nameof(x));
        return TensorPrimitives.Max(x);
    }

    /// <summary>Index of the first largest element (ties go to the lowest index); -1 when empty.</summary>
    public static int ArgMax(ReadOnlySpan<float> x) => TensorPrimitives.IndexOfMax(x);
}
