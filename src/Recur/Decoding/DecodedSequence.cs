using Recur.LanguageModels;
using Recur.Text;

namespace Recur.Decoding;

/// <summary>
/// One decoded sequence: the generated tokens after the begin token (ending with the end
/// token when the model produced it, otherwise cut at the length limit), the log-probability
/// of each, their sum, and the score the decoder ranked it by.
/// </summary>
/// <param name="Tokens">Generated token ids, w_1 … w_L (the begin token w_0 is not included).</param>
/// <param name="TokenLogProbabilities">log p(w_t | w_0 … w_{t−1}) for each token, as the model gave it.</param>
/// <param name="LogProbability">log p(w_1 … w_L | w_0) = Σ_t log p(w_t | w_{&lt;t}), summed left to right in double.</param>
/// <param name="Score">What the decoder ranked by: the log-probability, or for beam search the
/// length-normalized log-probability (<see cref="LengthNormalization"/>).</param>
public sealed record DecodedSequence(int[] Tokens, float[] TokenLogProbabilities, double LogProbability, double Score)
{
    /// <summary>Builds a sequence whose score is its log-probability.</summary>
    public static DecodedSequence FromTokens(int[] tokens, float[] tokenLogProbabilities) =>
        WithScore(tokens, tokenLogProbabilities, static (logProb, _) => logProb);

    /// <summary>Builds a sequence scored by <paramref name="score"/>(log-probability, length).</summary>
    public static DecodedSequence WithScore(int[] tokens, float[] tokenLogProbabilities, Func<double, int, double> score)
    {
        double sum = SumLeftToRight(tokenLogProbabilities);
        return new DecodedSequence(tokens, tokenLogProbabilities, sum, score(sum, tokens.Length));
    }

    /// <summary>Whether the sequence ends with <paramref name="endToken"/> (otherwise the length limit cut it).</summary>
    public bool Ends(int endToken) => Tokens.Length > 0 && Tokens[^1] == endToken;

    /// <summary>
    /// The tokens without a final <paramref name="endToken"/>: the content to show or
    /// detokenize. (A run-on sequence may hold the separator inside; those stay.)
    /// </summary>
    public int[] ContentTokens(int endToken) => Ends(endToken) ? Tokens[..^1] : Tokens;

    /// <summary>
    /// The text of the sequence as <paramref name="tokenizer"/> writes it — characters joined,
    /// words separated by spaces, bytes read as UTF-8 — without a final sentence separator.
    /// </summary>
    public string Text(Tokenizer tokenizer)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        return tokenizer.Decode(ContentTokens(tokenizer.EndOfSentence));
    }

    /// <summary>The content tokens as <paramref name="model"/>'s vocabulary entries, separated by spaces (for models without a tokenizer: Markov chains, prefix trees, n-grams).</summary>
    public string Words(ILanguageModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return string.Join(' ', ContentTokens(model.EndToken).Select(t => model.Vocabulary[t]));
    }

    /// <summary>
    /// Σ x_t from t = 1, in double, in the order every decoder accumulates (0 + x_1 + x_2 + …),
    /// so the same sequence gets the same bits from every decoder.
    /// </summary>
    public static double SumLeftToRight(ReadOnlySpan<float> tokenLogProbabilities)
    {
        double sum = 0;
        foreach (float x in tokenLogProbabilities) sum += x;
        return sum;
    }
}
