namespace Recur.LanguageModels.NGrams;

/// <summary>
/// How strictly <see cref="ArpaReader"/> reads (docs/formats.md, ARPA). Strict, the default, accepts
/// exactly the format: <c>\data\</c> first (blank lines may precede it), <c>ngram k=count</c>
/// lines numbered from 1 (spaces around the number allowed: IRSTLM writes them), counts
/// that match the sections, a TAB after the probability and single spaces between words, no
/// positive log-probabilities, no NaN or infinite back-off weights, no back-off weight on the
/// highest order, <c>\end\</c> followed by nothing but whitespace, and <c>\n</c> line ends.
/// </summary>
public sealed record ArpaReadOptions
{
    /// <summary>
    /// Reads what KenLM and SRILM tolerate, reporting each tolerance through
    /// <see cref="Warning"/>: text before <c>\data\</c>, <c>\r\n</c> line ends, any whitespace
    /// between fields, section sizes that differ from the header counts (SRILM warns), positive
    /// log-probabilities (an IRSTLM bug; clamped to 0 as KenLM does on request), a non-zero
    /// back-off weight on the highest order (ignored), text after <c>\end\</c> or a missing
    /// <c>\end\</c>. Default false.
    /// </summary>
    public bool Lenient { get; init; }

    /// <summary>Receives one line per tolerated problem (lenient mode); null ignores them.</summary>
    public Action<string>? Warning { get; init; }
}

/// <summary>How <see cref="ArpaWriter"/> writes.</summary>
public sealed record ArpaWriteOptions
{
    /// <summary>
    /// The unigram log₁₀ probability written for &lt;s&gt;, which is never predicted: false
    /// (default) writes −99 like SRILM (log 0; what every reader accepts), true writes 0 like
    /// KenLM's lmplz (probability 1).
    /// </summary>
    public bool KenLmBeginSentence { get; init; }

    /// <summary>
    /// Significant digits of each log₁₀ number: 7 (default), as SRILM and KenLM write them —
    /// single precision, which is all a reader keeps (KenLM stores floats); or
    /// <see cref="ExactDigits"/> for the shortest form that reads back to the same double.
    /// </summary>
    public int SignificantDigits
    {
        get;
        init => field = value is >= 1 and <= ExactDigits ? value : throw new ArgumentOutOfRangeException(nameof(SignificantDigits), value, $"Significant digits must be in [1, {ExactDigits}].");
    } = 7;

    /// <summary>Digits enough for every double to read back exactly (17).</summary>
    public const int ExactDigits = 17;
}
