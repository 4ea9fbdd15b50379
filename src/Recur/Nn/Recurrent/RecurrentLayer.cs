using Recur.Kernels;
using Recur.Tensors;

namespace Recur.Nn.Recurrent;

// Dimension glossary: T steps, B batch, I input features, H hidden units, G gates (1 Elman,
// 4 LSTM, 3 GRU); gate rows are GH = G·H wide. Sequences are laid out (T, B, features).

/// <summary>
/// One recurrent layer unrolled over a whole sequence, with backpropagation through time. The
/// parameters have PyTorch's names and shapes, so weights move between Recur and PyTorch
/// unchanged: <c>weight_ih_lK</c> (GH × I), <c>weight_hh_lK</c> (GH × H), <c>bias_ih_lK</c> and
/// <c>bias_hh_lK</c> (GH), gates stacked in PyTorch's order, all initialized U(−1/√H, 1/√H).
/// Per Forward: one GEMM projects the inputs of all T steps (x·W_ihᵀ + b), then each step adds
/// its recurrent product h_{t−1}·W_hhᵀ with one GEMM and does the gate arithmetic in fused
/// kernels. Backward runs one GEMM per step for ∂L/∂h_{t−1} and then one GEMM each for
/// ∂W_hh, ∂W_ih and ∂x over the whole sequence; parameter gradients are added (+=).
/// <para>
/// Layer normalization (Ba, Kiros &amp; Hinton 2016, §3.1 and eqs. 20–22), when enabled: the
/// input and the recurrent projections are normalized separately over their GH features before
/// the biases are added, a = LN(x·W_ihᵀ; γ_ih, β_ih) + b_ih + LN(h·W_hhᵀ; γ_hh, β_hh) + b_hh
/// (for the GRU the recurrent part, with b_hh, forms p as in PyTorch's GRU), and the LSTM output
/// is h_t = o ⊙ tanh(LN(c_t; γ_c, β_c)) while the un-normalized c_t is carried, as in the paper
/// (PyTorch's custom_lstms.py example instead carries LN(c_t)). Extra parameters, all kind
/// Normalization, gains 1 and shifts 0: <c>ln_ih_weight_lK</c>, <c>ln_ih_bias_lK</c>,
/// <c>ln_hh_weight_lK</c>, <c>ln_hh_bias_lK</c> (GH), and for the LSTM <c>ln_cell_weight_lK</c>,
/// <c>ln_cell_bias_lK</c> (H). ε = 1e-5, biased variance, as PyTorch's LayerNorm.
/// </para>
/// <para>
/// Weights are read from their <see cref="Parameter.Value"/> at the start of every Forward and
/// never copied across calls, so a re-parametrization (weight normalization) may rewrite them
/// between calls. After Forward the per-step activations stay readable (<see cref="Hidden"/>
/// and the subclasses' accessors) until the next Forward or Step.
/// </para>
/// </summary>
public abstract partial class RecurrentLayer : Module
{
    private readonly List<Parameter> _parameters = [];
    private float[] _recurrentHat = [];   // LN: (T, B, GH) normalized recurrent projection
    private float[] _recurrentRstd = [];  // LN: (T, B)
    private float[] _dRecurrentRaw = [];  // LN: (T, B, GH) ∂L/∂(h_{t−1}·W_hhᵀ) before normalization
    private readonly PackedMatrix _packedHH = new();     // W_hhᵀ (H × GH) packed once per Forward for the per-step products
    private readonly PackedMatrix _packedHHBack = new(); // W_hh (GH × H) packed once per Backward
    private bool _packedSteps;            // whether this pass's steps multiply by the packed W_hh
    private bool _decodePacked;                          // _packedHH holds the current weights for decoding
    private float[] _dh = [];             // (B, H) ∂L/∂h_t during Backward
    private float[] _dhPrev = [];         // (B, H) ∂L/∂h_{t−1} during Backward
    private bool _hasForward;

    /// <summary>(T, B, GH) gate pre-activations; LSTM and GRU overwrite them with the gate values.</summary>
    private protected float[] Pre = [];
    /// <summary>(T, B, GH) ∂L/∂(pre-activations).</summary>
    private protected float[] DPre = [];
    /// <summary>(T + 1, B, H) the states h_0 … h_T; rows 1 … T are the outputs.</summary>
    private protected float[] States = [];

    private protected RecurrentLayer(RecurrentOptions options, int layer, int gates, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(rng);
        options.Validate();
        ArgumentOutOfRangeException.ThrowIfNegative(layer);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(layer, options.Layers);
        InputSize = layer == 0 ? options.InputSize : options.HiddenSize;
        HiddenSize = options.HiddenSize;
        Gates = gates;
        LayerIndex = layer;
        IsLayerNormalized = options.LayerNorm;
        NamePrefix = options.Prefix.Length == 0 ? "" : options.Prefix + ".";
        int gh = gates * HiddenSize;
        // PyTorch's reset_parameters: every weight and bias U(−1/√H, 1/√H), in this order.
        float k = 1f / MathF.Sqrt(HiddenSize);
        WeightIH = AddParameter("weight_ih", ParameterKind.Weight, -k, k, rng, gh, InputSize);
        WeightHH = AddParameter("weight_hh", ParameterKind.Weight, -k, k, rng, gh, HiddenSize);
        BiasIH = AddParameter("bias_ih", ParameterKind.Bias, -k, k, rng, gh);
        BiasHH = AddParameter("bias_hh", ParameterKind.Bias, -k, k, rng, gh);
        if (IsLayerNormalized)
        {
            InputNormGain = AddParameter("ln_ih_weight", ParameterKind.Normalization, 1f, 1f, null, gh);
            InputNormShift = AddParameter("ln_ih_bias", ParameterKind.Normalization, 0f, 0f, null, gh);
            RecurrentNormGain = AddParameter("ln_hh_weight", ParameterKind.Normalization, 1f, 1f, null, gh);
            RecurrentNormShift = AddParameter("ln_hh_bias", ParameterKind.Normalization, 0f, 0f, null, gh);
        }
    }

    /// <summary>Features of x_t.</summary>
    public int InputSize { get; }
    /// <summary>Features of h_t.</summary>
    public int HiddenSize { get; }
    /// <summary>G: gate blocks per row of the weights (1 Elman, 4 LSTM, 3 GRU).</summary>
    public int Gates { get; }
    /// <summary>K in the parameter names (<c>weight_ih_lK</c>).</summary>
    public int LayerIndex { get; }
    /// <summary>Whether the layer-normalized variant is used.</summary>
    public bool IsLayerNormalized { get; }
    /// <summary>True for the LSTM, whose state also holds the cell c_t.</summary>
    public virtual bool HasCellState => false;
    /// <summary>T of the last Forward (0 before any).</summary>
    public int Steps { get; private set; }
    /// <summary>B of the last Forward (0 before any).</summary>
    public int Batch { get; private set; }

    /// <summary><c>weight_ih_lK</c>, (GH × I): the input-to-gates weights W_ih.</summary>
    public Parameter WeightIH { get; }
    /// <summary><c>weight_hh_lK</c>, (GH × H): the state-to-gates weights W_hh.</summary>
    public Parameter WeightHH { get; }
    /// <summary><c>bias_ih_lK</c>, (GH).</summary>
    public Parameter BiasIH { get; }
    /// <summary><c>bias_hh_lK</c>, (GH).</summary>
    public Parameter BiasHH { get; }
    /// <summary><c>ln_ih_weight_lK</c>, γ_ih (GH); null without layer normalization.</summary>
    public Parameter? InputNormGain { get; }
    /// <summary><c>ln_ih_bias_lK</c>, β_ih (GH); null without layer normalization.</summary>
    public Parameter? InputNormShift { get; }
    /// <summary><c>ln_hh_weight_lK</c>, γ_hh (GH); null without layer normalization.</summary>
    public Parameter? RecurrentNormGain { get; }
    /// <summary><c>ln_hh_bias_lK</c>, β_hh (GH); null without layer normalization.</summary>
    public Parameter? RecurrentNormShift { get; }

    private string NamePrefix { get; }
    private int GateWidth => Gates * HiddenSize;

    /// <inheritdoc/>
    public override IEnumerable<Parameter> Parameters() => _parameters;

    /// <summary>The outputs h_1 … h_T of the last Forward, (T, B, H).</summary>
    public ReadOnlySpan<float> Output => States.AsSpan(Batch * HiddenSize, Steps * Batch * HiddenSize);

    /// <summary>The state h_t (B, H) of the last Forward, t = 0 (the initial state) … T.</summary>
    public ReadOnlySpan<float> Hidden(int t) => States.AsSpan(CheckState(t) * Batch * HiddenSize, Batch * HiddenSize);

    /// <summary>
    /// Runs the layer over a sequence. <paramref name="input"/> is (T, B, I) and
    /// <paramref name="output"/> receives h_1 … h_T, (T, B, H). The initial state
    /// <paramref name="h0"/> (and <paramref name="c0"/> for the LSTM), each (B, H), default to
    /// zeros when empty; the final state goes to <paramref name="hN"/> and <paramref name="cN"/>
    /// when they are not empty (they may be the same memory as h0 and c0, for truncated BPTT).
    /// </summary>
    public void Forward(ReadOnlySpan<float> input, Span<float> output, int steps, int batch,
        ReadOnlySpan<float> h0 = default, ReadOnlySpan<float> c0 = default, Span<float> hN = default, Span<float> cN = default)
    {
        ValidateShapes(steps, batch, output.Length, h0, c0, hN, cN, gradients: false);
        ShapeChecks.Require(input.Length, (long)steps * batch * InputSize, nameof(input), "(T, B, I)");
        input.CopyTo(PrepareInput(steps, batch));
        ForwardCore(h0, c0);
        Output.CopyTo(output);
        CopyFinalState(hN, cN);
    }

    /// <summary>
    /// One step for B rows, the decoding form: x (B, I) in; the state h (and c for the LSTM),
    /// each (B, H), is read and replaced by the next one, so h is also the output. The same
    /// computation as Forward with T = 1 (it replaces the caches of the last Forward); after the
    /// caches have grown to this batch it allocates nothing itself (see <see cref="RecurrentStack.Step"/>).
    /// </summary>
    public void Step(ReadOnlySpan<float> input, Span<float> h, Span<float> c, int batch) => Forward(input, h, 1, batch, h, c, h, c);

    /// <summary>
    /// Backpropagation through the last Forward. <paramref name="dOutput"/> = ∂L/∂output
    /// (T, B, H); <paramref name="dhN"/>, <paramref name="dcN"/> = ∂L/∂ of the final state (empty
    /// for zero). Writes ∂L/∂input into <paramref name="dInput"/> (T, B, I) (empty: not
    /// computed) and ∂L/∂ of the initial state into <paramref name="dh0"/>, <paramref name="dc0"/>
    /// when they are not empty; adds the parameter gradients into their Grad.
    /// </summary>
    public void Backward(ReadOnlySpan<float> dOutput, Span<float> dInput,
        ReadOnlySpan<float> dhN = default, ReadOnlySpan<float> dcN = default, Span<float> dh0 = default, Span<float> dc0 = default)
    {
        if (!_hasForward) throw new InvalidOperationException("Backward needs a Forward first.");
        ValidateShapes(Steps, Batch, dOutput.Length, dh0, dc0, dhN, dcN, gradients: true);
        if (!dInput.IsEmpty) ShapeChecks.Require(dInput.Length, (long)Steps * Batch * InputSize, nameof(dInput), "(T, B, I)");
        BackwardCore(dOutput, dInput, dhN, dcN, dh0, dc0);
    }

    private void PrepareCaches(int steps, int batch)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        _hasForward = false;
        Steps = steps;
        Batch = batch;
        EnsureCaches(steps, batch);
    }

    /// <summary>
    /// Any mode change drops the weights packed for decoding: weights changed in evaluation
    /// mode (not a training step) reach single decoding steps once Training is set again.
    /// </summary>
    protected override void OnTrainingChanged()
    {
        _decodePacked = false;
        _decodeIHPacked = false;
        _decodeTableOf = null;
    }

    /// <summary>Runs all T steps on the input placed by <see cref="PrepareInput"/>.</summary>
    internal void ForwardCore(ReadOnlySpan<float> h0, ReadOnlySpan<float> c0)
    {
        int gh = GateWidth;
        // Decoding a batch step by step in evaluation mode: nothing to amortize packing over
        // within one call, so the packed weights are kept across calls instead, until the
        // mode changes (see OnTrainingChanged). Few rows take Gemm's dot-product path instead.
        bool decoding = Steps == 1 && !Training && Batch > GemmSmall.MaxRows;
        if (decoding && !_decodePacked)
        {
            _packedHH.Pack(WeightHH.Value.Span, HiddenSize, gh, transpose: true);
            _decodePacked = true;
        }
        else if (!decoding)
        {
            _decodePacked = false;
            _decodeIHPacked = false;
        }
        ProjectInputs(decoding);
        // Every step multiplies by the same W_hhᵀ: pack it into the GEMM's panel layout once
        // here instead of once per step. Few rows (decoding) take Gemm's dot-product path,
        // which reads W_hh as it is and gains nothing from packing, and a single step
        // (decoding a wide beam) has nothing to amortize the packing over.
        _packedSteps = Batch > GemmSmall.MaxRows;
        if (_packedSteps && !decoding) _packedHH.Pack(WeightHH.Value.Span, HiddenSize, gh, transpose: true);
        var first = States.AsSpan(0, Batch * HiddenSize);
        if (h0.IsEmpty) first.Clear();
        else h0.CopyTo(first);
        InitializeState(c0);
        for (int t = 0; t < Steps; t++)
        {
            GatherTokenStep(t);
            ForwardStep(t, Batch);
        }
        _hasForward = true;
    }

    /// <summary>Copies h_T (and c_T) of the last Forward into the non-empty destinations.</summary>
    internal void CopyFinalState(Span<float> hN, Span<float> cN)
    {
        if (!hN.IsEmpty) Hidden(Steps).CopyTo(hN);
        if (!cN.IsEmpty) CopyFinalCell(cN);
    }

    /// <summary>Backward without validation (the stack validates once).</summary>
    internal void BackwardCore(ReadOnlySpan<float> dOutput, Span<float> dInput,
        ReadOnlySpan<float> dhN, ReadOnlySpan<float> dcN, Span<float> dh0, Span<float> dc0)
    {
        if (_table is not null && !dInput.IsEmpty)
            throw new InvalidOperationException("The last Forward read token ids: their gradient goes to the embedding table, not to dInput.");
        int bh = Batch * HiddenSize;
        var dh = _dh.AsSpan(0, bh);          // (B, H) ∂L/∂h_t
        var dhPrev = _dhPrev.AsSpan(0, bh);  // (B, H) ∂L/∂h_{t−1}
        dOutput.Slice((Steps - 1) * bh, bh).CopyTo(dh);
        if (!dhN.IsEmpty) Elementwise.AddTo(dhN, dh);
        if (_packedSteps) _packedHHBack.Pack(WeightHH.Value.Span, GateWidth, HiddenSize);
        BeginBackward(dcN);
        BeginTokenSums();
        for (int t = Steps - 1; t >= 0; t--)
        {
            // ∂L/∂h_{t−1} starts as the gradient of output t−1; the step adds the recurrent paths.
            if (t > 0) dOutput.Slice((t - 1) * bh, bh).CopyTo(dhPrev);
            else dhPrev.Clear();
            BackwardStep(t, Batch, dh, dhPrev);
            AddTokenStep(t);
            var swap = dh;
            dh = dhPrev;
            dhPrev = swap;
        }
        if (!dh0.IsEmpty) dh.CopyTo(dh0);
        EndBackward(dc0);
        AccumulateSequenceGradients(dInput);
    }

    /// <summary>∂W_hh, ∂b_hh, ∂b_ih, ∂W_ih and ∂x, one GEMM or column sum each over all T·B rows.</summary>
    private void AccumulateSequenceGradients(Span<float> dInput)
    {
        int rows = Steps * Batch, gh = GateWidth;
        var dRecurrent = RecurrentPreGradient(rows);   // (T, B, GH) ∂L/∂(h·W_hhᵀ + b_hh) after normalization
        Elementwise.AddColumnSums(dRecurrent, BiasHH.Grad.Span);
        ReadOnlySpan<float> dRaw = IsLayerNormalized ? _dRecurrentRaw.AsSpan(0, rows * gh) : dRecurrent;
        Gemm.Multiply(dRaw, RecurrentInputs(rows), WeightHH.Grad.Span, gh, HiddenSize, rows, transposeA: true, beta: 1f);
        AccumulateInputGradients(dInput);
    }

    /// <summary>dest (B, GH) += LN?(rin·W_hhᵀ) for step t; rin is (B, H).</summary>
    private protected void AddRecurrentProjection(int t, int batch, ReadOnlySpan<float> rin, Span<float> dest)
    {
        int gh = GateWidth;
        var target = IsLayerNormalized ? _recurrentHat.AsSpan(t * batch * gh, batch * gh) : dest;
        float beta = IsLayerNormalized ? 0f : 1f;
        if (_packedSteps) Gemm.Multiply(rin, _packedHH, target, batch, beta: beta);
        else Gemm.Multiply(rin, WeightHH.Value.Span, target, batch, gh, HiddenSize, transposeB: true, beta: beta);
        if (!IsLayerNormalized) return;
        RowLayerNorm.Forward(target, RecurrentNormGain!.Value.Span, RecurrentNormShift!.Value.Span, target,
            _recurrentRstd.AsSpan(t * batch, batch), dest, batch, accumulate: true);
    }

    /// <summary>
    /// dRin (B, H) (+)= ∂L/∂rin of step t, given d (B, GH) = ∂L/∂ of what
    /// <see cref="AddRecurrentProjection"/> added; through LN when enabled.
    /// </summary>
    private protected void AddRecurrentGradient(int t, int batch, ReadOnlySpan<float> d, Span<float> dRin, bool accumulate)
    {
        int gh = GateWidth;
        if (IsLayerNormalized)
        {
            var raw = _dRecurrentRaw.AsSpan(t * batch * gh, batch * gh);
            RowLayerNorm.Backward(d, _recurrentHat.AsSpan(t * batch * gh, batch * gh), _recurrentRstd.AsSpan(t * batch, batch),
                RecurrentNormGain!.Value.Span, RecurrentNormGain.Grad.Span, RecurrentNormShift!.Grad.Span, raw, batch);
            d = raw;
        }
        if (_packedSteps) Gemm.Multiply(d, _packedHHBack, dRin, batch, beta: accumulate ? 1f : 0f);
        else Gemm.Multiply(d, WeightHH.Value.Span, dRin, batch, HiddenSize, gh, beta: accumulate ? 1f : 0f);
    }

    /// <summary>Step t (0-based) of the forward pass: from h_t = States[t] to States[t + 1].</summary>
    private protected abstract void ForwardStep(int t, int batch);

    /// <summary>
    /// Step t of the backward pass: given dh = ∂L/∂h_{t+1} (0-based: the state step t wrote),
    /// writes the gate gradients of step t and adds every path to h_t into dhPrev.
    /// </summary>
    private protected abstract void BackwardStep(int t, int batch, Span<float> dh, Span<float> dhPrev);

    /// <summary>True when b_hh can be added to the input projection (everywhere but the GRU's n gate).</summary>
    private protected virtual bool FoldsRecurrentBias => true;

    /// <summary>(T, B, H): what multiplied W_hh at each step (h_{t−1}, or σ(h_{t−1}) in the pre-activation form).</summary>
    private protected virtual ReadOnlySpan<float> RecurrentInputs(int rows) => States.AsSpan(0, rows * HiddenSize);

    /// <summary>(T, B, GH): ∂L/∂ of the recurrent projection (with b_hh), after normalization.</summary>
    private protected virtual Span<float> RecurrentPreGradient(int rows) => DPre.AsSpan(0, rows * GateWidth);

    /// <summary>Grows every cache to hold T steps of B rows; subclasses add theirs.</summary>
    private protected virtual void EnsureCaches(int steps, int batch)
    {
        long rows = (long)steps * batch, gh = GateWidth;
        EnsureInputCaches(rows);
        Grow(ref Pre, rows * gh);
        Grow(ref DPre, rows * gh);
        Grow(ref States, (rows + batch) * HiddenSize);
        Grow(ref _dh, (long)batch * HiddenSize);
        Grow(ref _dhPrev, (long)batch * HiddenSize);
        if (!IsLayerNormalized) return;
        Grow(ref _recurrentHat, rows * gh);
        Grow(ref _recurrentRstd, rows);
        Grow(ref _dRecurrentRaw, rows * gh);
    }

    /// <summary>Called once h_0 is in States[0]: sets up the rest of the initial state (c_0, or σ(h_0)).</summary>
    private protected virtual void InitializeState(ReadOnlySpan<float> c0) { }
    /// <summary>Copies c_T into cN (the LSTM).</summary>
    private protected virtual void CopyFinalCell(Span<float> cN) { }
    /// <summary>Sets the running ∂L/∂c_T from dcN, zero when empty (the LSTM).</summary>
    private protected virtual void BeginBackward(ReadOnlySpan<float> dcN) { }
    /// <summary>Copies the running ∂L/∂c_0 into dc0 when it is not empty (the LSTM).</summary>
    private protected virtual void EndBackward(Span<float> dc0) { }

    /// <summary>Replaces <paramref name="buffer"/> by a larger one when it holds fewer than <paramref name="length"/> elements.</summary>
    private protected static void Grow(ref float[] buffer, long length)
    {
        if (buffer.Length >= length) return;
        if (length > Array.MaxLength) throw new ArgumentOutOfRangeException(nameof(length), $"A cache of {length} elements does not fit in one array; use fewer steps or a smaller batch.");
        buffer = new float[length];
    }

    /// <summary>Creates, initializes and registers a parameter named <c>{prefix.}{name}_l{K}</c>.</summary>
    private protected Parameter AddParameter(string name, ParameterKind kind, float low, float high, Rng? rng, params int[] shape)
    {
        var p = new Parameter($"{NamePrefix}{name}_l{LayerIndex}", new Shape(shape), kind);
        if (rng is not null) rng.FillUniform(p.Value.Span, low, high);
        else p.Value.Span.Fill(low);
        _parameters.Add(p);
        return p;
    }

    /// <summary>Checks t ∈ [0, T] against the last Forward.</summary>
    private protected int CheckState(int t)
    {
        if (!_hasForward) throw new InvalidOperationException("No Forward has run yet.");
        if ((uint)t > (uint)Steps) throw new ArgumentOutOfRangeException(nameof(t), t, $"The last Forward had states 0 … {Steps}.");
        return t;
    }

    /// <summary>Checks a step number t ∈ [1, T] against the last Forward.</summary>
    private protected int CheckStep(int t)
    {
        if (!_hasForward) throw new InvalidOperationException("No Forward has run yet.");
        if (t < 1 || t > Steps) throw new ArgumentOutOfRangeException(nameof(t), t, $"The last Forward had steps 1 … {Steps}.");
        return t;
    }

    private void ValidateShapes(int steps, int batch, int output, ReadOnlySpan<float> h0, ReadOnlySpan<float> c0,
        ReadOnlySpan<float> hN, ReadOnlySpan<float> cN, bool gradients)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        long bh = (long)batch * HiddenSize;
        string of = gradients ? "gradient of the " : "";
        ShapeChecks.Require(output, steps * bh, of + "output", "(T, B, H)");
        ShapeChecks.RequireOptional(h0.Length, bh, of + "initial hidden state");
        ShapeChecks.RequireOptional(hN.Length, bh, of + "final hidden state");
        if (!HasCellState && (!c0.IsEmpty || !cN.IsEmpty))
            throw new ArgumentException("This layer has no cell state; pass empty spans for c.");
        ShapeChecks.RequireOptional(c0.Length, bh, of + "initial cell state");
        ShapeChecks.RequireOptional(cN.Length, bh, of + "final cell state");
    }
}
