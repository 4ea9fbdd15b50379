using Recur.LanguageModels;
using Recur.Tensors;

namespace Recur.Decoding;

// S: samples (model rows); N: vocabulary size; T: the length limit.

/// <summary>
/// Ancestral sampling: each sample draws token t+1 from the model's distribution after its
/// prefix, reshaped by temperature, then top-k, then top-p (<see cref="SamplingOptions"/>,
/// which documents the degenerate settings), until the end token or T tokens. All samples run
/// as rows of one model batch. Randomness comes only from the <see cref="Rng"/> passed in, one
/// uniform draw per token, so the same seed gives the same samples on every machine. Returned
/// log-probabilities are the model's own (not tempered or truncated); the samples are returned
/// in the order drawn, not sorted. A sample whose every continuation has probability 0 is
/// dropped.
/// </summary>
public static class Sampler
{
    /// <summary>Draws <see cref="SamplingOptions.Count"/> sequences.</summary>
    public static DecodeResult Sample(ILanguageModel model, SamplingOptions options, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(rng);
        var o = options;
        int n = model.Vocabulary.Count, s = o.Count, end = model.EndToken;
        SearchLimits.Check("SamplingOptions.Count", $"the count S = {s:N0} × (length T = {o.MaxLength:N0} + vocabulary N = {n:N0})", (double)s * ((double)o.MaxLength + n));
        var timed = new TimedModel(model);
        var state = model.CreateState(s);
        var logProbs = new float[(long)s * n];                 // (S, N)
        var inputs = new int[s];
        var tokens = new int[(long)s * o.MaxLength];           // (S, T)
        var tokenLogProbs = new float[(long)s * o.MaxLength];  // (S, T)
        var length = new int[s];
        var open = new bool[s];
        var filter = new TokenFilter(n);
        var penalty = new RepetitionPenalty(o.RepetitionPenalty, n, s, o.Context);
        var scratch = new float[n];
        Array.Fill(inputs, model.BeginToken);
        Array.Fill(open, true);
        long expanded = 0;
        for (int t = 0; t < o.MaxLength; t++)
        {
            timed.Step(state, inputs, logProbs);
            bool any = false;
            for (int r = 0; r < s; r++)
            {
                if (!open[r]) continue;
                expanded++;
                var row = logProbs.AsSpan(r * n, n);
                int w = filter.Draw(penalty.Apply(r, row, scratch), t < o.MinLength ? end : -1, o, rng);
                if (w < 0)
                {
                    // Dead end: nothing can follow this prefix.
                    open[r] = false;
                    length[r] = -1;
                    continue;
                }
                tokens[(long)r * o.MaxLength + t] = w;
                tokenLogProbs[(long)r * o.MaxLength + t] = row[w];
                length[r] = t + 1;
                inputs[r] = w;
                penalty.Seen(r, w);
                bool more = o.OnToken?.Invoke(r, tokens.AsSpan((int)((long)r * o.MaxLength), t + 1)) ?? true;
                open[r] = more && w != end && t + 1 < o.MaxLength;
                any |= open[r];
            }
            if (!any) break;
        }
        var samples = new List<DecodedSequence>(s);
        for (int r = 0; r < s; r++)
        {
            if (length[r] <= 0) continue;
            long at = (long)r * o.MaxLength;
            samples.Add(DecodedSequence.FromTokens(tokens.AsSpan((int)at, length[r]).ToArray(), tokenLogProbs.AsSpan((int)at, length[r]).ToArray()));
        }
        return timed.Result(samples, expanded);
    }
}
