using Recur.Tensors;

namespace Recur.Optim;

/// <summary>
/// Hyper-parameters of <see cref="Sgd"/>, named and defaulted as <c>torch.optim.SGD(params, lr,
/// momentum=0, dampening=0, weight_decay=0, nesterov=False)</c>; the learning rate has no default,
/// as in PyTorch. PyTorch's <c>weight_decay = w</c> is <c>Regularization = new L2(w / 2)</c>;
/// <see cref="Regularization.DecoupledWeightDecay"/> gives SGDW (Loshchilov &amp; Hutter 2019, Alg. 1).
/// </summary>
/// <param name="LearningRate">η ≥ 0 (PyTorch's lr).</param>
public sealed record SgdOptions(double LearningRate) : IOptimizerOptions
{
    /// <summary>Momentum μ ≥ 0; 0 turns momentum off.</summary>
    public double Momentum { get; init; }

    /// <summary>Dampening τ ∈ [0, 1]: the momentum buffer adds (1 − τ)·g. PyTorch accepts any τ; Recur rejects τ outside [0, 1].</summary>
    public double Dampening { get; init; }

    /// <summary>Nesterov momentum (Sutskever et al. 2013, in PyTorch's form); needs μ &gt; 0 and τ = 0.</summary>
    public bool Nesterov { get; init; }

    /// <summary>The regularization of the regularized kinds (or of groups that do not set their own); none by default.</summary>
    public Regularization Regularization { get; init; } = new Regularization.None();

    /// <summary>
    /// Kinds that get <see cref="Regularization"/> in the default grouping (<see cref="ParameterGroup.ByKind"/>):
    /// weights only, so biases, normalization gains and embeddings are not decayed. Ignored when groups are given.
    /// </summary>
    public IReadOnlyList<ParameterKind> RegularizedKinds { get; init; } = [ParameterKind.Weight];

    void IOptimizerOptions.Validate()
    {
        if (!(LearningRate >= 0 && double.IsFinite(LearningRate)))
            throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "The learning rate must be finite and ≥ 0.");
        if (!(Momentum >= 0 && double.IsFinite(Momentum)))
            throw new ArgumentOutOfRangeException(nameof(Momentum), Momentum, "Momentum must be finite and ≥ 0.");
        if (!(Dampening is >= 0 and <= 1))
            throw new ArgumentOutOfRangeException(nameof(Dampening), Dampening, "Dampening must lie in [0, 1].");
        if (Nesterov && (Momentum <= 0 || Dampening != 0))
            throw new ArgumentOutOfRangeException(nameof(Nesterov), Nesterov, "Nesterov momentum requires a momentum > 0 and zero dampening (as in PyTorch).");
        ArgumentNullException.ThrowIfNull(Regularization);
        ArgumentNullException.ThrowIfNull(RegularizedKinds);
    }
}
