using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Recur.Kernels;

/// <summary>
/// The float operations a width-generic kernel needs, for one vector width. A kernel written
/// once as a generic method over <c>W : struct, IVectorWidth&lt;V&gt;</c> is compiled by the JIT
/// separately for each struct below, with these calls inlined: one loop body serves
/// Vector512, Vector256, Vector128 and scalar code (TensorPrimitives' operator structs use the
/// same device). Each kernel's entry point picks the width from <see cref="Simd.Level"/>.
/// </summary>
internal interface IVectorWidth<TVector> where TVector : struct
{
    /// <summary>Lanes per vector.</summary>
    static abstract int Count { get; }

    static abstract TVector Zero { get; }

    static abstract TVector Broadcast(float value);

    static abstract unsafe TVector Load(float* source);

    static abstract unsafe void Store(TVector value, float* destination);

    static abstract TVector Add(TVector a, TVector b);

    static abstract TVector Subtract(TVector a, TVector b);

    static abstract TVector Multiply(TVector a, TVector b);

    /// <summary>a·b + c (fused where the hardware has it).</summary>
    static abstract TVector MultiplyAdd(TVector a, TVector b, TVector c);

    /// <summary>
    /// The sum of the lanes. Wide vectors are first folded in float down to four lanes (each then
    /// the float sum of a few lanes: a few ulps), which are added in double.
    /// </summary>
    static abstract double Sum(TVector value);

    /// <summary>destination[0 .. Count) += the lanes, widened to double.</summary>
    static abstract unsafe void AddWidened(TVector value, double* destination);
}

internal readonly struct Width512 : IVectorWidth<Vector512<float>>
{
    public static int Count => Vector512<float>.Count;
    public static Vector512<float> Zero => Vector512<float>.Zero;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Broadcast(float value) => Vector512.Create(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static unsafe Vector512<float> Load(float* source) => Vector512.Load(source);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static unsafe void Store(Vector512<float> value, float* destination) => value.Store(destination);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Add(Vector512<float> a, Vector512<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Subtract(Vector512<float> a, Vector512<float> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> Multiply(Vector512<float> a, Vector512<float> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector512<float> MultiplyAdd(Vector512<float> a, Vector512<float> b, Vector512<float> c) => Vector512.FusedMultiplyAdd(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double Sum(Vector512<float> value) => Width128.Sum(Width256.Fold(value.GetLower() + value.GetUpper()));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void AddWidened(Vector512<float> value, double* destination)
    {
        (Vector512.Load(destination) + Vector512.WidenLower(value)).Store(destination);
        (Vector512.Load(destination + 8) + Vector512.WidenUpper(value)).Store(destination + 8);
    }
}

internal readonly struct Width256 : IVectorWidth<Vector256<float>>
{
    public static int Count => Vector256<float>.Count;
    public static Vector256<float> Zero => Vector256<float>.Zero;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Broadcast(float value) => Vector256.Create(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static unsafe Vector256<float> Load(float* source) => Vector256.Load(source);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static unsafe void Store(Vector256<float> value, float* destination) => value.Store(destination);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Add(Vector256<float> a, Vector256<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Subtract(Vector256<float> a, Vector256<float> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> Multiply(Vector256<float> a, Vector256<float> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector256<float> MultiplyAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c) => Vector256.FusedMultiplyAdd(a, b, c);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double Sum(Vector256<float> value) => Width128.Sum(Fold(value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void AddWidened(Vector256<float> value, double* destination)
    {
        (Vector256.Load(destination) + Vector256.WidenLower(value)).Store(destination);
        (Vector256.Load(destination + 4) + Vector256.WidenUpper(value)).Store(destination + 4);
    }

    /// <summary>The two 128-bit halves added lane by lane (in float: each lane then holds the sum of two).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Fold(Vector256<float> value) => value.GetLower() + value.GetUpper();
}

internal readonly struct Width128 : IVectorWidth<Vector128<float>>
{
    public static int Count => Vector128<float>.Count;
    public static Vector128<float> Zero => Vector128<float>.Zero;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Broadcast(float value) => Vector128.Create(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static unsafe Vector128<float> Load(float* source) => Vector128.Load(source);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static unsafe void Store(Vector128<float> value, float* destination) => value.Store(destination);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Add(Vector128<float> a, Vector128<float> b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Subtract(Vector128<float> a, Vector128<float> b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> Multiply(Vector128<float> a, Vector128<float> b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Vector128<float> MultiplyAdd(Vector128<float> a, Vector128<float> b, Vector128<float> c) => a * b + c;
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Sum(Vector128<float> value)
    {
        var pairs = Vector128.WidenLower(value) + Vector128.WidenUpper(value);
        return pairs.ToScalar() + pairs.GetElement(1);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void AddWidened(Vector128<float> value, double* destination)
    {
        (Vector128.Load(destination) + Vector128.WidenLower(value)).Store(destination);
        (Vector128.Load(destination + 2) + Vector128.WidenUpper(value)).Store(destination + 2);
    }
}

/// <summary>One lane: the scalar code path (and the tail of every vector loop).</summary>
internal readonly struct Width1 : IVectorWidth<float>
{
    public static int Count => 1;
    public static float Zero => 0f;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Broadcast(float value) => value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static unsafe float Load(float* source) => *source;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static unsafe void Store(float value, float* destination) => *destination = value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Add(float a, float b) => a + b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Subtract(float a, float b) => a - b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Multiply(float a, float b) => a * b;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float MultiplyAdd(float a, float b, float c) => a * b + c;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static double Sum(float value) => value;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static unsafe void AddWidened(float value, double* destination) => *destination += value;
}
