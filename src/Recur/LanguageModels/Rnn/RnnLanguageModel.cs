using Recur.Kernels;
using Recur.Nn;
using Recur.Nn.Output;
using Recur.Nn.Recurrent;
using Recur.Tensors;
using Recur.Text;

namespace Recur.LanguageModels.Rnn;

// Dimension glossary: T steps, B batch (streams), V vocabulary, E embedding, H hidden, L layers.

/// <summary>
/// A recurrent language model: embedding → recurrent stack → output layer (a full softmax,
/// optionally tied to the embedding, or an adaptive softmax), trained with truncated BPTT on
/// token streams and decoded through <see cref="ILanguageModel"/>, so every decoder works on
/// it. Parameters are named as a PyTorch module holding nn.Embedding (<c>embedding</c>),
/// nn.RNN/LSTM/GRU (<c>rnn</c>) and nn.Linear or nn.AdaptiveLogSoftmaxWithLoss (<c>head</c>)
/// names them, so weights move between Recur and PyTorch unchanged.
/// <para>
/// Decoding starts from the state the model reaches after reading <see cref="Primer"/> (the
/// last sentences of its training text), then reads the sentence separator (newline or
/// &lt;eos&gt;) and predicts, and ends when the separator is predicted: the begin and end
/// tokens are the same token here. The primer matters because training carries the state
/// across sentences, so a zero state at a sentence start is something the model has almost
/// never seen (only at epoch starts); starting from it, a model can misread where it is in a
/// sentence. Call <c>Training = false</c> before decoding.
/// </para>
/// </summary>
public sealed class RnnLanguageModel : Module, ILanguageModel
{
    private readonly Dropout _inputDropout, _outputDropout;
    private float[] _embedded = [], _hidden = [], _dropped = [], _dHidden = [], _dEmbedded = [];
    private Tensor? _headInput, _embeddingGrad;
    private int _steps, _batch;
    private bool _tokenInput;   // the last Forward fed the ids straight to the first layer (see UsesTokenInput)
    private int[] _primer = [];
    private RecurrentState? _primed;   // (L, 1, H) the state after reading the primer, computed once per evaluation phase

    /// <summary>A freshly initialized model for <paramref name="tokenizer"/>'s vocabulary, weights drawn from <paramref name="rng"/>.</summary>
    public RnnLanguageModel(Tokenizer tokenizer, RnnLanguageModelOptions options, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(rng);
        int v = tokenizer.Vocabulary.Count;
        options.Validate(v);
        Tokenizer = tokenizer;
        Options = options;
        Embedding = new Embedding(v, options.Embedding, rng, "embedding");
        Rnn = new RecurrentStack(options.Recurrent(), rng);
        Head = options.Softmax == SoftmaxKind.Adaptive
            ? new AdaptiveSoftmax(options.Hidden, v, options.CutoffsFor(v), rng, options.CutoffDivisor)
            : options.TieWeights ? new SoftmaxOutput(Embedding.Weight, rng) : new SoftmaxOutput(options.Hidden, v, rng);
        _inputDropout = new Dropout(options.Dropout, Rnn.DropoutRng);
        _outputDropout = new Dropout(options.Dropout, Rnn.DropoutRng);
    }

    /// <summary>The tokenizer whose vocabulary the model predicts.</summary>
    public Tokenizer Tokenizer { get; }

    /// <summary>The architecture.</summary>
    public RnnLanguageModelOptions Options { get; }

    /// <summary>The token embedding (V, E), PyTorch name <c>embedding.weight</c>.</summary>
    public Embedding Embedding { get; }

    /// <summary>The recurrent stack, PyTorch names <c>rnn.weight_ih_l0</c>, ….</summary>
    public RecurrentStack Rnn { get; }

    /// <summary>
    /// The output layer: a <see cref="SoftmaxOutput"/> (PyTorch names <c>head.weight</c> (V, H),
    /// <c>head.bias</c>; with tied weights <c>head.weight</c> is <c>embedding.weight</c>) or an
    /// <see cref="AdaptiveSoftmax"/> (<c>head.head.weight</c>, <c>head.tail.0.0.weight</c>, …).
    /// </summary>
    public OutputLayer Head { get; }

    /// <summary>
    /// Every tensor of the model under its PyTorch name, in state-dict order: the parameters,
    /// and with tied weights also <c>head.weight</c>, the embedding's table again (PyTorch's
    /// state dict lists a tied weight under both names).
    /// </summary>
    public IEnumerable<(string Name, Parameter Tensor)> NamedTensors()
    {
        foreach (var p in Embedding.Parameters()) yield return (p.Name, p);
        foreach (var p in Rnn.Parameters()) yield return (p.Name, p);
        if (Head is SoftmaxOutput { Linear.SharesWeight: true }) yield return ("head.weight", Embedding.Weight);
        foreach (var p in Head.Parameters()) yield return (p.Name, p);
    }

    /// <summary>
    /// Tokens read before every decoded sequence (whole sentences, without the final separator,
    /// which <see cref="BeginToken"/> supplies). Empty: decoding starts from a zero state.
    /// </summary>
    public int[] Primer
    {
        get => (int[])_primer.Clone();
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            foreach (int t in value)
                if ((uint)t >= (uint)Vocabulary.Count) throw new ArgumentOutOfRangeException(nameof(value), t, "A primer token is outside the vocabulary.");
            _primer = (int[])value.Clone();
            _primed = null;
        }
    }

    /// <inheritdoc/>
    protected override void OnTrainingChanged() => _primed = null;

    /// <summary>
    /// The generator of every dropout mask (embedding, between layers, output); set it to
    /// restore a checkpointed stream.
    /// </summary>
    public Rng DropoutRng
    {
        get => Rnn.DropoutRng;
        set
        {
            Rnn.DropoutRng = value;
            _inputDropout.Rng = value;
            _outputDropout.Rng = value;
        }
    }

    /// <inheritdoc/>
    public override IEnumerable<Parameter> Parameters()
    {
        foreach (var p in Embedding.Parameters()) yield return p;
        foreach (var p in Rnn.Parameters()) yield return p;
        foreach (var p in Head.Parameters()) yield return p;
    }

    /// <inheritdoc/>
    protected override IEnumerable<Module> Children() => [Embedding, Rnn, Head, _inputDropout, _outputDropout];

    /// <summary>
    /// The mean cross-entropy (nats per token) of predicting <paramref name="targets"/> from
    /// <paramref name="inputs"/>, both (T, B) time-major, starting from <paramref name="state"/>,
    /// which is replaced by the final state (truncated BPTT carries it into the next batch).
    /// Keeps what <see cref="Backward"/> needs.
    /// </summary>
    public double Forward(ReadOnlySpan<int> inputs, ReadOnlySpan<int> targets, int steps, int batch, RecurrentState state)
    {
        if (targets.Length != inputs.Length) throw new ArgumentException($"inputs and targets need T·B = {inputs.Length} tokens each.");
        return Head.Forward(Hidden(inputs, steps, batch, state), targets);   // over (T·B, V)
    }

    /// <summary>
    /// ln p(targets[i] | inputs up to i) for every position of a (T, B) window, into
    /// <paramref name="destination"/> (T·B), starting from <paramref name="state"/>, which is
    /// replaced by the final state: what evaluation and scoring need, without the V-wide rows
    /// an adaptive softmax never computes. Use in evaluation mode.
    /// </summary>
    public void TargetLogProbabilities(ReadOnlySpan<int> inputs, ReadOnlySpan<int> targets, int steps, int batch, RecurrentState state, Span<float> destination)
    {
        if (targets.Length != inputs.Length) throw new ArgumentException($"inputs and targets need T·B = {inputs.Length} tokens each.");
        Head.TargetLogProbabilities(Hidden(inputs, steps, batch, state).Span, targets, destination);
    }

    // Embedding, dropout, recurrent stack and dropout: the output layer's input (T·B, H).
    private Tensor Hidden(ReadOnlySpan<int> inputs, int steps, int batch, RecurrentState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        int n = steps * batch;
        if (inputs.Length != n) throw new ArgumentException($"inputs need T·B = {n} tokens.");
        EnsureBuffers(steps, batch);
        var h = _hidden.AsSpan(0, n * Options.Hidden);                  // (T, B, H)
        _tokenInput = UsesTokenInput(n);
        if (_tokenInput)
        {
            Rnn.ForwardTokens(inputs, Embedding.Weight, h, steps, batch, state, state);
        }
        else
        {
            var x = Embedding.Forward(inputs).Span;                     // (T·B, E)
            _inputDropout.Forward(x, _embedded.AsSpan(0, n * Options.Embedding), Options.LockedDropout ? batch * Options.Embedding : 0);
            Rnn.Forward(_embedded.AsSpan(0, n * Options.Embedding), h, steps, batch, state, state);
        }
        _outputDropout.Forward(h, _dropped.AsSpan(0, n * Options.Hidden), Options.LockedDropout ? batch * Options.Hidden : 0);
        return _headInput!;
    }

    /// <summary>Backpropagates the last <see cref="Forward"/>'s mean loss into every parameter gradient (adding to them).</summary>
    public void Backward()
    {
        int n = _steps * _batch;
        var dDropped = Head.Backward().Span;                            // (T·B, H)
        var dHidden = _dHidden.AsSpan(0, n * Options.Hidden);
        _outputDropout.Backward(dDropped, dHidden);
        if (_tokenInput)
        {
            Rnn.Backward(dHidden, default);   // the first layer adds ∂L/∂embedding itself
            return;
        }
        var dEmbedded = _dEmbedded.AsSpan(0, n * Options.Embedding);
        Rnn.Backward(dHidden, dEmbedded);
        var dx = _embeddingGrad!.Span;
        _inputDropout.Backward(dEmbedded, dx);
        Embedding.Backward(_embeddingGrad);
    }

    /// <summary>
    /// Whether Forward hands the token ids to the first recurrent layer, which then projects the
    /// V rows of the embedding table once instead of the T·B looked-up rows (an exact rewrite;
    /// see RecurrentLayer.InputProjection.cs): when no input dropout sits between the lookup and the
    /// layer (evaluation mode or p = 0), the input projection is not layer-normalized, and the
    /// positions outnumber the vocabulary at least twice, so the V-row products cost at most
    /// half the T·B-row ones they replace.
    /// </summary>
    private bool UsesTokenInput(int positions) =>
        TokenInput && !(Training && Options.Dropout > 0f) && !Options.LayerNorm && 2L * Vocabulary.Count <= positions;

    /// <summary>
    /// Whether decoding steps read the first layer's input projection as a row of b + E·W_ihᵀ
    /// (<see cref="UsesTokenInput"/>'s form, kept across steps): the projected table costs
    /// V × GH floats once, worth it for small vocabularies (characters), not for words, where
    /// W_ih is the smaller of the two; not with a layer-normalized input projection.
    /// </summary>
    private bool StepsThroughTokenTable => !Options.LayerNorm && Vocabulary.Count <= 8 * Options.Embedding;

    /// <summary>Allows the token-input path (<see cref="UsesTokenInput"/>); tests turn it off to compare both paths.</summary>
    internal bool TokenInput { get; set; } = true;

    private void EnsureBuffers(int steps, int batch)
    {
        if (steps == _steps && batch == _batch) return;
        int n = steps * batch, e = Options.Embedding, h = Options.Hidden;
        _steps = steps;
        _batch = batch;
        _embedded = new float[n * e];
        _dEmbedded = new float[n * e];
        _hidden = new float[n * h];
        _dropped = new float[n * h];
        _dHidden = new float[n * h];
        _headInput = new Tensor(_dropped, new Shape(n, h));
        _embeddingGrad = Tensor.Zeros(n, e);
    }

    // ILanguageModel: one decoding step per call, evaluation mode, no allocation once warm.

    /// <inheritdoc/>
    public Vocabulary Vocabulary => Tokenizer.Vocabulary;

    /// <summary>The sentence separator (newline or &lt;eos&gt;); token 0 when the text had none.</summary>
    public int BeginToken => Tokenizer.EndOfSentence >= 0 ? Tokenizer.EndOfSentence : 0;

    /// <summary>The sentence separator, or −1 when the text had none (decoding then runs to a length limit).</summary>
    public int EndToken => Tokenizer.EndOfSentence;

    /// <inheritdoc/>
    public LanguageModelState CreateState(int batch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        return new RnnLanguageModelState(StartState(batch), batch, Options.Embedding, Options.Hidden);
    }

    /// <summary>
    /// The recurrent state of <paramref name="batch"/> rows after reading <see cref="Primer"/>
    /// (zero without one): where decoding and evaluation start. Use in evaluation mode.
    /// </summary>
    public RecurrentState StartState(int batch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        var state = Rnn.CreateState(batch);
        if (_primer.Length > 0 && batch > 0)
        {
            _primed ??= Prime();
            Span<int> rows = batch <= 256 ? stackalloc int[batch] : new int[batch];
            rows.Clear();
            state.CopyRowsFrom(_primed, rows);
        }
        return state;
    }

    // One row reads the primer from a zero state; every new decoding state starts as a copy.
    private RecurrentState Prime()
    {
        var one = new RnnLanguageModelState(Rnn.CreateState(1), 1, Options.Embedding, Options.Hidden);
        var scratch = new float[Vocabulary.Count];
        foreach (int t in _primer) Step(one, [t], scratch);
        return one.Recurrent;
    }

    /// <inheritdoc/>
    public void Step(LanguageModelState state, ReadOnlySpan<int> tokens, Span<float> logProbs)
    {
        var s = RnnLanguageModelState.Of(state);
        int batch = s.Batch, v = Vocabulary.Count, e = Options.Embedding, h = Options.Hidden;
        if (Training) throw new InvalidOperationException("Decoding needs evaluation mode: set Training = false first.");
        if (tokens.Length != batch) throw new ArgumentException($"tokens has {tokens.Length} entries for {batch} rows.", nameof(tokens));
        if (logProbs.Length < batch * v) throw new ArgumentException($"logProbs needs {batch} rows × {v} tokens.", nameof(logProbs));
        var table = Embedding.Weight.Value.Span;
        for (int r = 0; r < batch; r++)
            if ((uint)tokens[r] >= (uint)v) throw new ArgumentOutOfRangeException(nameof(tokens), tokens[r], $"Token {tokens[r]} of row {r} is outside the vocabulary of {v}.");
        var hidden = s.Output.AsSpan(0, batch * h);
        if (!StepsThroughTokenTable)
        {
            for (int r = 0; r < batch; r++) table.Slice(tokens[r] * e, e).CopyTo(s.Input.AsSpan(r * e, e));
            Rnn.Step(s.Input.AsSpan(0, batch * e), hidden, s.Recurrent);
        }
        else
        {
            // The first layer reads its input projection as a row of b + E·W_ihᵀ, kept across
            // steps (RecurrentLayer.InputProjection.cs): one row instead of all of W_ih.
            Rnn.ForwardTokens(tokens, Embedding.Weight, hidden, 1, batch, s.Recurrent, s.Recurrent);
        }
        Head.LogProbabilities(hidden, logProbs, batch);
    }

    /// <inheritdoc/>
    public void Gather(LanguageModelState source, ReadOnlySpan<int> rows, LanguageModelState destination)
    {
        var from = RnnLanguageModelState.Of(source);
        var to = RnnLanguageModelState.Of(destination);
        if (ReferenceEquals(from, to)) throw new ArgumentException("Source and destination must be different states.", nameof(destination));
        if (to.Batch != rows.Length) throw new ArgumentException($"destination has {to.Batch} rows; {rows.Length} were asked for.", nameof(destination));
        to.Recurrent.CopyRowsFrom(from.Recurrent, rows);
    }
}

/// <summary>Per-row decoding state of an <see cref="RnnLanguageModel"/>: the stack's state plus step buffers.</summary>
internal sealed class RnnLanguageModelState(RecurrentState recurrent, int batch, int embedding, int hidden) : LanguageModelState
{
    public RecurrentState Recurrent { get; } = recurrent;
    public float[] Input { get; } = new float[batch * embedding];    // (B, E)
    public float[] Output { get; } = new float[batch * hidden];      // (B, H)
    public override int Batch => Recurrent.Batch;

    public static RnnLanguageModelState Of(LanguageModelState state) =>
        state as RnnLanguageModelState ?? throw new ArgumentException("The state was not made by an RNN language model's CreateState.", nameof(state));
}
