using Recur.Tensors;

namespace Recur.Nn.Recurrent;

// Dimension glossary: T steps, B batch, I input features, H hidden units, L layers.

/// <summary>
/// A stack of L recurrent layers, PyTorch's nn.RNN / nn.LSTM / nn.GRU (time-major, one
/// direction): layer 0 reads the input (T, B, I), layer k &gt; 0 reads layer k − 1's outputs
/// after inverted dropout (training mode only, never after the last layer), and the last
/// layer's outputs are the result (T, B, H). Parameters are named as PyTorch names them
/// (<c>weight_ih_l0</c>, …, with <see cref="RecurrentOptions.Prefix"/>) and initialized
/// U(−1/√H, 1/√H) in PyTorch's order from the constructor's generator; the dropout generator
/// is forked from it afterwards.
/// </summary>
public sealed class RecurrentStack : Module
{
    private readonly RecurrentLayer[] _layers;
    private readonly Dropout[] _dropouts;    // L − 1, between layers
    private float[] _gradientA = [];         // (T, B, H) ∂L/∂(input of a layer k > 0)
    private float[] _gradientB = [];         // (T, B, H) the same, alternating with A
    private Rng _dropoutRng;
    private bool _hasForward;

    /// <summary>Creates the layers and draws their initial weights from <paramref name="rng"/>.</summary>
    public RecurrentStack(RecurrentOptions options, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(rng);
        options.Validate();
        Options = options;
        _layers = new RecurrentLayer[options.Layers];
        for (int l = 0; l < _layers.Length; l++)
            _layers[l] = options.Cell switch
            {
                CellKind.Lstm => new LstmLayer(options, l, rng),
                CellKind.Gru => new GruLayer(options, l, rng),
                _ => new ElmanLayer(options, l, rng),
            };
        _dropoutRng = rng.Fork();
        _dropouts = new Dropout[options.Layers - 1];
        for (int l = 0; l < _dropouts.Length; l++) _dropouts[l] = new Dropout(options.Dropout, _dropoutRng);
    }

    /// <summary>The hyper-parameters.</summary>
    public RecurrentOptions Options { get; }

    /// <summary>The layers, bottom first; cast to <see cref="LstmLayer"/>, <see cref="GruLayer"/> or <see cref="ElmanLayer"/> for their per-step activations.</summary>
    public IReadOnlyList<RecurrentLayer> Layers => _layers;

    /// <summary>I.</summary>
    public int InputSize => Options.InputSize;
    /// <summary>H.</summary>
    public int HiddenSize => Options.HiddenSize;
    /// <summary>True for the LSTM (the state has a cell).</summary>
    public bool HasCellState => Options.Cell == CellKind.Lstm;

    /// <summary>The generator of every dropout mask; replace it to restore a checkpointed stream or to repeat a mask.</summary>
    public Rng DropoutRng
    {
        get => _dropoutRng;
        set
        {
            _dropoutRng = value ?? throw new ArgumentNullException(nameof(value));
            foreach (var d in _dropouts) d.Rng = value;
        }
    }

    /// <inheritdoc/>
    public override IEnumerable<Parameter> Parameters()
    {
        foreach (var layer in _layers)
            foreach (var p in layer.Parameters()) yield return p;
    }

    /// <inheritdoc/>
    protected override IEnumerable<Module> Children() => [.. _layers, .. _dropouts];

    /// <summary>A zero state for <paramref name="batch"/> rows, shaped for this stack.</summary>
    public RecurrentState CreateState(int batch) => new(_layers.Length, batch, HiddenSize, HasCellState);

    /// <summary>
    /// Runs the stack over a sequence: <paramref name="input"/> (T, B, I) →
    /// <paramref name="output"/> (T, B, H), the last layer's h_1 … h_T. The initial state
    /// defaults to zeros; the final state h_T (and c_T) of every layer is written to
    /// <paramref name="final"/>, which may be <paramref name="initial"/> itself (truncated BPTT:
    /// carry the state into the next batch).
    /// </summary>
    public void Forward(ReadOnlySpan<float> input, Span<float> output, int steps, int batch,
        RecurrentState? initial = null, RecurrentState? final = null)
    {
        CheckShapes(output, steps, batch, initial, final);
        ShapeChecks.Require(input.Length, (long)steps * batch * InputSize, nameof(input), "(T, B, I)");
        input.CopyTo(_layers[0].PrepareInput(steps, batch));
        Run(output, steps, batch, initial, final);
    }

    /// <summary>
    /// <see cref="Forward"/> for an input that is an embedding lookup, x_t = table[ids_t]: the
    /// first layer reads <paramref name="table"/> (V × I) through <paramref name="tokens"/>
    /// (T·B ids, time-major) and Backward adds the table's gradient into its Grad (see
    /// RecurrentLayer.InputProjection.cs; not for layer-normalized stacks). Worth it when V is well
    /// below T·B.
    /// </summary>
    internal void ForwardTokens(ReadOnlySpan<int> tokens, Parameter table, Span<float> output, int steps, int batch,
        RecurrentState? initial, RecurrentState? final)
    {
        CheckShapes(output, steps, batch, initial, final);
        _layers[0].PrepareTokens(tokens, table, steps, batch);
        Run(output, steps, batch, initial, final);
    }

    private void CheckShapes(Span<float> output, int steps, int batch, RecurrentState? initial, RecurrentState? final)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        ShapeChecks.Require(output.Length, (long)steps * batch * HiddenSize, nameof(output), "(T, B, H)");
        CheckState(initial, batch, nameof(initial));
        CheckState(final, batch, nameof(final));
        _hasForward = false;
    }

    /// <summary>Runs every layer once the first one's input is in place.</summary>
    private void Run(Span<float> output, int steps, int batch, RecurrentState? initial, RecurrentState? final)
    {
        for (int l = 0; l < _layers.Length; l++)
        {
            if (l > 0) _dropouts[l - 1].Forward(_layers[l - 1].Output, _layers[l].PrepareInput(steps, batch), Options.LockedDropout ? batch * _layers[l - 1].HiddenSize : 0);
            _layers[l].ForwardCore(initial is null ? default : initial.HiddenOf(l), initial is null ? default : initial.CellOf(l));
        }
        _layers[^1].Output.CopyTo(output);
        if (final is not null)
            for (int l = 0; l < _layers.Length; l++) _layers[l].CopyFinalState(final.HiddenOf(l), final.CellOf(l));
        _hasForward = true;
    }

    /// <summary>
    /// One step for the B rows of <paramref name="state"/>, the decoding form: x (B, I) →
    /// <paramref name="output"/> (B, H); the state is read and replaced by the next one. The
    /// same computation as Forward with T = 1 (dropout included in training mode; decode in
    /// evaluation mode); it replaces the caches of the last Forward and, once they have grown
    /// to this batch, allocates nothing itself (when Gemm splits a large weight across threads,
    /// Parallel.For's bookkeeping allocates a few hundred bytes).
    /// </summary>
    public void Step(ReadOnlySpan<float> input, Span<float> output, RecurrentState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        Forward(input, output, 1, state.Batch, state, state);
    }

    /// <summary>
    /// Backpropagation through the last Forward. <paramref name="dOutput"/> = ∂L/∂output
    /// (T, B, H); <paramref name="dFinal"/> = ∂L/∂ of the final state (null for zero, as after a
    /// truncation). Writes ∂L/∂input into <paramref name="dInput"/> (T, B, I; empty to skip) and
    /// ∂L/∂ of the initial state into <paramref name="dInitial"/> when given; adds every
    /// parameter gradient into its Grad.
    /// </summary>
    public void Backward(ReadOnlySpan<float> dOutput, Span<float> dInput, RecurrentState? dFinal = null, RecurrentState? dInitial = null)
    {
        if (!_hasForward) throw new InvalidOperationException("Backward needs a Forward first.");
        int steps = _layers[0].Steps, batch = _layers[0].Batch;
        long size = (long)steps * batch * HiddenSize;
        ShapeChecks.Require(dOutput.Length, size, nameof(dOutput), "(T, B, H)");
        if (!dInput.IsEmpty) ShapeChecks.Require(dInput.Length, (long)steps * batch * InputSize, nameof(dInput), "(T, B, I)");
        CheckState(dFinal, batch, nameof(dFinal));
        CheckState(dInitial, batch, nameof(dInitial));
        if (_gradientA.Length < size) _gradientA = new float[size];
        if (_layers.Length > 2 && _gradientB.Length < size) _gradientB = new float[size];
        ReadOnlySpan<float> d = dOutput;
        for (int l = _layers.Length - 1; l >= 0; l--)
        {
            // Layer l's input gradient must not overwrite its output gradient: alternate A and B.
            Span<float> dx = l == 0 ? dInput : ((_layers.Length - 1 - l) % 2 == 0 ? _gradientA : _gradientB).AsSpan(0, (int)size);
            _layers[l].BackwardCore(d, dx,
                dFinal is null ? default : dFinal.HiddenOf(l), dFinal is null ? default : dFinal.CellOf(l),
                dInitial is null ? default : dInitial.HiddenOf(l), dInitial is null ? default : dInitial.CellOf(l));
            if (l > 0) _dropouts[l - 1].Backward(dx, dx);
            d = dx;
        }
    }

    private void CheckState(RecurrentState? state, int batch, string name)
    {
        if (state is null) return;
        if (state.Layers != _layers.Length || state.Batch != batch || state.HiddenSize != HiddenSize || (state.Cell is not null) != HasCellState)
            throw new ArgumentException(
                $"The {name} state is {state.Layers} layers × {state.Batch} rows × {state.HiddenSize} (cell: {state.Cell is not null}); this stack needs {_layers.Length} × {batch} × {HiddenSize} (cell: {HasCellState}). Use CreateState(batch).", name);
    }
}
