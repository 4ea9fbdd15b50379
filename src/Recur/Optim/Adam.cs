using Recur.Kernels;
using Recur.Tensors;

namespace Recur.Optim;

// N: scalar parameters in the store.

/// <summary>
/// Adam (Kingma &amp; Ba 2015) as <c>torch.optim.Adam</c>, with bias correction and optional
/// AMSGrad (Reddi et al. 2018):
/// <code>
///   g_t ← ∇L(θ_{t−1}) (+ 2γθ_{t−1} with L2(γ): the penalty is then divided by √v̂ like the rest)
///   m_t = β1·m_{t−1} + (1 − β1)·g_t;   v_t = β2·v_{t−1} + (1 − β2)·g_t²
///   θ_t = θ_{t−1} − α_t·(m_t / (1 − β1^t)) / (√(v_t / (1 − β2^t)) + ε)
/// </code>
/// With <see cref="Regularization.DecoupledWeightDecay"/> it is AdamW
/// (<see cref="AdamOptions.AdamW"/>; Loshchilov &amp; Hutter 2019, Alg. 2): θ ← (1 − α_t·λ)·θ
/// before the step, outside m and v, so every weight decays at the same relative rate
/// (docs/theory.md 3.3–3.4).
/// </summary>
public sealed class Adam : Optimizer
{
    private readonly float[] _m;    // (N) first moment, aligned with the store
    private readonly float[] _v;    // (N) second moment
    private readonly float[] _vMax; // (N) running max of v (AMSGrad); empty otherwise
    private double _biasCorrection1, _biasCorrection2Sqrt;

    /// <summary>
    /// Adam over <paramref name="store"/>. Without <paramref name="groups"/>, parameters of the
    /// options' <see cref="AdamOptions.RegularizedKinds"/> get its regularization and the rest none.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A hyper-parameter is out of range.</exception>
    public Adam(ParameterStore store, AdamOptions options, IEnumerable<ParameterGroup>? groups = null)
        : base(store, options, groups)
    {
        Options = options;
        _m = new float[store.Count];
        _v = new float[store.Count];
        _vMax = options.AmsGrad ? new float[store.Count] : [];
    }

    /// <summary>The hyper-parameters.</summary>
    public AdamOptions Options { get; }

    private protected override string Name => "adam";

    private protected override void BeginStep(long t)
    {
        _biasCorrection1 = 1 - Math.Pow(Options.Beta1, t);
        _biasCorrection2Sqrt = Math.Sqrt(1 - Math.Pow(Options.Beta2, t));
    }

    private protected override void Update(int offset, int length, double learningRate, float l2, float decay)
    {
        var c = new AdamCoefficients(decay, l2,
            (float)Options.Beta1, (float)(1 - Options.Beta1), (float)Options.Beta2, (float)(1 - Options.Beta2),
            StepSize: (float)(learningRate / _biasCorrection1), (float)_biasCorrection2Sqrt, (float)Options.Epsilon, Options.AmsGrad);
        AdamKernel.Update(Store.Values.Slice(offset, length), Store.Grads.Slice(offset, length),
            _m.AsSpan(offset, length), _v.AsSpan(offset, length), Options.AmsGrad ? _vMax.AsSpan(offset, length) : default, c);
    }

    private protected override (string Name, float[] Buffer)[] StateBuffers() => Options.AmsGrad
        ? [("exp_avg", _m), ("exp_avg_sq", _v), ("max_exp_avg_sq", _vMax)]
        : [("exp_avg", _m), ("exp_avg_sq", _v)];
}
