using Recur.LanguageModels;

namespace Recur.Decoding;

// N: vocabulary size; T: the length limit.

/// <summary>
/// Scores a given token sequence under a language model, the way every decoder scores the
/// sequences it returns: the independent check that a decoder's answer is what it claims.
/// </summary>
public static class SequenceScore
{
    /// <summary>
    /// log p(w_1 … w_L | w_0) of a complete sequence — one ending in the end token, or of
    /// exactly <paramref name="maxLength"/> tokens — summed left to right in double; −∞ when it
    /// is not complete, is longer than <paramref name="maxLength"/>, has the end token before its
    /// last position, or puts it before <paramref name="minLength"/> tokens.
    /// </summary>
    public static double LogProbability(ILanguageModel model, ReadOnlySpan<int> tokens, int maxLength, int minLength = 0)
    {
        ArgumentNullException.ThrowIfNull(model);
        int n = model.Vocabulary.Count, end = model.EndToken;
        if (tokens.Length == 0 || tokens.Length > maxLength) return double.NegativeInfinity;
        var state = model.CreateState(1);
        var dist = new float[n];
        int[] one = [model.BeginToken];
        model.Step(state, one, dist);
        double sum = 0;
        for (int i = 0; i < tokens.Length; i++)
        {
            int w = tokens[i];
            if ((uint)w >= (uint)n) throw new ArgumentOutOfRangeException(nameof(tokens), w, $"Token {w} is outside the vocabulary of {n}.");
            bool isEnd = w == end;
            if (isEnd && (i < minLength || i != tokens.Length - 1)) return double.NegativeInfinity;
            sum += dist[w];
            if (i + 1 < tokens.Length)
            {
                one[0] = w;
                model.Step(state, one, dist);
            }
        }
        return tokens[^1] == end || tokens.Length == maxLength ? sum : double.NegativeInfinity;
    }
}
