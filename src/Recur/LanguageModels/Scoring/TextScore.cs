namespace Recur.LanguageModels.Scoring;

/// <summary>
/// How well a model predicts a text, counted as n-gram tools count (SRILM's <c>ngram -ppl</c>,
/// KenLM's <c>query</c>): every sentence's end is predicted and counted, its start is context
/// only; an unknown word is the <c>&lt;unk&gt;</c> token, counted like any other and also
/// reported on its own. Log-probabilities are natural logs.
/// </summary>
/// <param name="Sentences">Lines scored (blank lines of a word model are not sentences).</param>
/// <param name="Tokens">Tokens predicted (each sentence's end included).</param>
/// <param name="Words">Whitespace-separated words plus one end per non-blank line: the unit of a word-level perplexity, whatever the tokenizer.</param>
/// <param name="Characters">Unicode characters of the text, line ends included.</param>
/// <param name="Unknown">Tokens that were &lt;unk&gt; (words outside the vocabulary, or literal &lt;unk&gt;).</param>
/// <param name="LogProbability">Σ ln p over all predicted tokens.</param>
/// <param name="UnknownLogProbability">Σ ln p over the &lt;unk&gt; tokens.</param>
public sealed record TextScore(long Sentences, long Tokens, long Words, long Characters, long Unknown, double LogProbability, double UnknownLogProbability)
{
    /// <summary>e^(−LogProbability / Tokens): perplexity per token, &lt;unk&gt; counted.</summary>
    public double Perplexity => Tokens > 0 ? Math.Exp(-LogProbability / Tokens) : double.NaN;

    /// <summary>e^(−LogProbability / Words): perplexity per word, comparable across char, word and BPE models of the same text.</summary>
    public double PerplexityPerWord => Words > 0 ? Math.Exp(-LogProbability / Words) : double.NaN;

    /// <summary>Perplexity over the tokens that are not &lt;unk&gt; (SRILM's and KenLM's default, which leave OOVs out).</summary>
    public double PerplexityWithoutUnknown => Tokens > Unknown ? Math.Exp(-(LogProbability - UnknownLogProbability) / (Tokens - Unknown)) : double.NaN;

    /// <summary>−LogProbability / (Characters · ln 2): bits per character.</summary>
    public double BitsPerCharacter => Characters > 0 ? -LogProbability / (Characters * Math.Log(2)) : double.NaN;

    /// <summary>Nats per token: −LogProbability / Tokens.</summary>
    public double NatsPerToken => Tokens > 0 ? -LogProbability / Tokens : double.NaN;
}
