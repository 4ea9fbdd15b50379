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
    [ThreadStatic] private static int t_scalarDepth;

    /// <summary>The widest level this machine accelerates.</summary>
    public static SimdLevel Hardware { get; } =
        Vector512.IsHardwareAccelerated && System.Runtime.Intrinsics.X86.Avx512F.IsSupported ? SimdLevel.Vector512
        : Vector256.IsHardwareAccelerated && System.Runtime.Intrinsics.X86.Fma.IsSupported ? SimdLevel.Vector256
        : Vector128.IsHardwareAccelerated ? SimdLevel.Vector128
        : SimdLevel.Scalar;

    /// <summary>The level kernels on this thread use now.</summary>
    public static SimdLevel Level => t_scalarDepth > 0 ? SimdLevel.Scalar : Hardware;

    /// <summary>True when kernels on this thread may use vectors.</summary>
    public static bool Enabled => t_scalarDepth == 0;

    /// <summary>Forces scalar kernels on this thread until the returned scope is disposed.</summary>
    public static ScalarScope ForceScalar()
    {
        t_scalarDepth++;
        return new ScalarScope();
    }

    /// <summary>Ends a <see cref="ForceScalar"/> region.</summary>
    public readonly struct ScalarScope : IDisposable
    {
        public void Dispose() => t_scalarDepth--;
    }
}
