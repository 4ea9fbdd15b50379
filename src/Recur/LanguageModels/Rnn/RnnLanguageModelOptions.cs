using Recur.Kernels;
using Recur.Nn.Recurrent;

namespace Recur.LanguageModels.Rnn;

/// <summary>
/// The architecture of an <see cref="RnnLanguageModel"/>: embedding (V → E), a recurrent stack
/// (E → H, L layers) and a linear head (H → V). Defaults are the built-in corpus's model.
/// </summary>
public sealed record RnnLanguageModelOptions
{
    /// <summary>The recurrent unit (rnn, lstm or gru).</summary>
    public CellKind Cell { get; init; } = CellKind.Lstm;

    /// <summary>Where an Elman cell applies σ (docs/theory.md 1.1); rnn only.</summary>
    public ElmanForm Form { get; init; } = ElmanForm.Standard;

    /// <summary>σ of an Elman cell; rnn only.</summary>
    public Activation Activation { get; init; } = Activation.Tanh;

    /// <summary>E, the embedding size.</summary>
    public int Embedding { get; init; } = 48;

    /// <summary>H, the hidden size.</summary>
    public int Hidden { get; init; } = 192;

    /// <summary>L, stacked recurrent layers.</summary>
    public int Layers { get; init; } = 1;

    /// <summary>
    /// Dropout probability on the embedding output, between recurrent layers and on the last
    /// layer's output (the non-recurrent connections, Zaremba et al. 2014, as PyTorch's
    /// word_language_model example does). Training mode only.
    /// </summary>
    public float Dropout { get; init; }

    /// <summary>Layer-normalized recurrent cells (Ba et al. 2016; see RecurrentLayer).</summary>
    public bool LayerNorm { get; init; }

    /// <summary>The stack's options for a vocabulary; throws ArgumentOutOfRangeException naming a bad value.</summary>
    public RecurrentOptions Recurrent() => new(Cell, Embedding, Hidden)
    {
        Layers = Layers,
        Dropout = Dropout,
        Activation = Activation,
        Form = Form,
        LayerNorm = LayerNorm,
        Prefix = "rnn",
    };

    /// <summary>Throws ArgumentOutOfRangeException naming the first bad value.</summary>
    public void Validate() => Recurrent().Validate();
}
