using Recur.LanguageModels;

namespace Recur.Decoding;

// N: vocabulary size; T: the length limit.

/// <summary>
/// Greedy decoding: at each step the most probable next token (ties to the lowest id), until
/// the end token or T tokens. Beam search with width 1 returns the same sequence (docs/theory.md
/// 2.4b: on the worked example it finds −9.1 where the best is −8.2). When every continuation
/// has probability 0 before the sequence is complete, no sequence is returned.
/// </summary>
public static class Greedy
{
    /// <summary>The greedy sequence (or none).</summary>
    public static DecodeResult Decode(ILanguageModel model, GreedyOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var o = options ?? new GreedyOptions();
        SearchLimits.Check("GreedyOptions.MaxLength", $"the length T = {o.MaxLength:N0} + vocabulary N = {model.Vocabulary.Count:N0}", (double)o.MaxLength + model.Vocabulary.Count);
        var timed = new TimedModel(model);
        var sequence = Run(timed, o.MaxLength, o.MinLength, out long expanded, new RepetitionPenalty(o.RepetitionPenalty, model.Vocabulary.Count, 1, o.Context), o.OnToken);
        return timed.Result(sequence is null ? [] : [sequence], expanded);
    }

    // Shared with best-first search, which uses the greedy sequence as a lower bound.
    internal static DecodedSequence? Run(TimedModel timed, int maxLength, int minLength, out long expanded, RepetitionPenalty? penalty = null, TokenCallback? onToken = null)
    {
        var model = timed.Model;
        int n = model.Vocabulary.Count, end = model.EndToken;
        var state = model.CreateState(1);
        var dist = new float[n];
        var tokens = new int[maxLength];
        var logProbs = new float[maxLength];
        int[] one = [model.BeginToken];
        var scratch = penalty is null ? [] : new float[n];
        expanded = 0;
        for (int t = 0; t < maxLength; t++)
        {
            timed.Step(state, one, dist);
            expanded++;
            var scores = penalty is null ? dist : penalty.Apply(0, dist, scratch);
            int bestToken = -1;
            float bestScore = float.NegativeInfinity;
            for (int w = 0; w < n; w++)
            {
                if (w == end && t < minLength) continue;
                if (scores[w] > bestScore) (bestToken, bestScore) = (w, scores[w]);
            }
            if (bestToken < 0) return null;
            tokens[t] = bestToken;
            logProbs[t] = dist[bestToken];
            penalty?.Seen(0, bestToken);
            bool more = onToken?.Invoke(0, tokens.AsSpan(0, t + 1)) ?? true;
            if (!more || bestToken == end || t + 1 == maxLength) return DecodedSequence.FromTokens(tokens[..(t + 1)], logProbs[..(t + 1)]);
            one[0] = bestToken;
        }
        return null;
    }
}
