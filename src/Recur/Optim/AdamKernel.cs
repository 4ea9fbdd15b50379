using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Recur.Kernels;

namespace Recur.Optim;

// n: elements in one contiguous run of the parameter store.

/// <summary>Per-step scalars of <see cref="AdamKernel.Update"/>, already in float as PyTorch casts them.</summary>
internal readonly record struct AdamCoefficients(
    float Decay, float L2, float Beta1, float OneMinusBeta1, float Beta2, float OneMinusBeta2,
    float StepSize, float BiasCorrection2Sqrt, float Epsilon, bool AmsGrad);

/// <summary>
/// The fused Adam update over one run of the store, in PyTorch's order (torch/optim/adam.py and
/// adamw.py, _single_tensor_adam[w]), one pass per element (Kingma &amp; Ba 2015, Alg. 1):
/// <code>
///   θ ← decay·θ                         decoupled weight decay (decay = 1 − s·λ; 1 otherwise)
///   g ← g + l2·θ                        L2, l2 = 2γ (0 otherwise)
///   m ← β1·m + (1 − β1)·g
///   v ← β2·v + (1 − β2)·g²
///   v_max ← max(v_max, v)                AMSGrad only; then v_max replaces v below
///   θ ← θ − (α / (1 − β1^t))·m / (√v / √(1 − β2^t) + ε)
/// </code>
/// Every width does the same IEEE operations per element, so the Vector512, Vector256 and scalar
/// paths give identical bits.
/// </summary>
internal static class AdamKernel
{
    /// <summary>Updates θ, m, v (and v_max with AMSGrad; else it may be empty), all (n), from g (n).</summary>
    public static void Update(Span<float> theta, ReadOnlySpan<float> grad, Span<float> m, Span<float> v, Span<float> vMax,
        in AdamCoefficients c, SimdLevel level)
    {
        int n = theta.Length;
        if (grad.Length != n || m.Length != n || v.Length != n || (c.AmsGrad && vMax.Length != n))
            throw new ArgumentException($"Adam spans differ in length: θ {n}, g {grad.Length}, m {m.Length}, v {v.Length}, v_max {vMax.Length}.");
        ref float pt = ref MemoryMarshal.GetReference(theta);
        ref float pg = ref MemoryMarshal.GetReference(grad);
        ref float pm = ref MemoryMarshal.GetReference(m);
        ref float pv = ref MemoryMarshal.GetReference(v);
        ref float px = ref MemoryMarshal.GetReference(vMax);
        int i = 0;
        if (level == SimdLevel.Vector512)
            for (; i <= n - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var t = Vector512.LoadUnsafe(ref pt, (nuint)i) * c.Decay;
                var g = Vector512.FusedMultiplyAdd(t, Vector512.Create(c.L2), Vector512.LoadUnsafe(ref pg, (nuint)i));
                var mi = Vector512.FusedMultiplyAdd(g, Vector512.Create(c.OneMinusBeta1), Vector512.LoadUnsafe(ref pm, (nuint)i) * c.Beta1);
                var vi = Vector512.FusedMultiplyAdd(g, g * c.OneMinusBeta2, Vector512.LoadUnsafe(ref pv, (nuint)i) * c.Beta2);
                mi.StoreUnsafe(ref pm, (nuint)i);
                vi.StoreUnsafe(ref pv, (nuint)i);
                if (c.AmsGrad)
                {
                    vi = Vector512.Max(Vector512.LoadUnsafe(ref px, (nuint)i), vi);
                    vi.StoreUnsafe(ref px, (nuint)i);
                }
                var denominator = Vector512.Sqrt(vi) / c.BiasCorrection2Sqrt + Vector512.Create(c.Epsilon);
                Vector512.FusedMultiplyAdd(mi / denominator, Vector512.Create(-c.StepSize), t).StoreUnsafe(ref pt, (nuint)i);
            }
        else if (level == SimdLevel.Vector256)
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var t = Vector256.LoadUnsafe(ref pt, (nuint)i) * c.Decay;
                var g = Vector256.FusedMultiplyAdd(t, Vector256.Create(c.L2), Vector256.LoadUnsafe(ref pg, (nuint)i));
                var mi = Vector256.FusedMultiplyAdd(g, Vector256.Create(c.OneMinusBeta1), Vector256.LoadUnsafe(ref pm, (nuint)i) * c.Beta1);
                var vi = Vector256.FusedMultiplyAdd(g, g * c.OneMinusBeta2, Vector256.LoadUnsafe(ref pv, (nuint)i) * c.Beta2);
                mi.StoreUnsafe(ref pm, (nuint)i);
                vi.StoreUnsafe(ref pv, (nuint)i);
                if (c.AmsGrad)
                {
                    vi = Vector256.Max(Vector256.LoadUnsafe(ref px, (nuint)i), vi);
                    vi.StoreUnsafe(ref px, (nuint)i);
                }
                var denominator = Vector256.Sqrt(vi) / c.BiasCorrection2Sqrt + Vector256.Create(c.Epsilon);
                Vector256.FusedMultiplyAdd(mi / denominator, Vector256.Create(-c.StepSize), t).StoreUnsafe(ref pt, (nuint)i);
            }
        for (; i < n; i++)
        {
            float t = Unsafe.Add(ref pt, i) * c.Decay;
            float g = MathF.FusedMultiplyAdd(t, c.L2, Unsafe.Add(ref pg, i));
            float mi = MathF.FusedMultiplyAdd(g, c.OneMinusBeta1, Unsafe.Add(ref pm, i) * c.Beta1);
            float vi = MathF.FusedMultiplyAdd(g, g * c.OneMinusBeta2, Unsafe.Add(ref pv, i) * c.Beta2);
            Unsafe.Add(ref pm, i) = mi;
            Unsafe.Add(ref pv, i) = vi;
            if (c.AmsGrad)
            {
                vi = MathF.Max(Unsafe.Add(ref px, i), vi);
                Unsafe.Add(ref px, i) = vi;
            }
            float denominator = MathF.Sqrt(vi) / c.BiasCorrection2Sqrt + c.Epsilon;
            Unsafe.Add(ref pt, i) = MathF.FusedMultiplyAdd(mi / denominator, -c.StepSize, t);
        }
    }
}
