using Recur.Decoding;
using Recur.LanguageModels;
using Xunit.Sdk;

namespace Recur.Tests.Support;

/// <summary>
/// Checks a decoder's answer against exhaustive search. Small models often have exact ties:
/// sums of float log-probabilities in double are exact here, so two sequences using the same
/// transitions in another order score the same bits. Each decoder breaks ties by its own
/// documented rule, so where sequences differ the answer must be another sequence with exactly
/// the optimal log-probability, re-scored from the model.
/// </summary>
internal static class Oracle
{
    /// <summary>
    /// log p of a complete sequence (ending in the end token, or of exactly
    /// <paramref name="maxLength"/> tokens), summed left to right; −∞ when it is not complete or
    /// puts the end token before <paramref name="minLength"/> tokens.
    /// </summary>
    public static double LogProb(ILanguageModel model, int[] tokens, int maxLength, int minLength = 0) =>
        SequenceScore.LogProbability(model, tokens, maxLength, minLength);

    /// <summary>The same tokens and the same log-probability, bit for bit.</summary>
    public static void AssertIdentical(DecodedSequence expected, DecodedSequence actual, string what)
    {
        if (!expected.Tokens.SequenceEqual(actual.Tokens))
            throw new XunitException($"{what}: expected [{string.Join(",", expected.Tokens)}] got [{string.Join(",", actual.Tokens)}]");
        if (expected.LogProbability != actual.LogProbability)
            throw new XunitException($"{what}: log p {actual.LogProbability:R}, expected {expected.LogProbability:R}");
    }

    /// <summary>
    /// The decoder's list has the same log-probabilities as exhaustive search, rank by rank,
    /// with distinct sequences that truly score that; true when every sequence is also the same.
    /// </summary>
    public static bool AssertSameRanking(ILanguageModel model, IReadOnlyList<DecodedSequence> expected, IReadOnlyList<DecodedSequence> actual,
        int maxLength, int minLength, string what)
    {
        if (expected.Count != actual.Count) throw new XunitException($"{what}: {expected.Count} sequences expected, {actual.Count} returned");
        bool identical = true;
        var seen = new HashSet<string>();
        for (int i = 0; i < expected.Count; i++)
        {
            var (e, a) = (expected[i], actual[i]);
            string tokens = string.Join(",", a.Tokens);
            if (a.LogProbability != e.LogProbability)
                throw new XunitException($"{what}, rank {i}: log p {a.LogProbability:R} for [{tokens}], exhaustive {e.LogProbability:R} for [{string.Join(",", e.Tokens)}]");
            double rescored = LogProb(model, a.Tokens, maxLength, minLength);
            if (rescored != a.LogProbability) throw new XunitException($"{what}, rank {i}: [{tokens}] reports {a.LogProbability:R} but scores {rescored:R}");
            if (DecodedSequence.SumLeftToRight(a.TokenLogProbabilities) != a.LogProbability) throw new XunitException($"{what}, rank {i}: per-token scores do not sum to the log-probability");
            if (!seen.Add(tokens)) throw new XunitException($"{what}: [{tokens}] is returned twice");
            identical &= e.Tokens.SequenceEqual(a.Tokens);
        }
        return identical;
    }
}
