namespace Recur.Text;

/// <summary>
/// How a <see cref="Tokenizer"/> is built from training text (<see cref="Tokenizer.Build(TokenizerOptions, string)"/>).
/// Word and byte-pair vocabularies come from the training text only, their ids ordered by
/// descending training frequency (ties in ordinal string order), so a frequency band is a
/// contiguous range of ids, as an adaptive softmax needs.
/// </summary>
public sealed record TokenizerOptions
{
    /// <summary>Characters, whitespace-separated words, or byte-pair-encoded subwords.</summary>
    public TokenizerKind Kind { get; init; } = TokenizerKind.Char;

    /// <summary>Word: keep the words seen at least this often in the training text; the others become &lt;unk&gt;. Default 1 (every word).</summary>
    public int MinCount { get; init; } = 1;

    /// <summary>
    /// Word: the most tokens in the vocabulary, &lt;eos&gt; and &lt;unk&gt; included; the most
    /// frequent words are kept. Null: no cap.
    /// </summary>
    public int? MaxVocabulary { get; init; }

    /// <summary>BPE: how many merges to learn on top of the 256 bytes. Default 8,000.</summary>
    public int BpeMerges { get; init; } = 8_000;

    /// <summary>The most merges <see cref="BpeMerges"/> may ask for.</summary>
    public const int MaxBpeMerges = 1_000_000;

    /// <summary>Throws an <see cref="InputException"/> naming the first bad property (<c>TokenizerOptions.MinCount</c>).</summary>
    public void Validate()
    {
        if (MinCount < 1) throw Bad(nameof(MinCount), $"must be at least 1 (got {MinCount})");
        if (MaxVocabulary is < 3) throw Bad(nameof(MaxVocabulary), $"must be at least 3: <eos>, <unk> and one word (got {MaxVocabulary})");
        if (BpeMerges is < 0 or > MaxBpeMerges) throw Bad(nameof(BpeMerges), $"must be in [0, {MaxBpeMerges}] (got {BpeMerges})");
        if (Kind != TokenizerKind.Word && (MinCount != 1 || MaxVocabulary is not null))
            throw Bad(MinCount != 1 ? nameof(MinCount) : nameof(MaxVocabulary), "applies to the word tokenizer only");
    }

    /// <summary>The subject of an error about <paramref name="property"/>: "TokenizerOptions.Property".</summary>
    public static string Subject(string property) => $"{nameof(TokenizerOptions)}.{property}";

    private static InputException Bad(string property, string reason) => new(Subject(property), reason);
}
