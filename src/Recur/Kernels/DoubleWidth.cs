using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Recur.Kernels;

/// <summary>
/// The double-lane operations of width-generic kernels that keep their sums in double (the
/// Viterbi inner loops, the double-accumulated reductions): as <see cref="IVectorWidth{TVector}"/>, one loop body compiled
/// for 8 lanes (AVX-512), 4 lanes (AVX2) and one. The vector structs use the x86 conversions,
/// so <see cref="VectorLoop.RunDouble{TLoop}"/> picks them only where <see cref="Simd.Level"/>
/// says the hardware has them.
/// </summary>
internal interface IDoubleWidth<TVector> where TVector : struct
{
    /// <summary>Lanes per vector.</summary>
    static abstract int Count { get; }

    static abstract TVector Broadcast(double value);

    /// <summary>0, 1, …, Count − 1.</summary>
    static abstract TVector Lanes { get; }

    static abstract unsafe TVector Load(double* source);

    /// <summary>Count floats, each widened to double (exactly).</summary>
    static abstract unsafe TVector LoadWidened(float* source);

    static abstract unsafe void Store(TVector value, double* destination);

    /// <summary>Each lane (an integer-valued double) stored as an int, truncated.</summary>
    static abstract unsafe void StoreInt32(TVector value, int* destination);

    static abstract TVector Add(TVector a, TVector b);

    /// <summary>a·b + c rounded once.</summary>
    static abstract TVector FusedMultiplyAdd(TVector a, TVector b, TVector c);

    /// <summary>The sum of the lanes, in the order of the platform's VectorN.Sum.</summary>
    static abstract double HorizontalSum(TVector value);

    /// <summary>a &gt; b ? a : b per lane (x86 maxpd: b when either is NaN).</summary>
    static abstract TVector MaxNative(TVector a, TVector b);

    /// <summary>A mask: all bits set where a &gt; b.</summary>
    static abstract TVector GreaterThan(TVector a, TVector b);

    /// <summary>Bitwise: a where the mask is set, b elsewhere.</summary>
    static abstract TVector ConditionalSelect(TVector mask, TVector a, TVector b);
}

internal readonly struct DoubleWidth512 : IDoubleWidth<Vector512<double>>
{
    public static int Count => Vector512<double>.Count;
    public static Vector512<double> Lanes { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => Vector512.Create(0.0, 1, 2, 3, 4, 5, 6, 7); }
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Broadcast(double value) => Vector512.Create(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static unsafe Vector512<double> Load(double* source) => Vector512.Load(source);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static unsafe Vector512<double> LoadWidened(float* source) => Avx512F.ConvertToVector512Double(Vector256.Load(source));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static unsafe void Store(Vector512<double> value, double* destination) => value.Store(destination);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static unsafe void StoreInt32(Vector512<double> value, int* destination) => Avx512F.ConvertToVector256Int32WithTruncation(value).Store(destination);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> Add(Vector512<double> a, Vector512<double> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> FusedMultiplyAdd(Vector512<double> a, Vector512<double> b, Vector512<double> c) => Vector512.FusedMultiplyAdd(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double HorizontalSum(Vector512<double> value) => Vector512.Sum(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> MaxNative(Vector512<double> a, Vector512<double> b) => Vector512.MaxNative(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> GreaterThan(Vector512<double> a, Vector512<double> b) => Vector512.GreaterThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<double> ConditionalSelect(Vector512<double> mask, Vector512<double> a, Vector512<double> b) => Vector512.ConditionalSelect(mask, a, b);
}

internal readonly struct DoubleWidth256 : IDoubleWidth<Vector256<double>>
{
    public static int Count => Vector256<double>.Count;
    public static Vector256<double> Lanes { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => Vector256.Create(0.0, 1, 2, 3); }
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Broadcast(double value) => Vector256.Create(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static unsafe Vector256<double> Load(double* source) => Vector256.Load(source);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static unsafe Vector256<double> LoadWidened(float* source) => Avx.ConvertToVector256Double(Vector128.Load(source));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static unsafe void Store(Vector256<double> value, double* destination) => value.Store(destination);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static unsafe void StoreInt32(Vector256<double> value, int* destination) => Avx.ConvertToVector128Int32WithTruncation(value).Store(destination);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> Add(Vector256<double> a, Vector256<double> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> FusedMultiplyAdd(Vector256<double> a, Vector256<double> b, Vector256<double> c) => Vector256.FusedMultiplyAdd(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double HorizontalSum(Vector256<double> value) => Vector256.Sum(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> MaxNative(Vector256<double> a, Vector256<double> b) => Vector256.MaxNative(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> GreaterThan(Vector256<double> a, Vector256<double> b) => Vector256.GreaterThan(a, b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<double> ConditionalSelect(Vector256<double> mask, Vector256<double> a, Vector256<double> b) => Vector256.ConditionalSelect(mask, a, b);
}

/// <summary>One double lane: the scalar path.</summary>
internal readonly struct DoubleWidth1 : IDoubleWidth<double>
{
    private static readonly double AllBits = BitConverter.Int64BitsToDouble(-1);
    public static int Count => 1;
    public static double Lanes => 0.0;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double Broadcast(double value) => value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static unsafe double Load(double* source) => *source;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static unsafe double LoadWidened(float* source) => *source;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static unsafe void Store(double value, double* destination) => *destination = value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static unsafe void StoreInt32(double value, int* destination) => *destination = (int)value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double Add(double a, double b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double FusedMultiplyAdd(double a, double b, double c) => Math.FusedMultiplyAdd(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double HorizontalSum(double value) => value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double MaxNative(double a, double b) => a > b ? a : b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double GreaterThan(double a, double b) => a > b ? AllBits : 0.0;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double ConditionalSelect(double mask, double a, double b) => BitConverter.DoubleToInt64Bits(mask) != 0 ? a : b;
}
