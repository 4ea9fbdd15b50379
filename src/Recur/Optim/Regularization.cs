namespace Recur.Optim;

/// <summary>
/// How an optimizer regularizes the parameters of one group: exactly one of <see cref="None"/>,
/// <see cref="L2"/> (a penalty added to the loss, so it enters the gradient) or
/// <see cref="DecoupledWeightDecay"/> (a shrinkage of the weights outside the gradient step).
/// The two differ for every optimizer except plain SGD (docs/theory.md 3.1–3.4; Loshchilov &amp;
/// Hutter 2019, "Decoupled Weight Decay Regularization").
/// </summary>
/// <remarks>
/// PyTorch's <c>weight_decay = w</c> in <c>torch.optim.SGD</c> and <c>torch.optim.Adam</c> adds
/// w·θ to the gradient, which is <see cref="L2"/> with γ = w/2 (the gradient of γ‖θ‖² is 2γθ).
/// <c>torch.optim.AdamW(weight_decay = w)</c> is <see cref="DecoupledWeightDecay"/> with λ = w.
/// </remarks>
public abstract record Regularization
{
    private Regularization() { }

    /// <summary>No regularization.</summary>
    public sealed record None : Regularization;

    /// <summary>
    /// Coupled L2 regularization: the loss gains γ‖θ‖², so the optimizer sees the gradient
    /// g + 2γθ (docs/theory.md 3.2) and, for adaptive optimizers, divides the penalty by √v̂ like any
    /// other gradient. PyTorch's SGD/Adam <c>weight_decay = w</c> equals <c>L2(w / 2)</c>.
    /// </summary>
    /// <param name="Gamma">γ ≥ 0, the coefficient of ‖θ‖² in the loss.</param>
    public sealed record L2(double Gamma) : Regularization
    {
        /// <summary>γ, the coefficient of ‖θ‖² in the loss.</summary>
        public double Gamma { get; } = Gamma >= 0 && double.IsFinite(Gamma) ? Gamma
            : throw new ArgumentOutOfRangeException(nameof(Gamma), Gamma, "The L2 coefficient γ must be finite and ≥ 0.");

        /// <summary>The same penalty as PyTorch's coupled <c>weight_decay = w</c>: γ = w / 2.</summary>
        public static L2 FromPyTorchWeightDecay(double weightDecay) => new(weightDecay / 2);
    }

    /// <summary>
    /// Decoupled weight decay (SGDW, AdamW): before the gradient step, θ ← θ − s_t·λ·θ, where s_t
    /// is the group's learning rate η_t at this step, as in <c>torch.optim.AdamW</c>
    /// (<c>param.mul_(1 − lr·weight_decay)</c>); or, with <paramref name="ScaleBySchedule"/>, the
    /// schedule multiplier η_t / η_0 alone, as in the AdamW paper (Algorithm 2, line 12) and
    /// Composer's DecoupledAdamW, so the decay per step does not change when the base learning
    /// rate does. The decay never enters the gradient, the momentum or Adam's moments.
    /// </summary>
    /// <param name="Lambda">λ ≥ 0. PyTorch's AdamW default is 0.01 (see <see cref="AdamOptions.AdamW"/>).</param>
    /// <param name="ScaleBySchedule">Scale λ by the schedule multiplier instead of the learning rate.</param>
    public sealed record DecoupledWeightDecay(double Lambda, bool ScaleBySchedule = false) : Regularization
    {
        /// <summary>λ, the decay rate per step (per unit learning rate unless <see cref="ScaleBySchedule"/>).</summary>
        public double Lambda { get; } = Lambda >= 0 && double.IsFinite(Lambda) ? Lambda
            : throw new ArgumentOutOfRangeException(nameof(Lambda), Lambda, "The decay rate λ must be finite and ≥ 0.");
    }
}
