using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
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
/// Every width does the same IEEE operations per element (FMA where PyTorch's vector kernels use
/// one), so the Vector512, Vector256 and scalar paths give identical bits.
/// </summary>
internal static class SgdKernel
{
    /// <summary>Updates <paramref name="theta"/> (n) and <paramref name="buffer"/> (n, or empty without momentum) from <paramref name="grad"/> (n).</summary>
    public static void Update(Span<float> theta, ReadOnlySpan<float> grad, Span<float> buffer, in SgdCoefficients c, SimdLevel level)
    {
        int n = theta.Length;
        if (grad.Length != n || (c.UseMomentum && buffer.Length != n))
            throw new ArgumentException($"SGD spans differ in length: θ {n}, g {grad.Length}, buffer {buffer.Length}.");
        ref float pt = ref MemoryMarshal.GetReference(theta);
        ref float pg = ref MemoryMarshal.GetReference(grad);
        ref float pb = ref MemoryMarshal.GetReference(buffer);
        int i = 0;
        if (level == SimdLevel.Vector512)
            for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var t = Vector512.LoadUnsafe(ref pt, (nuint)i) * c.Decay;
                var g = Vector512.FusedMultiplyAdd(t, Vector512.Create(c.L2), Vector512.LoadUnsafe(ref pg, (nuint)i));
                var d = g;
                if (c.UseMomentum)
                {
                    var b = Vector512.FusedMultiplyAdd(g, Vector512.Create(c.GradientWeight), Vector512.LoadUnsafe(ref pb, (nuint)i) * c.BufferDecay);
                    b.StoreUnsafe(ref pb, (nuint)i);
                    d = c.Nesterov ? Vector512.FusedMultiplyAdd(b, Vector512.Create(c.Momentum), g) : b;
                }
                Vector512.FusedMultiplyAdd(d, Vector512.Create(-c.LearningRate), t).StoreUnsafe(ref pt, (nuint)i);
            }
        else if (level == SimdLevel.Vector256)
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var t = Vector256.LoadUnsafe(ref pt, (nuint)i) * c.Decay;
                var g = Vector256.FusedMultiplyAdd(t, Vector256.Create(c.L2), Vector256.LoadUnsafe(ref pg, (nuint)i));
                var d = g;
                if (c.UseMomentum)
                {
                    var b = Vector256.FusedMultiplyAdd(g, Vector256.Create(c.GradientWeight), Vector256.LoadUnsafe(ref pb, (nuint)i) * c.BufferDecay);
                    b.StoreUnsafe(ref pb, (nuint)i);
                    d = c.Nesterov ? Vector256.FusedMultiplyAdd(b, Vector256.Create(c.Momentum), g) : b;
                }
                Vector256.FusedMultiplyAdd(d, Vector256.Create(-c.LearningRate), t).StoreUnsafe(ref pt, (nuint)i);
            }
        for (; i < n; i++)
        {
            float t = Unsafe.Add(ref pt, i) * c.Decay;
            float g = MathF.FusedMultiplyAdd(t, c.L2, Unsafe.Add(ref pg, i));
            float d = g;
            if (c.UseMomentum)
            {
                float b = MathF.FusedMultiplyAdd(g, c.GradientWeight, Unsafe.Add(ref pb, i) * c.BufferDecay);
                Unsafe.Add(ref pb, i) = b;
                d = c.Nesterov ? MathF.FusedMultiplyAdd(b, c.Momentum, g) : b;
            }
            Unsafe.Add(ref pt, i) = MathF.FusedMultiplyAdd(d, -c.LearningRate, t);
        }
    }
}
