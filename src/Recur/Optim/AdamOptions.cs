using Recur.Tensors;

namespace Recur.Optim;

/// <summary>
/// Hyper-parameters of <see cref="Adam"/>, named and defaulted as <c>torch.optim.Adam(params,
/// lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False)</c>. PyTorch's Adam
/// <c>weight_decay = w</c> is <c>Regularization = new L2(w / 2)</c>; <c>torch.optim.AdamW</c> is
/// <see cref="AdamW"/>.
/// </summary>
public sealed record AdamOptions : IOptimizerOptions
{
    /// <summary>α ≥ 0 (PyTorch's lr).</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>β1 ∈ [0, 1), the decay of the first-moment average m.</summary>
    public double Beta1 { get; init; } = 0.9;

    /// <summary>β2 ∈ [0, 1), the decay of the second-moment average v.</summary>
    public double Beta2 { get; init; } = 0.999;

    /// <summary>ε ≥ 0, added to √v̂ in the denominator.</summary>
    public double Epsilon { get; init; } = 1e-8;

    /// <summary>AMSGrad (Reddi et al. 2018): divide by √max(v_1..v_t) instead of √v_t.</summary>
    public bool AmsGrad { get; init; }

    /// <summary>The regularization of the regularized kinds (or of groups that do not set their own); none by default.</summary>
    public Regularization Regularization { get; init; } = new Regularization.None();

    /// <summary>
    /// Kinds that get <see cref="Regularization"/> in the default grouping (<see cref="ParameterGroup.ByKind"/>):
    /// weights only, so biases, normalization gains and embeddings are not decayed. Ignored when groups are given.
    /// </summary>
    public IReadOnlyList<ParameterKind> RegularizedKinds { get; init; } = [ParameterKind.Weight];

    /// <summary>
    /// AdamW as <c>torch.optim.AdamW(params, lr, weight_decay=0.01)</c>: Adam with
    /// <see cref="Regularization.DecoupledWeightDecay"/>(λ = <paramref name="weightDecay"/>),
    /// θ ← θ − α_t·λ·θ before each Adam step. The default λ = 0.01 is PyTorch's (TorchSharp's is 0).
    /// </summary>
    public static AdamOptions AdamW(double learningRate = 1e-3, double weightDecay = 0.01) =>
        new() { LearningRate = learningRate, Regularization = new Regularization.DecoupledWeightDecay(weightDecay) };

    void IOptimizerOptions.Validate()
    {
        if (!(LearningRate >= 0 && double.IsFinite(LearningRate)))
            throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "The learning rate must be finite and ≥ 0.");
        if (!(Beta1 is >= 0 and < 1)) throw new ArgumentOutOfRangeException(nameof(Beta1), Beta1, "β1 must lie in [0, 1).");
        if (!(Beta2 is >= 0 and < 1)) throw new ArgumentOutOfRangeException(nameof(Beta2), Beta2, "β2 must lie in [0, 1).");
        if (!(Epsilon >= 0 && double.IsFinite(Epsilon))) throw new ArgumentOutOfRangeException(nameof(Epsilon), Epsilon, "ε must be finite and ≥ 0.");
        ArgumentNullException.ThrowIfNull(Regularization);
        ArgumentNullException.ThrowIfNull(RegularizedKinds);
    }
}
