using Recur.Kernels;
using Recur.Nn.Output;
using Recur.Nn.Recurrent;

namespace Recur.LanguageModels.Rnn;

/// <summary>
/// The architecture of an <see cref="RnnLanguageModel"/>: embedding (V → E), a recurrent stack
/// (E → H, L layers) and an output layer (H → V): a full softmax, optionally tied to the
/// embedding, or an adaptive softmax. Defaults are the built-in corpus's model.
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

    /// <summary>
    /// Dropout masks shared across the time steps of a window, one per sequence and feature
    /// (variational or "locked" dropout: Gal &amp; Ghahramani 2016; Merity et al. 2018), on the
    /// embedding, between layers and on the output; a fresh mask per element otherwise.
    /// </summary>
    public bool LockedDropout { get; init; }

    /// <summary>Layer-normalized recurrent cells (Ba et al. 2016; see RecurrentLayer).</summary>
    public bool LayerNorm { get; init; }

    /// <summary>The output layer: a full softmax or an adaptive softmax (Grave et al. 2017).</summary>
    public SoftmaxKind Softmax { get; init; } = SoftmaxKind.Full;

    /// <summary>
    /// Adaptive softmax: the ids where tail clusters start (ids follow training frequency, so
    /// the shortlist [0, Cutoffs[0]) holds the most frequent tokens); each must lie below the
    /// vocabulary size. Null: <see cref="DefaultCutoffs"/>, those of them below the vocabulary size.
    /// </summary>
    public IReadOnlyList<int>? Cutoffs { get; init; }

    /// <summary>The cutoffs when none are given: 2,000 and 10,000 (as fairseq's default for a large vocabulary).</summary>
    public static IReadOnlyList<int> DefaultCutoffs { get; } = [2000, 10000];

    /// <summary>Adaptive softmax: cluster c is projected to ⌊H / d^(c+1)⌋ features (PyTorch's div_value).</summary>
    public double CutoffDivisor { get; init; } = 4.0;

    /// <summary>
    /// Share one (V, H) matrix between the embedding and the output layer (Press &amp; Wolf 2017;
    /// Inan et al. 2017): needs E = H and a full softmax.
    /// </summary>
    public bool TieWeights { get; init; }

    /// <summary>The stack's options for a vocabulary; throws ArgumentOutOfRangeException naming a bad value.</summary>
    public RecurrentOptions Recurrent() => new(Cell, Embedding, Hidden)
    {
        Layers = Layers,
        Dropout = Dropout,
        LockedDropout = LockedDropout,
        Activation = Activation,
        Form = Form,
        LayerNorm = LayerNorm,
        Prefix = "rnn",
    };

    /// <summary>
    /// Throws ArgumentOutOfRangeException naming the first bad layer size, or an
    /// <see cref="InputException"/> about <c>RnnLanguageModelOptions.Property</c> for a choice
    /// that does not fit the others (or, given the vocabulary size, the cutoffs).
    /// </summary>
    public void Validate(int? vocabulary = null)
    {
        Recurrent().Validate();
        if (TieWeights && Softmax != SoftmaxKind.Full) throw Bad(nameof(TieWeights), "needs the full softmax: an adaptive softmax has no (V, H) matrix to share");
        if (TieWeights && Embedding != Hidden) throw Bad(nameof(TieWeights), $"needs the embedding size to equal the hidden size (E = {Embedding}, H = {Hidden})");
        if (vocabulary is { } size) CheckSize(size);
        if (Softmax != SoftmaxKind.Adaptive) return;
        if (!(CutoffDivisor >= 1 && double.IsFinite(CutoffDivisor))) throw Bad(nameof(CutoffDivisor), $"must be at least 1 (got {CutoffDivisor})");
        var cutoffs = Cutoffs ?? DefaultCutoffs;
        if (cutoffs.Count == 0) throw Bad(nameof(Cutoffs), "is empty; give at least one cutoff");
        for (int i = 0; i < cutoffs.Count; i++)
        {
            if (cutoffs[i] < 1) throw Bad(nameof(Cutoffs), $"{cutoffs[i]} is not a token id above 0");
            if (i > 0 && cutoffs[i] <= cutoffs[i - 1]) throw Bad(nameof(Cutoffs), $"must increase strictly ({cutoffs[i]} follows {cutoffs[i - 1]})");
        }
        if (vocabulary is not { } v) return;
        if (Cutoffs is not null && Cutoffs[^1] >= v)
            throw Bad(nameof(Cutoffs), $"{Cutoffs[^1]} is not below the vocabulary size {v}; every cutoff must be a token id in [1, {v - 1}]");
        var used = CutoffsFor(v);
        if (used.Count == 0) throw Bad(nameof(Cutoffs), $"the default cutoffs ({string.Join(",", DefaultCutoffs)}) leave no tail cluster in a vocabulary of {v} tokens; give smaller ones or use the full softmax");
        if (AdaptiveSoftmax.ProjectedSize(Hidden, CutoffDivisor, used.Count - 1) < 1)
            throw Bad(nameof(CutoffDivisor), $"projects tail cluster {used.Count} of a hidden size of {Hidden} to no features; use fewer cutoffs or a smaller divisor");
    }

    /// <summary>
    /// The model's weights over <paramref name="vocabulary"/> tokens, counted without biases and
    /// the adaptive softmax's clusters: a lower bound, computed without allocating anything, that
    /// size checks compare with the memory and with the files at hand.
    /// </summary>
    public double WeightCount(int vocabulary)
    {
        int gates = Cell switch { CellKind.Lstm => 4, CellKind.Gru => 3, _ => 1 };
        // Layer 0 reads E inputs, the others H: gates × H × (E + H) + (L − 1) × gates × H × 2H.
        double count = (double)vocabulary * Embedding
            + (double)gates * Hidden * ((double)Embedding + Hidden)
            + Math.Max(0, Layers - 1) * (double)gates * Hidden * 2.0 * Hidden;
        if (Softmax == SoftmaxKind.Full && !TieWeights) count += (double)vocabulary * Hidden;
        return count;
    }

    // Refuses a model whose weights and gradients (8 bytes a weight) do not fit in memory, or
    // whose largest matrix exceeds what one array holds, before anything is allocated.
    private void CheckSize(int vocabulary)
    {
        int gates = Cell switch { CellKind.Lstm => 4, CellKind.Gru => 3, _ => 1 };
        double largest = Math.Max((double)gates * Hidden * Math.Max(Embedding, Hidden), (double)vocabulary * Math.Max(Embedding, Hidden));
        if (largest > Array.MaxLength)
            throw Bad(nameof(Hidden), $"gives a weight matrix of {largest:N0} values, more than one array holds ({Array.MaxLength:N0}); use smaller sizes");
        double bytes = 8 * WeightCount(vocabulary);
        if (bytes > MachineMemory.AvailableBytes)
            throw Bad(nameof(Hidden), $"gives {WeightCount(vocabulary):N0} weights, which need {MachineMemory.Describe(bytes)} with their gradients; this machine has {MachineMemory.Describe(MachineMemory.AvailableBytes)}");
    }

    /// <summary>The cutoffs a model over <paramref name="vocabulary"/> tokens uses: the given ones, or the defaults below the vocabulary size.</summary>
    public IReadOnlyList<int> CutoffsFor(int vocabulary) => Cutoffs ?? DefaultCutoffs.Where(c => c < vocabulary).ToArray();

    /// <summary>The subject of an error about <paramref name="property"/>: "RnnLanguageModelOptions.Property".</summary>
    public static string Subject(string property) => $"{nameof(RnnLanguageModelOptions)}.{property}";

    private static InputException Bad(string property, string reason) => new(Subject(property), reason);
}
