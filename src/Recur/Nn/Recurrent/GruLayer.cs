using Recur.Kernels;
using Recur.Tensors;

namespace Recur.Nn.Recurrent;

// Dimension glossary: T steps, B batch, H hidden units; gate rows (B, 3H) hold r, z, n.

/// <summary>
/// A GRU layer with PyTorch's nn.GRU equations and parameter layout:
/// r = σ(W_ir x + b_ir + W_hr h + b_hr), z = σ(W_iz x + b_iz + W_hz h + b_hz),
/// n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)), h_t = (1 − z) ⊙ n + z ⊙ h_{t−1}.
/// The reset gate multiplies the recurrent product after it is taken (Cho et al. 2014 v1, as
/// cuDNN and PyTorch), not h_{t−1} before it (v3). Layer-normalized: see
/// <see cref="RecurrentLayer"/>; the normalized recurrent projection plus b_hh forms the
/// (W_hr h + b_hr, W_hz h + b_hz, W_hn h + b_hn) above.
/// </summary>
public sealed class GruLayer : RecurrentLayer
{
    private float[] _recurrent = [];   // (T, B, 3H) p_t = LN?(h_{t−1}·W_hhᵀ) + b_hh
    private float[] _dRecurrent = [];  // (T, B, 3H) ∂L/∂p_t

    internal GruLayer(RecurrentOptions options, int layer, Rng rng) : base(options, layer, 3, rng)
    {
    }

    /// <summary>The gate values (r, z, n) (B, 3H) of step t = 1 … T, the step that produced h_t.</summary>
    public ReadOnlySpan<float> GateValues(int t) => Pre.AsSpan((CheckStep(t) - 1) * Batch * 3 * HiddenSize, Batch * 3 * HiddenSize);

    /// <summary>The recurrent projection p = W_hh h_{t−1} + b_hh (B, 3H) of step t = 1 … T (n uses r ⊙ its last block).</summary>
    public ReadOnlySpan<float> RecurrentProjection(int t) => _recurrent.AsSpan((CheckStep(t) - 1) * Batch * 3 * HiddenSize, Batch * 3 * HiddenSize);

    // b_hn sits inside r ⊙ (…), so b_hh cannot join the input projection.
    private protected override bool FoldsRecurrentBias => false;

    private protected override Span<float> RecurrentPreGradient(int rows) => _dRecurrent.AsSpan(0, rows * 3 * HiddenSize);

    private protected override void ForwardStep(int t, int batch)
    {
        int bh = batch * HiddenSize, g3 = 3 * HiddenSize;
        var gates = Pre.AsSpan(t * batch * g3, batch * g3);     // (B, 3H) input projections, then r, z, n
        var p = _recurrent.AsSpan(t * batch * g3, batch * g3);  // (B, 3H)
        var bias = BiasHH.Value.Span;
        Elementwise.FillRows(bias, p);
        var hPrev = States.AsSpan(t * bh, bh);
        AddRecurrentProjection(t, batch, hPrev, p);
        GruCell.Forward(gates, p, hPrev, States.AsSpan((t + 1) * bh, bh), batch, HiddenSize);
    }

    private protected override void BackwardStep(int t, int batch, Span<float> dh, Span<float> dhPrev)
    {
        int bh = batch * HiddenSize, g3 = 3 * HiddenSize;
        var dp = _dRecurrent.AsSpan(t * batch * g3, batch * g3);
        GruCell.Backward(Pre.AsSpan(t * batch * g3, batch * g3), _recurrent.AsSpan(t * batch * g3, batch * g3), States.AsSpan(t * bh, bh), dh,
            DPre.AsSpan(t * batch * g3, batch * g3), dp, dhPrev, batch, HiddenSize);
        AddRecurrentGradient(t, batch, dp, dhPrev, accumulate: true);
    }

    private protected override void EnsureCaches(int steps, int batch)
    {
        base.EnsureCaches(steps, batch);
        long size = (long)steps * batch * 3 * HiddenSize;
        Grow(ref _recurrent, size);
        Grow(ref _dRecurrent, size);
    }
}
