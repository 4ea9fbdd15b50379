using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Recur.Kernels;

/// <summary>
/// A kernel's loop written once, generic over the vector width (see <see cref="IVectorWidth{TVector}"/>):
/// <see cref="VectorLoop.Run{TLoop}(ref TLoop)"/> calls <see cref="Run{W, V}"/> with the width
/// <see cref="Simd.Level"/> picks. Loops usually finish their tail by calling the same generic
/// body with <see cref="Width1"/>, so the scalar lane does exactly what each vector lane does.
/// A loop is a (ref) struct holding its arguments; the JIT compiles <see cref="Run{W, V}"/>
/// once per width with every width operation inlined.
/// </summary>
internal interface IVectorLoop
{
    void Run<W, V>() where W : struct, IVectorWidth<V> where V : struct;
}

/// <summary>As <see cref="IVectorLoop"/>, over double lanes (<see cref="IDoubleWidth{TVector}"/>).</summary>
internal interface IDoubleVectorLoop
{
    void Run<W, V>() where W : struct, IDoubleWidth<V> where V : struct;
}

/// <summary>
/// Runs width-generic loops at the width this thread uses (<see cref="Simd.Level"/>): the only
/// place outside the GEMM where kernels branch on the level.
/// </summary>
internal static class VectorLoop
{
    /// <summary>Runs <paramref name="loop"/> at the current width: 512, 256 or 128 bits, or scalar.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Run<TLoop>(ref TLoop loop) where TLoop : struct, IVectorLoop, allows ref struct => Run(ref loop, Simd.Level);

    /// <summary>
    /// Runs <paramref name="loop"/> at width <paramref name="level"/> (the caller's
    /// <see cref="Simd.Level"/>, read on the thread that split the work across threads).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Run<TLoop>(ref TLoop loop, SimdLevel level) where TLoop : struct, IVectorLoop, allows ref struct
    {
        switch (level)
        {
            case SimdLevel.Vector512: loop.Run<Width512, Vector512<float>>(); break;
            case SimdLevel.Vector256: loop.Run<Width256, Vector256<float>>(); break;
            case SimdLevel.Vector128: loop.Run<Width128, Vector128<float>>(); break;
            default: loop.Run<Width1, float>(); break;
        }
    }

    /// <summary>Runs a double-lane <paramref name="loop"/>: 8 or 4 doubles per vector (AVX-512, AVX2), or scalar.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void RunDouble<TLoop>(ref TLoop loop) where TLoop : struct, IDoubleVectorLoop, allows ref struct
    {
        switch (Simd.Level)
        {
            case SimdLevel.Vector512: loop.Run<DoubleWidth512, Vector512<double>>(); break;
            case SimdLevel.Vector256: loop.Run<DoubleWidth256, Vector256<double>>(); break;
            default: loop.Run<DoubleWidth1, double>(); break;
        }
    }
}
