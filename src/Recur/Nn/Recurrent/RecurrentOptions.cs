using Recur.Kernels;

namespace Recur.Nn.Recurrent;

/// <summary>
/// Hyper-parameters of a <see cref="RecurrentStack"/>. Defaults match PyTorch's nn.RNN, nn.LSTM
/// and nn.GRU (one layer, no dropout, tanh, the standard Elman form). Usage:
/// <c>new RecurrentOptions(CellKind.Lstm, 64, 256) { Layers = 2, Dropout = 0.2f, Prefix = "rnn" }</c>.
/// </summary>
/// <param name="Cell">The recurrent unit.</param>
/// <param name="InputSize">Features of the input x_t (PyTorch's input_size).</param>
/// <param name="HiddenSize">Features of the state h_t (PyTorch's hidden_size).</param>
public sealed record RecurrentOptions(CellKind Cell, int InputSize, int HiddenSize)
{
    /// <summary>Stacked layers (PyTorch's num_layers); layer k &gt; 0 reads layer k − 1's outputs.</summary>
    public int Layers { get; init; } = 1;

    /// <summary>
    /// Inverted-dropout probability on the outputs of every layer but the last, in training
    /// mode, as PyTorch's dropout argument (no recurrent dropout). With one layer it has no
    /// effect (PyTorch warns; we accept it silently).
    /// </summary>
    public float Dropout { get; init; }

    /// <summary>
    /// Between layers, one dropout mask per sequence and feature, shared by every time step
    /// (variational dropout, Gal &amp; Ghahramani 2016) instead of a fresh mask per element.
    /// </summary>
    public bool LockedDropout { get; init; }

    /// <summary>σ of an Elman layer (PyTorch's nonlinearity, plus sigmoid). LSTM and GRU use their fixed gate functions and accept only tanh here.</summary>
    public Activation Activation { get; init; } = Activation.Tanh;

    /// <summary>Where an Elman layer applies σ (docs/theory.md 1.1); LSTM and GRU accept only the standard form.</summary>
    public ElmanForm Form { get; init; } = ElmanForm.Standard;

    /// <summary>
    /// Layer-normalize the input and the recurrent pre-activations separately, and for the LSTM
    /// the cell before its output tanh (Ba et al. 2016, eqs. 20–22). Not in PyTorch; see
    /// <see cref="RecurrentLayer"/> for the equations and the extra parameter names.
    /// </summary>
    public bool LayerNorm { get; init; }

    /// <summary>Prepended to parameter names with a dot: "rnn" gives <c>rnn.weight_ih_l0</c>; empty gives <c>weight_ih_l0</c>.</summary>
    public string Prefix { get; init; } = "";

    /// <summary>Throws ArgumentOutOfRangeException naming the first bad hyper-parameter.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(InputSize, 1, nameof(InputSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(HiddenSize, 1, nameof(HiddenSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(Layers, 1, nameof(Layers));
        if (!Enum.IsDefined(Cell)) throw new ArgumentOutOfRangeException(nameof(Cell), Cell, "Unknown cell kind.");
        if (!Enum.IsDefined(Activation)) throw new ArgumentOutOfRangeException(nameof(Activation), Activation, "Unknown activation.");
        if (!Enum.IsDefined(Form)) throw new ArgumentOutOfRangeException(nameof(Form), Form, "Unknown Elman form.");
        if (!(Dropout >= 0f && Dropout < 1f))
            throw new ArgumentOutOfRangeException(nameof(Dropout), Dropout, "Dropout must be in [0, 1).");
        if (Cell != CellKind.Rnn && Activation != Activation.Tanh)
            throw new ArgumentOutOfRangeException(nameof(Activation), Activation, $"The activation applies to Elman (rnn) cells only; {Cell} has fixed gate functions, so leave it at tanh.");
        if (Cell != CellKind.Rnn && Form != ElmanForm.Standard)
            throw new ArgumentOutOfRangeException(nameof(Form), Form, $"The pre-activation form applies to Elman (rnn) cells only, not {Cell}.");
        ArgumentNullException.ThrowIfNull(Prefix, nameof(Prefix));
        long gates = Cell switch { CellKind.Lstm => 4, CellKind.Gru => 3, _ => 1 };
        if (gates * HiddenSize * Math.Max(InputSize, HiddenSize) > Array.MaxLength)
            throw new ArgumentOutOfRangeException(nameof(HiddenSize), HiddenSize, "The weight matrices would not fit in one array.");
    }
}
