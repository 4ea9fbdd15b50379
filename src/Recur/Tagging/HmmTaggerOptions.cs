namespace Recur.Tagging;

/// <summary>
/// How an <see cref="HmmTagger"/> is trained. The defaults follow TnT (Brants 2000) — a trigram
/// model, word endings from words seen at most 10 times, capitalization folded into the tags —
/// with additions that matter on a large tag set, each of which can be turned off: θ chosen by
/// cross-validation, unknown words guessed from a known base form when they have one (mixed with
/// their ending), rare known words allowed tags they were not seen with, and a tempered tag prior
/// for unknown words. <c>SuffixLength = 10, SuffixTheta = σ, BaseForms = false,
/// RareWordSmoothing = 0, UnknownPriorExponent = 1</c> is TnT itself, σ being the standard
/// deviation of the tag probabilities — but for one change that is always on: digits are folded
/// before suffixes are compared, so numbers match by shape ("$0,000").
/// <para>
/// The defaults that differ from TnT were chosen by 10-fold cross-validation on the Brown corpus
/// (folds by file; docs/cli.md, `recur tag eval`): suffix length 6, base-form suffix weight 0.3
/// and prior exponent 0.8 raise the mean accuracy on unknown words from 80.36% to 81.34% and
/// overall from 95.88% to 95.95%.
/// </para>
/// </summary>
public sealed record HmmTaggerOptions
{
    /// <summary>The tag n-gram order: 3 (trigram, TnT) or 2 (bigram).</summary>
    public int Order { get; init; } = 3;

    /// <summary>m: the longest word ending the unknown-word model looks at (TnT: 10; default 6).</summary>
    public int SuffixLength { get; init; } = 6;

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

    /// <summary>
    /// w: when an unknown word has a known base form (<see cref="BaseForms"/>), its tag
    /// distribution is the normalized geometric mixture P_base(t | w)^(1−w) · P_suffix(t | w)^w,
    /// so its ending still counts. 0: the base form alone.
    /// </summary>
    public double BaseFormSuffixWeight { get; init; } = 0.3;

    /// <summary>
    /// γ: an unknown word's lexical score is log P(t | w) − γ log P(t, c). Bayes' rule (TnT) has
    /// γ = 1; P(t | w) is estimated from rare words, whose tags lean less to the frequent closed
    /// classes than the prior does, and a smaller γ divides that prior out less.
    /// </summary>
    public double UnknownPriorExponent { get; init; } = 0.8;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> on a bad setting.</summary>
    public void Validate()
    {
        if (Order is not (2 or 3)) throw new ArgumentOutOfRangeException(nameof(Order), Order, "The order must be 2 (bigram) or 3 (trigram).");
        if (SuffixLength is < 0 or > 64) throw new ArgumentOutOfRangeException(nameof(SuffixLength), SuffixLength, "The suffix length must be in [0, 64].");
        if (RareWordCount < 1) throw new ArgumentOutOfRangeException(nameof(RareWordCount), RareWordCount, "The rare-word count must be ≥ 1.");
        if (SuffixTheta is double t && !(t >= 0 && double.IsFinite(t))) throw new ArgumentOutOfRangeException(nameof(SuffixTheta), t, "θ must be finite and ≥ 0.");
        if (!(RareWordSmoothing >= 0 && double.IsFinite(RareWordSmoothing))) throw new ArgumentOutOfRangeException(nameof(RareWordSmoothing), RareWordSmoothing, "β must be finite and ≥ 0.");
        if (!(BaseFormSuffixWeight is >= 0 and <= 1)) throw new ArgumentOutOfRangeException(nameof(BaseFormSuffixWeight), BaseFormSuffixWeight, "The base-form suffix weight must be in [0, 1].");
        if (!(UnknownPriorExponent is >= 0 and <= 2)) throw new ArgumentOutOfRangeException(nameof(UnknownPriorExponent), UnknownPriorExponent, "The prior exponent γ must be in [0, 2].");
    }
}
