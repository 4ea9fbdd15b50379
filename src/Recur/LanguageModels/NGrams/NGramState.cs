namespace Recur.LanguageModels.NGrams;

// Glossary: N model order; k context length (0 ≤ k ≤ N − 1).

/// <summary>
/// The context of an n-gram query, in the style of KenLM's <c>lm::ngram::State</c>: the longest
/// suffix of the words read so far that the model can still use, at most N − 1 words. It is
/// stored as (length k, index of that k-word context in the model's table), so two states are
/// equal exactly when they predict the same next-word distribution through the same context;
/// it is a value type, cheap to copy, hash and compare (beam recombination). A state belongs
/// to the model that made it.
/// <para>
/// The model shortens states the way KenLM does: a context that the model holds no longer
/// n-gram for and whose back-off weight is 1 (log 0) is dropped, because it cannot change any
/// later probability (KenLM's "Backoff 0.0 vs −0.0" distinction).
/// </para>
/// </summary>
/// <param name="Length">Number of context words k (0 = the null context).</param>
/// <param name="Entry">Index of the k-word context among the model's k-grams (unused when k = 0).</param>
public readonly record struct NGramState(int Length, int Entry);

/// <summary>
/// The score of one word after a state, like KenLM's <c>FullScoreReturn</c> and the triples of
/// its Python <c>full_scores</c>.
/// </summary>
/// <param name="Log10Probability">log₁₀ P(word | context); −∞ for a word the model gives probability 0.</param>
/// <param name="NGramLength">Length of the longest n-gram the back-off rule found (1 = unigram; 0 for an
/// out-of-vocabulary word in a closed-vocabulary model).</param>
/// <param name="IsOov">True when the word is not in the vocabulary (it was scored as &lt;unk&gt;) or is &lt;unk&gt; itself.</param>
public readonly record struct NGramScore(double Log10Probability, int NGramLength, bool IsOov)
{
    /// <summary>The same probability in natural log: ln P = log₁₀ P · ln 10.</summary>
    public double LogProbability => Log10Probability * Math.Log(10.0);
}
