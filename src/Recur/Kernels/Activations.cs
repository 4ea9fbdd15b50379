using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Recur.Kernels;

/// <summary>
/// Activation functions and their derivatives, span in, span out, destination last.
/// ReLU goes through TensorPrimitives; tanh and σ through the vectorized polynomials of
/// <see cref="Transcendentals"/> (several times faster than TensorPrimitives here, to about
/// 1 ulp), with the runtime's MathF for scalar tails. Backward passes are written from the
/// forward output y (tanh' = 1 − y², σ' = y(1 − y), ReLU' = [y &gt; 0]) so layers need to cache
/// only y. Each hand-written kernel has a plain-loop twin in <see cref="Reference"/>.
/// Destinations may alias inputs.
/// </summary>
public static class Activations
{
    /// <summary>y = σ(x) for the chosen activation.</summary>
    public static void Forward(Activation activation, ReadOnlySpan<float> x, Span<float> y)
    {
        switch (activation)
        {
            case Activation.Tanh: Tanh(x, y); break;
            case Activation.Relu: Relu(x, y); break;
            case Activation.Sigmoid: Sigmoid(x, y); break;
            default: throw new ArgumentOutOfRangeException(nameof(activation));
        }
    }

    /// <summary>dx = dy ⊙ σ'(x), with σ' computed from the forward output y.</summary>
    public static void Backward(Activation activation, ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        switch (activation)
        {
            case Activation.Tanh: TanhBackward(y, dy, dx); break;
            case Activation.Relu: ReluBackward(y, dy, dx); break;
            case Activation.Sigmoid: SigmoidBackward(y, dy, dx); break;
            default: throw new ArgumentOutOfRangeException(nameof(activation));
        }
    }

    /// <summary>The largest value of |σ'| (γ in docs/theory.md 1.2).</summary>
    public static double DerivativeBound(Activation activation) => activation == Activation.Sigmoid ? 0.25 : 1.0;

    /// <summary>y = tanh(x).</summary>
    public static void Tanh(ReadOnlySpan<float> x, Span<float> y)
    {
        int n = CheckForward(x, y);
        ref float px = ref MemoryMarshal.GetReference(x);
        ref float py = ref MemoryMarshal.GetReference(y);
        int i = 0;
        SimdLevel level = Simd.Level;
        if (level == SimdLevel.Vector512)
            for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
                Transcendentals.Tanh(Vector512.LoadUnsafe(ref px, (nuint)i)).StoreUnsafe(ref py, (nuint)i);
        else if (level >= SimdLevel.Vector256)
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
                Transcendentals.Tanh(Vector256.LoadUnsafe(ref px, (nuint)i)).StoreUnsafe(ref py, (nuint)i);
        for (; i < n; i++) Unsafe.Add(ref py, i) = MathF.Tanh(Unsafe.Add(ref px, i));
    }

    /// <summary>y = 1/(1 + e^−x).</summary>
    public static void Sigmoid(ReadOnlySpan<float> x, Span<float> y)
    {
        int n = CheckForward(x, y);
        ref float px = ref MemoryMarshal.GetReference(x);
        ref float py = ref MemoryMarshal.GetReference(y);
        int i = 0;
        SimdLevel level = Simd.Level;
        if (level == SimdLevel.Vector512)
            for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
                Transcendentals.Sigmoid(Vector512.LoadUnsafe(ref px, (nuint)i)).StoreUnsafe(ref py, (nuint)i);
        else if (level >= SimdLevel.Vector256)
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
                Transcendentals.Sigmoid(Vector256.LoadUnsafe(ref px, (nuint)i)).StoreUnsafe(ref py, (nuint)i);
        for (; i < n; i++) Unsafe.Add(ref py, i) = 1f / (1f + MathF.Exp(-Unsafe.Add(ref px, i)));
    }

    private static int CheckForward(ReadOnlySpan<float> x, Span<float> y)
    {
        if (y.Length < x.Length) throw new ArgumentException($"Destination has {y.Length} elements, needs {x.Length}.", nameof(y));
        return x.Length;
    }

    /// <summary>y = max(x, 0).</summary>
    public static void Relu(ReadOnlySpan<float> x, Span<float> y) => TensorPrimitives.Max(x, 0f, y);

    /// <summary>dx = dy ⊙ (1 − y²) where y = tanh(x).</summary>
    public static void TanhBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        int n = Check(y, dy, dx);
        ref float py = ref MemoryMarshal.GetReference(y);
        ref float pdy = ref MemoryMarshal.GetReference(dy);
        ref float pdx = ref MemoryMarshal.GetReference(dx);
        int i = 0;
        SimdLevel level = Simd.Level;
        if (level == SimdLevel.Vector512)
        {
            var one = Vector512<float>.One;
            for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var v = Vector512.LoadUnsafe(ref py, (nuint)i);
                var g = Vector512.LoadUnsafe(ref pdy, (nuint)i);
                (g * (one - v * v)).StoreUnsafe(ref pdx, (nuint)i);
            }
        }
        else if (level >= SimdLevel.Vector256)
        {
            var one = Vector256<float>.One;
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var v = Vector256.LoadUnsafe(ref py, (nuint)i);
                var g = Vector256.LoadUnsafe(ref pdy, (nuint)i);
                (g * (one - v * v)).StoreUnsafe(ref pdx, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            float v = Unsafe.Add(ref py, i);
            Unsafe.Add(ref pdx, i) = Unsafe.Add(ref pdy, i) * (1f - v * v);
        }
    }

    /// <summary>dx = dy ⊙ y(1 − y) where y = sigmoid(x).</summary>
    public static void SigmoidBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        int n = Check(y, dy, dx);
        ref float py = ref MemoryMarshal.GetReference(y);
        ref float pdy = ref MemoryMarshal.GetReference(dy);
        ref float pdx = ref MemoryMarshal.GetReference(dx);
        int i = 0;
        SimdLevel level = Simd.Level;
        if (level == SimdLevel.Vector512)
        {
            var one = Vector512<float>.One;
            for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var v = Vector512.LoadUnsafe(ref py, (nuint)i);
                var g = Vector512.LoadUnsafe(ref pdy, (nuint)i);
                (g * v * (one - v)).StoreUnsafe(ref pdx, (nuint)i);
            }
        }
        else if (level >= SimdLevel.Vector256)
        {
            var one = Vector256<float>.One;
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var v = Vector256.LoadUnsafe(ref py, (nuint)i);
                var g = Vector256.LoadUnsafe(ref pdy, (nuint)i);
                (g * v * (one - v)).StoreUnsafe(ref pdx, (nuint)i);
            }
        }
        for (; i < n; i++)
        {
            float v = Unsafe.Add(ref py, i);
            Unsafe.Add(ref pdx, i) = Unsafe.Add(ref pdy, i) * v * (1f - v);
        }
    }

    /// <summary>dx = dy where y &gt; 0, else 0 (the subgradient 0 at the kink, as PyTorch).</summary>
    public static void ReluBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        int n = Check(y, dy, dx);
        ref float py = ref MemoryMarshal.GetReference(y);
        ref float pdy = ref MemoryMarshal.GetReference(dy);
        ref float pdx = ref MemoryMarshal.GetReference(dx);
        int i = 0;
        SimdLevel level = Simd.Level;
        if (level == SimdLevel.Vector512)
        {
            for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var v = Vector512.LoadUnsafe(ref py, (nuint)i);
                var g = Vector512.LoadUnsafe(ref pdy, (nuint)i);
                Vector512.ConditionalSelect(Vector512.GreaterThan(v, Vector512<float>.Zero), g, Vector512<float>.Zero)
                    .StoreUnsafe(ref pdx, (nuint)i);
            }
        }
        else if (level >= SimdLevel.Vector256)
        {
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var v = Vector256.LoadUnsafe(ref py, (nuint)i);
                var g = Vector256.LoadUnsafe(ref pdy, (nuint)i);
                Vector256.ConditionalSelect(Vector256.GreaterThan(v, Vector256<float>.Zero), g, Vector256<float>.Zero)
                    .StoreUnsafe(ref pdx, (nuint)i);
            }
        }
        for (; i < n; i++)
            Unsafe.Add(ref pdx, i) = Unsafe.Add(ref py, i) > 0f ? Unsafe.Add(ref pdy, i) : 0f;
    }

    private static int Check(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        if (dy.Length != y.Length) throw new ArgumentException($"dy has {dy.Length} elements, y has {y.Length}.", nameof(dy));
        if (dx.Length < y.Length) throw new ArgumentException($"Destination has {dx.Length} elements, needs {y.Length}.", nameof(dx));
        return y.Length;
    }
}
