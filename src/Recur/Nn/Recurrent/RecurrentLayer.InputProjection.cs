using System.Numerics.Tensors;
using Recur.Kernels;
using Recur.Tensors;

namespace Recur.Nn.Recurrent;

// Dimension glossary: T steps, B batch, I input features, V vocabulary (rows of an embedding
// table), G gates, GH = G·H gate features. Sequences are laid out (T, B, features).

/// <summary>
/// The input half of every step's pre-activations, computed for all T steps at once before the
/// recurrence: a = b + LN?(x·W_ihᵀ) (+ b_hh where the cell folds it in), and in Backward
/// ∂b_ih, ∂W_ih and ∂x from the gate gradients of all steps.
/// <para>
/// The input is either vectors (T, B, I) copied in by <see cref="PrepareInput"/>, or, for the
/// first layer of a language model, token ids into an embedding table E (V × I) given to
/// <see cref="PrepareTokens"/>. The input projection of a looked-up row is a looked-up row of
/// the projected table, x_t·W_ihᵀ = (E·W_ihᵀ)[ids_t], so that form computes b + E·W_ihᵀ once
/// (V × GH) and gathers its rows; Backward first sums ∂L/∂a over the positions of each token,
/// S = Σ_t onehot(ids_t)ᵀ·∂L/∂a_t (V × GH), then adds ∂W_ih += Sᵀ·E and ∂E += S·W_ih. With V
/// well below T·B (65 characters against 2,048 positions) this replaces three T·B × I × GH
/// products by V-row ones. It is an exact rewrite: each gathered row is the same sum in the
/// same order, so the forward values are bitwise those of the lookup, and the gradients differ
/// only in float summation order. It does not support a layer-normalized input projection.
/// </para>
/// </summary>
public abstract partial class RecurrentLayer
{
    private float[] _input = [];          // (T, B, I) copy of the vector input, for ∂W_ih
    private int[] _tokens = [];           // (T·B) the ids of a token-input Forward
    private Parameter? _table;            // the embedding table (V, I) they index; null for vector input
    private float[] _tokenRows = [];      // (V, GH) b + E·W_ihᵀ in Forward; S, the per-token sums of ∂L/∂a, in Backward
    private float[] _inputHat = [];       // LN: (T, B, GH) normalized input projection
    private float[] _inputRstd = [];      // LN: (T, B)
    private float[] _bias = [];           // (GH) b_ih + b_hh, or b_ih alone when the cell keeps b_hh apart
    private float[] _dWeightIHT = [];     // (I, GH) ∂W_ihᵀ of one Backward, added into ∂W_ih
    private readonly PackedMatrix _decodeIH = new();   // W_ihᵀ packed for single decoding steps of vector input in evaluation mode
    private bool _decodeIHPacked;         // _decodeIH holds the current weights (packed on the first such step, not for token input)
    private Parameter? _decodeTableOf;    // the table whose b + E·W_ihᵀ _tokenRows holds across decoding steps; null: none

    /// <summary>Grows the caches for (T, B) and returns the (T, B, I) input cache to be filled.</summary>
    internal Span<float> PrepareInput(int steps, int batch)
    {
        PrepareCaches(steps, batch);
        _table = null;
        return _input.AsSpan(0, steps * batch * InputSize);
    }

    /// <summary>
    /// Grows the caches for (T, B) and takes the input as <paramref name="tokens"/> (T·B ids,
    /// time-major) into <paramref name="table"/> (V × I), whose gradient Backward adds to.
    /// </summary>
    internal void PrepareTokens(ReadOnlySpan<int> tokens, Parameter table, int steps, int batch)
    {
        ArgumentNullException.ThrowIfNull(table);
        if (IsLayerNormalized) throw new InvalidOperationException("Token input does not support a layer-normalized input projection.");
        if (table.Shape.Rank != 2 || table.Shape[1] != InputSize)
            throw new ArgumentException($"The embedding table is {table.Shape}; this layer needs (V, {InputSize}).", nameof(table));
        int vocabulary = table.Shape[0];
        ShapeChecks.Require(tokens.Length, (long)steps * batch, nameof(tokens), "(T, B)");
        for (int i = 0; i < tokens.Length; i++)
            if ((uint)tokens[i] >= (uint)vocabulary)
                throw new ArgumentOutOfRangeException(nameof(tokens), tokens[i], $"Token {tokens[i]} at position {i} is outside the table's {vocabulary} rows [0, {vocabulary}).");
        PrepareCaches(steps, batch);
        Grow(ref _tokenRows, (long)vocabulary * GateWidth);
        if (_tokens.Length < tokens.Length) _tokens = new int[tokens.Length];
        tokens.CopyTo(_tokens);
        _table = table;
    }

    /// <summary>Pre (T, B, GH) ← the biases plus the input projection of every step.</summary>
    private void ProjectInputs(bool decoding)
    {
        int rows = Steps * Batch, gh = GateWidth;
        var pre = Pre.AsSpan(0, rows * gh);                    // (T, B, GH)
        var x = _input.AsSpan(0, rows * InputSize);            // (T, B, I)
        if (IsLayerNormalized)
        {
            var hat = _inputHat.AsSpan(0, rows * gh);
            Gemm.Multiply(x, WeightIH.Value.Span, hat, rows, gh, InputSize, transposeB: true);
            RowLayerNorm.Forward(hat, InputNormGain!.Value.Span, InputNormShift!.Value.Span, hat, _inputRstd.AsSpan(0, rows), pre, rows, accumulate: false);
            Elementwise.AddRowVector(Bias(), pre);
        }
        else if (_table is not null)
        {
            int vocabulary = _table.Shape[0];
            var projected = _tokenRows.AsSpan(0, vocabulary * gh);   // (V, GH)
            // Single decoding steps in evaluation mode keep the projected table across calls (as
            // the packed weights are kept, until the mode changes): a step then reads one row
            // of it instead of all of W_ih.
            bool stepping = Steps == 1 && !Training;
            if (!stepping || _decodeTableOf != _table)
            {
                Elementwise.FillRows(Bias(), projected);
                Gemm.Multiply(_table.Value.Span, WeightIH.Value.Span, projected, vocabulary, gh, InputSize, transposeB: true, beta: 1f);
            }
            _decodeTableOf = stepping ? _table : null;
            // The rows are gathered step by step (GatherTokenStep), just before each step reads them.
        }
        else
        {
            Elementwise.FillRows(Bias(), pre);
            if (!decoding)
            {
                Gemm.Multiply(x, WeightIH.Value.Span, pre, rows, gh, InputSize, transposeB: true, beta: 1f);
                return;
            }
            if (!_decodeIHPacked) _decodeIH.Pack(WeightIH.Value.Span, InputSize, gh, transpose: true);
            _decodeIHPacked = true;
            Gemm.Multiply(x, _decodeIH, pre, rows, beta: 1f);
        }
    }

    /// <summary>b_ih (+ b_hh where the cell folds it in), GH wide, into the bias buffer.</summary>
    private Span<float> Bias()
    {
        var bias = _bias.AsSpan(0, GateWidth);
        BiasIH.Value.Span.CopyTo(bias);
        if (FoldsRecurrentBias) Elementwise.AddTo(BiasHH.Value.Span, bias);
        return bias;
    }

    /// <summary>
    /// Pre of step t (B, GH) ← the projected table's rows of its tokens, for token input. Done
    /// per step, just before the step adds its recurrent product to them, rather than for all
    /// T·B rows up front: the rows then pass through the cache once. The up-front gather (8 MB
    /// at T = 64, B = 32, GH = 1,024) took about 1.2 ms of a 10 ms forward pass on two threads,
    /// all of it on one core.
    /// </summary>
    private void GatherTokenStep(int t)
    {
        if (_table is null) return;
        int gh = GateWidth;
        var projected = _tokenRows.AsSpan(0, _table.Shape[0] * gh);
        var pre = Pre.AsSpan(t * Batch * gh, Batch * gh);
        var ids = _tokens.AsSpan(t * Batch, Batch);
        for (int r = 0; r < ids.Length; r++) projected.Slice(ids[r] * gh, gh).CopyTo(pre.Slice(r * gh, gh));
    }

    /// <summary>Before the backward steps of token input: S (V, GH) ← 0, replacing the projected table.</summary>
    private void BeginTokenSums()
    {
        if (_table is null) return;
        _decodeTableOf = null;
        _tokenRows.AsSpan(0, _table.Shape[0] * GateWidth).Clear();
    }

    /// <summary>
    /// S[ids] += ∂L/∂a of step t, right after the backward step wrote it, while it is still in
    /// the cache (the same reasoning as <see cref="GatherTokenStep"/>).
    /// </summary>
    private void AddTokenStep(int t)
    {
        if (_table is null) return;
        int gh = GateWidth;
        var sums = _tokenRows.AsSpan(0, _table.Shape[0] * gh);
        var dPre = DPre.AsSpan(t * Batch * gh, Batch * gh);
        var ids = _tokens.AsSpan(t * Batch, Batch);
        for (int r = 0; r < ids.Length; r++)
        {
            var row = sums.Slice(ids[r] * gh, gh);
            TensorPrimitives.Add(row, dPre.Slice(r * gh, gh), row);
        }
    }

    /// <summary>∂b_ih, then (through LN when enabled) ∂W_ih and ∂x, or ∂W_ih and ∂E for token input.</summary>
    private void AccumulateInputGradients(Span<float> dInput)
    {
        int rows = Steps * Batch, gh = GateWidth;
        if (_table is not null)
        {
            // S holds ∂L/∂a summed per token (AddTokenStep): its column sums are ∂b_ih, V rows
            // instead of T·B.
            int vocabulary = _table.Shape[0];
            var sums = _tokenRows.AsSpan(0, vocabulary * gh);     // (V, GH)
            Elementwise.AddColumnSums(sums, BiasIH.Grad.Span);
            AddInputWeightGradient(_table.Value.Span, sums, vocabulary);
            Gemm.Multiply(sums, WeightIH.Value.Span, _table.Grad.Span, vocabulary, InputSize, gh, beta: 1f);
            return;
        }
        var dPre = DPre.AsSpan(0, rows * gh);         // (T, B, GH)
        Elementwise.AddColumnSums(dPre, BiasIH.Grad.Span);
        if (IsLayerNormalized)
            RowLayerNorm.Backward(dPre, _inputHat.AsSpan(0, rows * gh), _inputRstd.AsSpan(0, rows), InputNormGain!.Value.Span,
                InputNormGain.Grad.Span, InputNormShift!.Grad.Span, dPre, rows);
        AddInputWeightGradient(_input.AsSpan(0, rows * InputSize), dPre, rows);
        if (!dInput.IsEmpty) Gemm.Multiply(dPre, WeightIH.Value.Span, dInput, rows, InputSize, gh);
    }

    /// <summary>∂W_ih (GH × I) += dᵀ·x for <paramref name="rows"/> rows of d (·, GH) and x (·, I).</summary>
    private void AddInputWeightGradient(ReadOnlySpan<float> x, ReadOnlySpan<float> d, int rows)
    {
        int gh = GateWidth;
        if (InputSize < gh)
        {
            // ∂W_ihᵀ = xᵀ·d has the long side as columns, the shape Gemm runs fastest.
            var dT = _dWeightIHT.AsSpan(0, InputSize * gh);
            Gemm.Multiply(x, d, dT, InputSize, gh, rows, transposeA: true);
            Transpose.AddTo(dT, WeightIH.Grad.Span, InputSize, gh);
        }
        else
        {
            Gemm.Multiply(d, x, WeightIH.Grad.Span, gh, InputSize, rows, transposeA: true, beta: 1f);
        }
    }

    /// <summary>Grows the input-side caches for <paramref name="rows"/> = T·B rows.</summary>
    private void EnsureInputCaches(long rows)
    {
        long gh = GateWidth;
        Grow(ref _input, rows * InputSize);
        Grow(ref _bias, gh);
        if (InputSize < gh) Grow(ref _dWeightIHT, gh * InputSize);
        if (!IsLayerNormalized) return;
        Grow(ref _inputHat, rows * gh);
        Grow(ref _inputRstd, rows);
    }
}
