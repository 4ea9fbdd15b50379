using Recur.Kernels;
using Recur.Tensors;

namespace Recur.Nn.Recurrent;

// Dimension glossary: T steps, B batch, H hidden units; gate rows (B, 4H) hold i, f, g, o.

/// <summary>
/// An LSTM layer with PyTorch's nn.LSTM equations and parameter layout:
/// i = σ(W_ii x + b_ii + W_hi h + b_hi), f = σ(W_if x + b_if + W_hf h + b_hf),
/// g = tanh(W_ig x + b_ig + W_hg h + b_hg), o = σ(W_io x + b_io + W_ho h + b_ho),
/// c_t = f ⊙ c_{t−1} + i ⊙ g, h_t = o ⊙ tanh(c_t) (Hochreiter &amp; Schmidhuber 1997 with the
/// forget gate of Gers et al. 2000). Layer-normalized: see <see cref="RecurrentLayer"/>; then
/// h_t = o ⊙ tanh(LN(c_t; γ_c, β_c)) with <c>ln_cell_weight_lK</c>, <c>ln_cell_bias_lK</c>.
/// </summary>
public sealed class LstmLayer : RecurrentLayer
{
    private float[] _cells = [];     // (T + 1, B, H) c_0 … c_T
    private float[] _tanhU = [];     // (T, B, H) tanh(u_t), u_t = c_t or LN(c_t)
    private float[] _cellHat = [];   // LN: (T, B, H) normalized c_t
    private float[] _cellRstd = [];  // LN: (T, B)
    private float[] _dc = [];        // (B, H) running ∂L/∂c_t
    private float[] _du = [];        // LN: (B, H) ∂L/∂LN(c_t), then ∂L/∂c_t through it

    internal LstmLayer(RecurrentOptions options, int layer, Rng rng) : base(options, layer, 4, rng)
    {
        if (!IsLayerNormalized) return;
        CellNormGain = AddParameter("ln_cell_weight", ParameterKind.Normalization, 1f, 1f, null, HiddenSize);
        CellNormShift = AddParameter("ln_cell_bias", ParameterKind.Normalization, 0f, 0f, null, HiddenSize);
    }

    /// <inheritdoc/>
    public override bool HasCellState => true;

    /// <summary><c>ln_cell_weight_lK</c>, γ_c (H); null without layer normalization.</summary>
    public Parameter? CellNormGain { get; }
    /// <summary><c>ln_cell_bias_lK</c>, β_c (H); null without layer normalization.</summary>
    public Parameter? CellNormShift { get; }

    /// <summary>The cell c_t (B, H) of the last Forward, t = 0 (the initial cell) … T.</summary>
    public ReadOnlySpan<float> Cell(int t) => _cells.AsSpan(CheckState(t) * Batch * HiddenSize, Batch * HiddenSize);

    /// <summary>The gate values (i, f, g, o) (B, 4H) of step t = 1 … T, the step that produced h_t.</summary>
    public ReadOnlySpan<float> GateValues(int t) => Pre.AsSpan((CheckStep(t) - 1) * Batch * 4 * HiddenSize, Batch * 4 * HiddenSize);

    /// <summary>tanh(c_t) (or tanh(LN(c_t))) (B, H) of step t = 1 … T, so that h_t = o ⊙ this.</summary>
    public ReadOnlySpan<float> OutputTanh(int t) => _tanhU.AsSpan((CheckStep(t) - 1) * Batch * HiddenSize, Batch * HiddenSize);

    private protected override void ForwardStep(int t, int batch)
    {
        int bh = batch * HiddenSize, g4 = 4 * HiddenSize;
        var gates = Pre.AsSpan(t * batch * g4, batch * g4);   // (B, 4H) pre-activations, then gate values
        var c = _cells.AsSpan((t + 1) * bh, bh);
        var tanhU = _tanhU.AsSpan(t * bh, bh);
        var cPrev = _cells.AsSpan(t * bh, bh);
        var h = States.AsSpan((t + 1) * bh, bh);
        AddRecurrentProjection(t, batch, States.AsSpan(t * bh, bh), gates);
        if (!IsLayerNormalized)
        {
            LstmCell.Forward(gates, cPrev, c, tanhU, h, batch, HiddenSize);
            return;
        }
        LstmCell.Activate(gates, batch, HiddenSize);
        LstmCell.UpdateCell(gates, cPrev, c, batch, HiddenSize);
        RowLayerNorm.Forward(c, CellNormGain!.Value.Span, CellNormShift!.Value.Span, _cellHat.AsSpan(t * bh, bh),
            _cellRstd.AsSpan(t * batch, batch), tanhU, batch, accumulate: false);
        Activations.Tanh(tanhU, tanhU);
        LstmCell.Emit(gates, tanhU, h, batch, HiddenSize);
    }

    private protected override void BackwardStep(int t, int batch, Span<float> dh, Span<float> dhPrev)
    {
        int bh = batch * HiddenSize, g4 = 4 * HiddenSize;
        var gates = Pre.AsSpan(t * batch * g4, batch * g4);
        var dGates = DPre.AsSpan(t * batch * g4, batch * g4);
        var tanhU = _tanhU.AsSpan(t * bh, bh);
        var dc = _dc.AsSpan(0, bh);
        var cPrev = _cells.AsSpan(t * bh, bh);
        if (IsLayerNormalized)
        {
            var du = _du.AsSpan(0, bh);
            LstmCell.OutputBackward(gates, tanhU, dh, dGates, du, batch, HiddenSize, accumulate: false);
            RowLayerNorm.Backward(du, _cellHat.AsSpan(t * bh, bh), _cellRstd.AsSpan(t * batch, batch), CellNormGain!.Value.Span,
                CellNormGain.Grad.Span, CellNormShift!.Grad.Span, du, batch);
            Elementwise.AddTo(du, dc);
            LstmCell.CellBackward(gates, cPrev, dc, dGates, batch, HiddenSize);
        }
        else
        {
            LstmCell.Backward(gates, tanhU, dh, cPrev, dc, dGates, batch, HiddenSize);
        }
        AddRecurrentGradient(t, batch, dGates, dhPrev, accumulate: true);
    }

    private protected override void EnsureCaches(int steps, int batch)
    {
        base.EnsureCaches(steps, batch);
        long rows = (long)steps * batch;
        Grow(ref _cells, (rows + batch) * HiddenSize);
        Grow(ref _tanhU, rows * HiddenSize);
        Grow(ref _dc, (long)batch * HiddenSize);
        if (!IsLayerNormalized) return;
        Grow(ref _cellHat, rows * HiddenSize);
        Grow(ref _cellRstd, rows);
        Grow(ref _du, (long)batch * HiddenSize);
    }

    private protected override void InitializeState(ReadOnlySpan<float> c0)
    {
        var first = _cells.AsSpan(0, Batch * HiddenSize);
        if (c0.IsEmpty) first.Clear();
        else c0.CopyTo(first);
    }

    private protected override void CopyFinalCell(Span<float> cN) => Cell(Steps).CopyTo(cN);

    private protected override void BeginBackward(ReadOnlySpan<float> dcN)
    {
        var dc = _dc.AsSpan(0, Batch * HiddenSize);
        if (dcN.IsEmpty) dc.Clear();
        else dcN.CopyTo(dc);
    }

    private protected override void EndBackward(Span<float> dc0)
    {
        if (!dc0.IsEmpty) _dc.AsSpan(0, Batch * HiddenSize).CopyTo(dc0);
    }
}
