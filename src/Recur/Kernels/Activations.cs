using System.Numerics.Tensors;

namespace Recur.Kernels;

/// <summary>
/// Activation functions and their derivatives, span in, span out, destination last.
/// ReLU goes through TensorPrimitives; tanh and σ through the vectorized polynomials of
/// <see cref="Transcendentals"/> (several times faster than TensorPrimitives here, to about
/// 1 ulp), with the runtime's MathF for scalar tails and scalar mode. Backward passes are written from the
/// forward output y (tanh' = 1 − y², σ' = y(1 − y), ReLU' = [y &gt; 0]) so layers need to cache
/// only y. Each hand-written kernel has a plain-loop twin in <see cref="Reference"/>.
/// Destinations may alias inputs.
/// </summary>
public static unsafe class Activations
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
    public static void Tanh(ReadOnlySpan<float> x, Span<float> y) => Map<TanhOp>(x, y);

    /// <summary>y = 1/(1 + e^−x).</summary>
    public static void Sigmoid(ReadOnlySpan<float> x, Span<float> y) => Map<SigmoidOp>(x, y);

    /// <summary>y = max(x, 0).</summary>
    public static void Relu(ReadOnlySpan<float> x, Span<float> y) => TensorPrimitives.Max(x, 0f, y);

    /// <summary>dx = dy ⊙ (1 − y²) where y = tanh(x).</summary>
    public static void TanhBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx) => Map<TanhGradient>(y, dy, dx);

    /// <summary>dx = dy ⊙ y(1 − y) where y = sigmoid(x).</summary>
    public static void SigmoidBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx) => Map<SigmoidGradient>(y, dy, dx);

    /// <summary>dx = dy where y &gt; 0, else 0 (the subgradient 0 at the kink, as PyTorch).</summary>
    public static void ReluBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx) => Map<ReluGradient>(y, dy, dx);

    // y = f(x) elementwise.
    private static void Map<TOp>(ReadOnlySpan<float> x, Span<float> y) where TOp : IUnaryOp
    {
        if (y.Length < x.Length) throw new ArgumentException($"Destination has {y.Length} elements, needs {x.Length}.", nameof(y));
        fixed (float* px = x, py = y)
        {
            var loop = new UnaryLoop<TOp>(px, py, x.Length);
            VectorLoop.Run(ref loop);
        }
    }

    // dx = g(y, dy) elementwise.
    private static void Map<TOp>(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx) where TOp : IGradientOp
    {
        if (dy.Length != y.Length) throw new ArgumentException($"dy has {dy.Length} elements, y has {y.Length}.", nameof(dy));
        if (dx.Length < y.Length) throw new ArgumentException($"Destination has {dx.Length} elements, needs {y.Length}.", nameof(dx));
        fixed (float* py = y, pdy = dy, pdx = dx)
        {
            var loop = new GradientLoop<TOp>(py, pdy, pdx, y.Length);
            VectorLoop.Run(ref loop);
        }
    }

    private interface IUnaryOp
    {
        static abstract V Apply<W, V>(V x) where W : struct, IVectorWidth<V> where V : struct;

        /// <summary>The scalar tail: the runtime's MathF, whose rounding the polynomials approximate.</summary>
        static abstract float Scalar(float x);
    }

    private interface IGradientOp
    {
        static abstract V Apply<W, V>(V y, V dy) where W : struct, IVectorWidth<V> where V : struct;
    }

    private readonly struct TanhOp : IUnaryOp
    {
        public static V Apply<W, V>(V x) where W : struct, IVectorWidth<V> where V : struct => Transcendentals.Tanh<W, V>(x);

        public static float Scalar(float x) => MathF.Tanh(x);
    }

    private readonly struct SigmoidOp : IUnaryOp
    {
        public static V Apply<W, V>(V x) where W : struct, IVectorWidth<V> where V : struct => Transcendentals.Sigmoid<W, V>(x);

        public static float Scalar(float x) => 1f / (1f + MathF.Exp(-x));
    }

    // dy·(1 − y²)
    private readonly struct TanhGradient : IGradientOp
    {
        public static V Apply<W, V>(V y, V dy) where W : struct, IVectorWidth<V> where V : struct =>
            W.Multiply(dy, W.Subtract(W.One, W.Multiply(y, y)));
    }

    // dy·y·(1 − y)
    private readonly struct SigmoidGradient : IGradientOp
    {
        public static V Apply<W, V>(V y, V dy) where W : struct, IVectorWidth<V> where V : struct =>
            W.Multiply(W.Multiply(dy, y), W.Subtract(W.One, y));
    }

    // y > 0 ? dy : 0
    private readonly struct ReluGradient : IGradientOp
    {
        public static V Apply<W, V>(V y, V dy) where W : struct, IVectorWidth<V> where V : struct =>
            W.ConditionalSelect(W.LessThan(W.Zero, y), dy, W.Zero);
    }

    // The loops' arguments are passed to static methods, whose parameters the JIT keeps in
    // registers (fields read through `this` in a hot loop are reloaded from memory).
    private readonly struct UnaryLoop<TOp>(float* x, float* y, int n) : IVectorLoop where TOp : IUnaryOp
    {
        public void Run<W, V>() where W : struct, IVectorWidth<V> where V : struct => Unary<TOp, W, V>(x, y, n);
    }

    private readonly struct GradientLoop<TOp>(float* y, float* dy, float* dx, int n) : IVectorLoop where TOp : IGradientOp
    {
        public void Run<W, V>() where W : struct, IVectorWidth<V> where V : struct => Gradient<TOp, W, V>(y, dy, dx, n);
    }

    private static void Unary<TOp, W, V>(float* x, float* y, int n) where TOp : IUnaryOp where W : struct, IVectorWidth<V> where V : struct
    {
        int i = 0;
        if (W.Count > 1)
            for (; i <= n - W.Count; i += W.Count) W.Store(TOp.Apply<W, V>(W.Load(x + i)), y + i);
        for (; i < n; i++) y[i] = TOp.Scalar(x[i]);
    }

    private static void Gradient<TOp, W, V>(float* y, float* dy, float* dx, int n) where TOp : IGradientOp where W : struct, IVectorWidth<V> where V : struct
    {
        int i = 0;
        for (; i <= n - W.Count; i += W.Count) W.Store(TOp.Apply<W, V>(W.Load(y + i), W.Load(dy + i)), dx + i);
        for (; i < n; i++) dx[i] = TOp.Apply<Width1, float>(y[i], dy[i]);
    }
}
