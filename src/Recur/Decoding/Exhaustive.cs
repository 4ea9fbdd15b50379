using Recur.LanguageModels;

namespace Recur.Decoding;

// N: vocabulary size; T: the length limit; K: sequences kept.

/// <summary>
/// Exhaustive search (docs/theory.md 2.1): enumerates every token string w_1 … w_T after the
/// begin token — N^T of them — in lexicographic (odometer) order and keeps the K best.
/// A string that produces the end token before T is complete there, so with an end token
/// fewer than N^T complete sequences are enumerated. Memory is O(T·N + K·T): one model state
/// and one next-token distribution per depth, never a list of sequences.
/// <para>
/// This is the brute-force oracle the other decoders are tested against, so it is literal:
/// it also walks strings of probability 0 (they are counted but never kept). Tie rule: of
/// equal log-probabilities, the lexicographically first string (lowest ids first) wins.
/// <see cref="DecodeResult.Expanded"/> counts complete sequences enumerated.
/// </para>
/// </summary>
public static class Exhaustive
{
    /// <summary>The K most probable complete sequences; throws <see cref="InputException"/> when N^T exceeds the limit.</summary>
    public static DecodeResult Search(ILanguageModel model, ExhaustiveOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var o = options ?? new ExhaustiveOptions();
        int n = model.Vocabulary.Count, t = o.MaxLength, end = model.EndToken;
        double count = Math.Pow(n, t);
        if (count > o.MaxSequences)
            throw new InputException("exhaustive search", $"{n}^{t} = {count:G4} sequences exceed the limit of {o.MaxSequences}; use Viterbi or exact best-first search, a shorter length, or raise the limit");

        var timed = new TimedModel(model);
        var states = new LanguageModelState[t];           // states[d] has read w_0 … w_d
        for (int d = 0; d < t; d++) states[d] = model.CreateState(1);
        var dist = new float[(long)t * n];                 // (T, N): dist[d] = p(w_{d+1} | w_0 … w_d)
        var prefix = new double[t + 1];                    // log p(w_1 … w_d)
        var digits = new int[t];                           // the odometer w_1 … w_T
        var tokenLogProbs = new float[t];
        var best = new BestList<(int[] Tokens, float[] LogProbs)>(o.Count);
        int[] one = [model.BeginToken];
        timed.Step(states[0], one, dist.AsSpan(0, n));

        long complete = 0;
        int depth = 0;
        digits[0] = -1;
        while (depth >= 0)
        {
            int w = ++digits[depth];
            if (w == n)
            {
                depth--;
                continue;
            }
            float lp = dist[(long)depth * n + w];
            bool isEnd = w == end;
            if (isEnd && depth < o.MinLength) lp = float.NegativeInfinity;
            double score = prefix[depth] + lp;
            tokenLogProbs[depth] = lp;
            if (isEnd || depth + 1 == t)
            {
                complete++;
                if (score > double.NegativeInfinity && best.WouldAccept(score))
                    best.Offer(score, (digits[..(depth + 1)], tokenLogProbs[..(depth + 1)]));
                continue;
            }
            prefix[depth + 1] = score;
            timed.Gather(states[depth], [0], states[depth + 1]);
            one[0] = w;
            timed.Step(states[depth + 1], one, dist.AsSpan((depth + 1) * n, n));
            digits[++depth] = -1;
        }

        var sequences = new DecodedSequence[best.Count];
        for (int k = 0; k < best.Count; k++) sequences[k] = DecodedSequence.FromTokens(best.ItemAt(k).Tokens, best.ItemAt(k).LogProbs);
        return timed.Result(sequences, complete);
    }
}
