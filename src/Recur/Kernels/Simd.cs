using System.Runtime.Intrinsics;

namespace Recur.Kernels;

/// <summary>The vector width a hand-written kernel uses.</summary>
public enum SimdLevel
{
    /// <summary>Plain scalar loops.</summary>
    Scalar,
    /// <summary>128-bit vectors.</summary>
    Vector128,
    /// <summary>256-bit vectors (AVX2 with FMA on x64).</summary>
    Vector256,
    /// <summary>512-bit vectors (AVX-512F on x64).</summary>
    Vector512,
}

/// <summary>
/// The one place that decides which vector width hand-written kernels use (ggml's vec.h):
/// Vector512, then Vector256, then Vector128, then scalar. Tests force scalar code on the
/// current thread with <see cref="ForceScalar"/> to compare both paths against the
/// plain-loop references. TensorPrimitives calls are not affected.
/// </summary>
public static class Simd
{
    // 0: no limit; otherwise the widest level allowed on this thread, plus one.
    [ThreadStatic] private static int t_limit;

    /// <summary>The widest level this machine accelerates.</summary>
    public static SimdLevel Hardware { get; } =
        Vector512.IsHardwareAccelerated && System.Runtime.Intrinsics.X86.Avx512F.IsSupported ? SimdLevel.Vector512
        : Vector256.IsHardwareAccelerated && System.Runtime.Intrinsics.X86.Fma.IsSupported ? SimdLevel.Vector256
        : Vector128.IsHardwareAccelerated ? SimdLevel.Vector128
        : SimdLevel.Scalar;

    /// <summary>The level kernels on this thread use now.</summary>
    public static SimdLevel Level => t_limit == 0 || t_limit - 1 >= (int)Hardware ? Hardware : (SimdLevel)(t_limit - 1);

    /// <summary>True when kernels on this thread may use vectors.</summary>
    public static bool Enabled => Level != SimdLevel.Scalar;

    /// <summary>Forces scalar kernels on this thread until the returned scope is disposed.</summary>
    public static LimitScope ForceScalar() => Limit(SimdLevel.Scalar);

    /// <summary>
    /// Caps the width kernels on this thread use at <paramref name="widest"/> (never above the
    /// hardware's) until the returned scope is disposed; tests compare widths with it.
    /// </summary>
    public static LimitScope Limit(SimdLevel widest)
    {
        int previous = t_limit;
        int cap = (int)widest + 1;
        t_limit = previous == 0 ? cap : Math.Min(previous, cap);
        return new LimitScope(previous, active: true);
    }

    /// <summary>Ends a <see cref="Limit"/> or <see cref="ForceScalar"/> region (a default scope does nothing).</summary>
    public readonly struct LimitScope(int previous, bool active) : IDisposable
    {
        public void Dispose()
        {
            if (active) t_limit = previous;
        }
    }
}
