using Recur.Kernels;
using Recur.Tensors;

namespace Recur.Optim;

// N: scalar parameters in the store.

/// <summary>
/// Stochastic gradient descent with PyTorch's momentum form (<c>torch.optim.SGD</c>):
/// <code>
///   g_t ← ∇L(θ_{t−1}) (+ 2γθ_{t−1} with L2(γ))
///   b_1 = g_1;  b_t = μ·b_{t−1} + (1 − τ)·g_t
///   d_t = g_t + μ·b_t  (Nesterov)  or  b_t  (or g_t when μ = 0)
///   θ_t = θ_{t−1} − η_t·d_t
/// </code>
/// The learning rate stays outside the buffer. This differs from Sutskever et al. 2013
/// (v ← μv − ηg; θ ← θ + v) whenever η changes during training (pytorch/pytorch#1099, PR #1196).
/// Nesterov needs μ &gt; 0 and τ = 0, as PyTorch checks. With
/// <see cref="Regularization.DecoupledWeightDecay"/> it is SGDW: θ ← (1 − η_t·λ)·θ before the
/// step, outside the momentum (Loshchilov &amp; Hutter 2019, Alg. 1).
/// </summary>
public sealed class Sgd : Optimizer
{
    private readonly float[] _buffer; // (N) momentum buffer b, aligned with the store; empty when μ = 0
    private bool _firstStep;

    /// <summary>
    /// SGD over <paramref name="store"/>. Without <paramref name="groups"/>, parameters of the
    /// options' <see cref="SgdOptions.RegularizedKinds"/> get its regularization and the rest none.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A hyper-parameter is out of range.</exception>
    public Sgd(ParameterStore store, SgdOptions options, IEnumerable<ParameterGroup>? groups = null)
        : base(store, options, groups)
    {
        Options = options;
        _buffer = options.Momentum > 0 ? new float[store.Count] : [];
    }

    /// <summary>The hyper-parameters.</summary>
    public SgdOptions Options { get; }

    private protected override string Name => "sgd";

    private protected override void BeginStep(long t) => _firstStep = t == 1;

    private protected override void Update(int offset, int length, double learningRate, float l2, float decay)
    {
        bool momentum = _buffer.Length > 0;
        var c = new SgdCoefficients(decay, l2, (float)learningRate, momentum,
            BufferDecay: _firstStep ? 0f : (float)Options.Momentum,
            GradientWeight: _firstStep ? 1f : (float)(1 - Options.Dampening),
            Options.Nesterov, (float)Options.Momentum);
        SgdKernel.Update(Store.Values.Slice(offset, length), Store.Grads.Slice(offset, length),
            momentum ? _buffer.AsSpan(offset, length) : default, c);
    }

    private protected override (string Name, float[] Buffer)[] StateBuffers() =>
        _buffer.Length > 0 ? [("momentum_buffer", _buffer)] : [];
}
