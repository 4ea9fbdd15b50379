namespace Recur.LanguageModels.NGrams;

/// <summary>
/// How well an n-gram model predicts held-out sentences, counted as SRILM's <c>ngram -ppl</c>
/// and KenLM's <c>query</c> count them: every sentence is scored from &lt;s&gt; (not predicted,
/// not counted) through its words to &lt;/s&gt; (predicted and counted). Out-of-vocabulary words
/// are not counted and their log-probability is left out of the perplexity (SRILM "OOVs",
/// KenLM "Perplexity excluding OOVs"); so are in-vocabulary tokens the model gives probability
/// 0 (SRILM "zeroprobs"). The context still moves past an OOV (as &lt;unk&gt; in an open vocabulary).
/// <code>Perplexity = 10^(−Log10Probability / Tokens),   Tokens = Words − Oov − ZeroProbs + Sentences</code>
/// </summary>
/// <param name="Sentences">Sentences scored.</param>
/// <param name="Words">Words in them (&lt;s&gt; and &lt;/s&gt; not included).</param>
/// <param name="Oov">Words not in the vocabulary, and literal &lt;unk&gt; tokens.</param>
/// <param name="ZeroProbs">Counted tokens (not OOV) with probability 0.</param>
/// <param name="Tokens">Tokens in the perplexity: Words − Oov − ZeroProbs + Sentences (each &lt;/s&gt;).</param>
/// <param name="Log10Probability">Σ log₁₀ P over those tokens.</param>
/// <param name="OovLog10Probability">Σ log₁₀ P over the OOV tokens (as &lt;unk&gt;); −∞ for a closed vocabulary with OOVs.</param>
public sealed record NGramEvaluation(long Sentences, long Words, long Oov, long ZeroProbs, long Tokens, double Log10Probability, double OovLog10Probability)
{
    /// <summary>10^(−Log10Probability / Tokens); NaN when nothing was counted.</summary>
    public double Perplexity => Tokens > 0 ? Math.Pow(10.0, -Log10Probability / Tokens) : double.NaN;

    /// <summary>KenLM's "Perplexity including OOVs": OOVs counted with their &lt;unk&gt; probability (∞ for a closed vocabulary).</summary>
    public double PerplexityWithOov => Tokens + Oov > 0 ? Math.Pow(10.0, -(Log10Probability + OovLog10Probability) / (Tokens + Oov)) : double.NaN;

    /// <summary>Cross-entropy in bits per counted token: log₂ Perplexity.</summary>
    public double BitsPerToken => Tokens > 0 ? -Log10Probability / Tokens * Math.Log2(10.0) : double.NaN;

    internal static NGramEvaluation Of(NGramModel model, IEnumerable<IReadOnlyList<string>> sentences)
    {
        ArgumentNullException.ThrowIfNull(sentences);
        long count = 0, words = 0, oov = 0, zero = 0, tokens = 0;
        double log10 = 0.0, oovLog10 = 0.0;
        foreach (IReadOnlyList<string> sentence in sentences)
        {
            count++;
            NGramState state = model.BeginSentenceState;
            for (int i = 0; i <= sentence.Count; i++)
            {
                NGramScore s = i < sentence.Count
                    ? model.Score(state, sentence[i], out NGramState next)
                    : model.Score(state, model.EndToken, out next);
                state = next;
                if (i < sentence.Count) words++;
                if (s.IsOov) { oov++; oovLog10 += s.Log10Probability; }
                else if (double.IsNegativeInfinity(s.Log10Probability)) zero++;
                else { tokens++; log10 += s.Log10Probability; }
            }
        }
        return new NGramEvaluation(count, words, oov, zero, tokens, log10, oovLog10);
    }
}
