using Recur.Kernels;
using Recur.Nn.Recurrent;

namespace Recur.Diagnostics;

// Dimension glossary: T steps, H hidden units, S state size (H; 2H for the LSTM's (h, c)).

/// <summary>
/// ‖∂h_T/∂h_0‖₂ for a range of T along one batch row of a recurrent layer's last Forward
/// (docs/theory.md 1.2–1.3), from the exact Jacobian products of <see cref="RecurrentJacobian"/> and
/// power iteration (<see cref="SpectralNorm"/>), with the bound (‖W‖γ)^T where it applies.
/// </summary>
/// <param name="Steps">T, ascending.</param>
/// <param name="JacobianNorm">‖∂h_T/∂h_0‖₂ per T (for the LSTM: c_0 held fixed, every path through c included).</param>
/// <param name="StateNorm">For the LSTM, ‖∂(h_T, c_T)/∂(h_0, c_0)‖₂ per T; null otherwise.</param>
/// <param name="Bound">
/// (‖W‖γ)^T per T for Elman layers, W = <c>weight_hh</c> and γ = sup|σ′| (1 for tanh and ReLU,
/// 1/4 for the sigmoid): each J_t is diag(σ′)·W or W·diag(σ′), so ‖J_t‖ ≤ ‖W‖γ and the product
/// obeys the bound. Null for LSTM and GRU layers: their Jacobians add the identity-like paths
/// diag(f) and diag(z), so no bound of this form holds (‖J_t‖ may exceed ‖W_hh‖·sup|gate′|).
/// </param>
/// <param name="WeightNorm">‖W_hh‖₂ of the layer (the whole GH×H matrix for gated cells).</param>
/// <param name="Gamma">γ for Elman layers; null otherwise.</param>
public sealed record JacobianSeries(int[] Steps, double[] JacobianNorm, double[]? StateNorm, double[]? Bound, double WeightNorm, double? Gamma)
{
    /// <summary>
    /// The series for T = <paramref name="minSteps"/> … <paramref name="maxSteps"/> (at most the
    /// last Forward's T) of batch row <paramref name="row"/>. The product is carried from one T to
    /// the next (one S×S product per step) and each power iteration starts from the previous T's
    /// singular vector.
    /// </summary>
    public static JacobianSeries Measure(RecurrentLayer layer, int row, int maxSteps, int minSteps = 1)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentOutOfRangeException.ThrowIfLessThan(minSteps, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSteps, minSteps);
        if (maxSteps > layer.Steps) throw new ArgumentOutOfRangeException(nameof(maxSteps), maxSteps, $"The last Forward ran {layer.Steps} steps.");
        int h = layer.HiddenSize, s = RecurrentJacobian.StateSize(layer), count = maxSteps - minSteps + 1;
        bool lstm = layer.HasCellState;
        var steps = new int[count];
        var norms = new double[count];
        var stateNorms = lstm ? new double[count] : null;
        var product = RecurrentJacobian.Identity(s);   // (S, S) ∂s_t/∂s_0
        var step = new double[s * s];
        var next = new double[s * s];
        var hiddenStart = SpectralNorm.DefaultStart(h);
        var stateStart = SpectralNorm.DefaultStart(s);
        for (int t = 1; t <= maxSteps; t++)
        {
            RecurrentJacobian.Step(layer, t, row, step);
            RecurrentJacobian.Multiply(step, product, next, s);
            (product, next) = (next, product);
            if (t < minSteps) continue;
            int k = t - minSteps;
            steps[k] = t;
            norms[k] = lstm
                ? SpectralNorm.Compute(RecurrentJacobian.HiddenBlock(product, h), h, h, hiddenStart)
                : SpectralNorm.Compute(product, h, h, hiddenStart);
            if (stateNorms is not null) stateNorms[k] = SpectralNorm.Compute(product, s, s, stateStart);
        }
        double weightNorm = SpectralNorm.Compute(layer.WeightHH.Value.Span, layer.Gates * h, h);
        double[]? bound = null;
        double? gamma = null;
        if (layer is ElmanLayer elman)
        {
            gamma = Activations.DerivativeBound(elman.Activation);
            bound = new double[count];
            for (int k = 0; k < count; k++) bound[k] = Math.Pow(weightNorm * gamma.Value, steps[k]);
        }
        return new JacobianSeries(steps, norms, stateNorms, bound, weightNorm, gamma);
    }
}
