using Recur.Kernels;

namespace Recur.Optim;

// n: elements in one contiguous run of the parameter store.

/// <summary>Per-step scalars of <see cref="SgdKernel.Update"/>, already in float as PyTorch casts them.</summary>
internal readonly record struct SgdCoefficients(
    float Decay, float L2, float LearningRate, bool UseMomentum, float BufferDecay, float GradientWeight, bool Nesterov, float Momentum);

/// <summary>
/// The fused SGD update over one run of the store, in PyTorch's order (torch/optim/sgd.py,
/// _single_tensor_sgd), one pass per element:
/// <code>
///   θ ← decay·θ                      decoupled weight decay (decay = 1 otherwise)
///   g ← g + l2·θ                     L2, l2 = 2γ (0 otherwise)
///   b ← bufferDecay·b + gradWeight·g  momentum: μ and 1 − τ; on the first step 0 and 1, so b_1 = g_1
///   d ← Nesterov ? g + μ·b : b        (d ← g without momentum)
///   θ ← θ − η·d
/// </code>
/// Written once over the vector width (<see cref="VectorLoop"/>); every width does the same IEEE
/// operations per element (FMA where PyTorch's vector kernels use one), so all widths and the
/// scalar tail give identical bits.
/// </summary>
internal static unsafe class SgdKernel
{
    /// <summary>Updates <paramref name="theta"/> (n) and <paramref name="buffer"/> (n, or empty without momentum) from <paramref name="grad"/> (n).</summary>
    public static void Update(Span<float> theta, ReadOnlySpan<float> grad, Span<float> buffer, in SgdCoefficients c)
    {
        int n = theta.Length;
        if (grad.Length != n || (c.UseMomentum && buffer.Length != n))
            throw new ArgumentException($"SGD spans differ in length: θ {n}, g {grad.Length}, buffer {buffer.Length}.");
        fixed (float* pt = theta, pg = grad, pb = buffer)
        {
            var loop = new Loop(pt, pg, pb, n, c);
            VectorLoop.Run(ref loop);
        }
    }

    // The elements are a static method, whose parameters the JIT keeps in registers.
    private readonly struct Loop(float* theta, float* grad, float* buffer, int n, SgdCoefficients c) : IVectorLoop
    {
        public void Run<W, V>() where W : struct, IVectorWidth<V> where V : struct
        {
            int i = Elements<W, V>(theta, grad, buffer, n, c, 0);
            Elements<Width1, float>(theta, grad, buffer, n, c, i);
        }
    }

    private static int Elements<W, V>(float* theta, float* grad, float* buffer, int n, in SgdCoefficients c, int i)
        where W : struct, IVectorWidth<V> where V : struct
    {
        V decay = W.Broadcast(c.Decay), l2 = W.Broadcast(c.L2), gradientWeight = W.Broadcast(c.GradientWeight);
        V bufferDecay = W.Broadcast(c.BufferDecay), momentum = W.Broadcast(c.Momentum), minusRate = W.Broadcast(-c.LearningRate);
        bool useMomentum = c.UseMomentum, nesterov = c.Nesterov;
        for (; i <= n - W.Count; i += W.Count)
        {
            V t = W.Multiply(W.Load(theta + i), decay);
            V g = W.FusedMultiplyAdd(t, l2, W.Load(grad + i));
            V d = g;
            if (useMomentum)
            {
                V b = W.FusedMultiplyAdd(g, gradientWeight, W.Multiply(W.Load(buffer + i), bufferDecay));
                W.Store(b, buffer + i);
                d = nesterov ? W.FusedMultiplyAdd(b, momentum, g) : b;
            }
            W.Store(W.FusedMultiplyAdd(d, minusRate, t), theta + i);
        }
        return i;
    }
}
