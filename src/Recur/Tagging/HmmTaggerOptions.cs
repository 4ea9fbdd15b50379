namespace Recur.Tagging;

/// <summary>
/// How an <see cref="HmmTagger"/> is trained. The defaults are TnT's (Brants 2000) — a trigram
/// model, endings of up to 10 characters from words seen at most 10 times, capitalization
/// folded into the tags — with three additions that matter on a large tag set, each of which
/// can be turned off: θ chosen by cross-validation, unknown words guessed from a known base
/// form when they have one, and rare known words allowed tags they were not seen with.
/// <c>SuffixTheta = σ, BaseForms = false, RareWordSmoothing = 0</c> is TnT itself, σ being the
/// standard deviation of the tag probabilities — but for one change that is always on: digits
/// are folded before suffixes are compared, so numbers match by shape ("$0,000").
/// </summary>
public sealed record HmmTaggerOptions
{
    /// <summary>The tag n-gram order: 3 (trigram, TnT) or 2 (bigram).</summary>
    public int Order { get; init; } = 3;

    /// <summary>m: the longest word ending the unknown-word model looks at (TnT: 10).</summary>
    public int SuffixLength { get; init; } = 10;

    /// <summary>
    /// Words seen at most this often train the unknown-word model (TnT: 10), and are smoothed
    /// by it (<see cref="RareWordSmoothing"/>).
    /// </summary>
    public int RareWordCount { get; init; } = 10;

    /// <summary>
    /// Condition the transitions on whether each word is capitalized, doubling the tag set
    /// (Brants 2000 §2.3). Off: labels are the tags alone.
    /// </summary>
    public bool Capitalization { get; init; } = true;

    /// <summary>
    /// θ of successive abstraction in the suffix model; null (the default) picks it by two-fold
    /// cross-validation over the rare words (a trained tagger reports the value it used).
    /// </summary>
    public double? SuffixTheta { get; init; }

    /// <summary>
    /// Guess an unknown word's tags from a known base form — its lower-case form, or its part
    /// after the last hyphen — when it has one (not in TnT; see <c>BaseFormModel</c>).
    /// </summary>
    public bool BaseForms { get; init; } = true;

    /// <summary>
    /// β: a word seen at most <see cref="RareWordCount"/> times gets
    /// P(t | w) = (f(w, t) + β P_suffix(t | w)) / (f(w) + β), so it may take a tag it was not
    /// seen with. 0 is TnT: a known word takes only its seen tags.
    /// </summary>
    public double RareWordSmoothing { get; init; } = 1;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> on a bad setting.</summary>
    public void Validate()
    {
        if (Order is not (2 or 3)) throw new ArgumentOutOfRangeException(nameof(Order), Order, "The order must be 2 (bigram) or 3 (trigram).");
        if (SuffixLength is < 0 or > 64) throw new ArgumentOutOfRangeException(nameof(SuffixLength), SuffixLength, "The suffix length must be in [0, 64].");
        if (RareWordCount < 1) throw new ArgumentOutOfRangeException(nameof(RareWordCount), RareWordCount, "The rare-word count must be ≥ 1.");
        if (SuffixTheta is double t && !(t >= 0 && double.IsFinite(t))) throw new ArgumentOutOfRangeException(nameof(SuffixTheta), t, "θ must be finite and ≥ 0.");
        if (!(RareWordSmoothing >= 0 && double.IsFinite(RareWordSmoothing))) throw new ArgumentOutOfRangeException(nameof(RareWordSmoothing), RareWordSmoothing, "β must be finite and ≥ 0.");
    }
}
