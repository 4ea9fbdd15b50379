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
/// Written once over the vector width (<see cref="VectorLoop"/>); every width does the same IEEE
/// operations per element, so all widths and the scalar tail give identical bits.
/// </summary>
internal static unsafe class AdamKernel
{
    /// <summary>Updates θ, m, v (and v_max with AMSGrad; else it may be empty), all (n), from g (n).</summary>
    public static void Update(Span<float> theta, ReadOnlySpan<float> grad, Span<float> m, Span<float> v, Span<float> vMax, in AdamCoefficients c)
    {
        int n = theta.Length;
        if (grad.Length != n || m.Length != n || v.Length != n || (c.AmsGrad && vMax.Length != n))
            throw new ArgumentException($"Adam spans differ in length: θ {n}, g {grad.Length}, m {m.Length}, v {v.Length}, v_max {vMax.Length}.");
        fixed (float* pt = theta, pg = grad, pm = m, pv = v, px = vMax)
        {
            var loop = new Loop(pt, pg, pm, pv, px, n, c);
            VectorLoop.Run(ref loop);
        }
    }

    // The elements are a static method, whose parameters the JIT keeps in registers.
    private readonly struct Loop(float* theta, float* grad, float* m, float* v, float* vMax, int n, AdamCoefficients c) : IVectorLoop
    {
        public void Run<W, V>() where W : struct, IVectorWidth<V> where V : struct
        {
            int i = Elements<W, V>(theta, grad, m, v, vMax, n, c, 0);
            Elements<Width1, float>(theta, grad, m, v, vMax, n, c, i);
        }
    }

    private static int Elements<W, V>(float* theta, float* grad, float* m, float* v, float* vMax, int n, in AdamCoefficients c, int i)
        where W : struct, IVectorWidth<V> where V : struct
    {
        V decay = W.Broadcast(c.Decay), l2 = W.Broadcast(c.L2), beta1 = W.Broadcast(c.Beta1), oneMinusBeta1 = W.Broadcast(c.OneMinusBeta1);
        V beta2 = W.Broadcast(c.Beta2), oneMinusBeta2 = W.Broadcast(c.OneMinusBeta2), correction2 = W.Broadcast(c.BiasCorrection2Sqrt);
        V epsilon = W.Broadcast(c.Epsilon), minusStep = W.Broadcast(-c.StepSize);
        bool amsGrad = c.AmsGrad;
        for (; i <= n - W.Count; i += W.Count)
        {
            V t = W.Multiply(W.Load(theta + i), decay);
            V g = W.FusedMultiplyAdd(t, l2, W.Load(grad + i));
            V mi = W.FusedMultiplyAdd(g, oneMinusBeta1, W.Multiply(W.Load(m + i), beta1));
            V vi = W.FusedMultiplyAdd(g, W.Multiply(g, oneMinusBeta2), W.Multiply(W.Load(v + i), beta2));
            W.Store(mi, m + i);
            W.Store(vi, v + i);
            if (amsGrad)
            {
                vi = W.Max(W.Load(vMax + i), vi);
                W.Store(vi, vMax + i);
            }
            V denominator = W.Add(W.Divide(W.Sqrt(vi), correction2), epsilon);
            W.Store(W.FusedMultiplyAdd(W.Divide(mi, denominator), minusStep, t), theta + i);
        }
        return i;
    }
}
