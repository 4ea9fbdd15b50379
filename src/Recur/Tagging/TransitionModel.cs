using Recur.Decoding;

namespace Recur.Tagging;

// L: labels (tag × capitalization); W = L + 2 with BOS = L, EOS = L + 1; S: graph states;
// E: graph edges; T: words in a sentence.

/// <summary>
/// The tag transition probabilities of a TnT tagger and the decoding graphs made of them.
/// Trigram: P(c | a, b) = λ1 f(c)/N + λ2 f(b, c)/f(b) + λ3 f(a, b, c)/f(a, b) (Brants 2000,
/// eqs. 3–5), a term with an unseen context counting 0. Bigram: P(c | b) = λ1' f(c)/N +
/// λ2' f(b, c)/f(b), with its own deleted-interpolation weights. A sentence scores
/// P(l_1 | BOS, BOS) P(l_2 | BOS, l_1) … P(EOS | l_{T−1}, l_T) (eq. 1).
/// </summary>
internal sealed class TransitionModel
{
    private readonly TagCounts _counts;

    public TransitionModel(TagCounts counts)
    {
        _counts = counts;
        TrigramWeights = DeletedInterpolation.Trigram(counts);
        BigramWeights = DeletedInterpolation.Bigram(counts);
    }

    /// <summary>λ1, λ2, λ3 of the trigram model.</summary>
    public InterpolationWeights TrigramWeights { get; }

    /// <summary>λ1', λ2' of the bigram model.</summary>
    public InterpolationWeights BigramWeights { get; }

    /// <summary>P(c | a, b), trigram model.</summary>
    public double Trigram(int a, int b, int c)
    {
        var (l1, l2, l3) = TrigramWeights;
        return l1 * _counts.Unigram(c) / _counts.Events + l2 * Conditional(_counts.Bigram(b, c), _counts.Unigram(b))
            + l3 * Conditional(_counts.Trigram(a, b, c), _counts.Bigram(a, b));
    }

    /// <summary>P(c | b), bigram model.</summary>
    public double Bigram(int b, int c)
    {
        var (l1, l2, _) = BigramWeights;
        return l1 * _counts.Unigram(c) / _counts.Events + l2 * Conditional(_counts.Bigram(b, c), _counts.Unigram(b));
    }

    /// <summary>
    /// log P of a label sequence (T ≥ 1) with its end; in the trigram model −∞ when a pair of
    /// consecutive labels (BOS, l_1 included) was never seen, as the decoding graph holds only seen pairs.
    /// </summary>
    public double LogProb(ReadOnlySpan<int> labels, bool trigram)
    {
        int bos = _counts.Bos;
        int a = bos, b = bos;
        double sum = 0;
        foreach (int c in labels)
        {
            if (trigram && _counts.Bigram(b, c) == 0) return double.NegativeInfinity;
            sum += Math.Log(trigram ? Trigram(a, b, c) : Bigram(b, c));
            (a, b) = (b, c);
        }
        return sum + Math.Log(trigram ? Trigram(a, b, _counts.Eos) : Bigram(b, _counts.Eos));
    }

    /// <summary>
    /// The trigram decoding graph: a state per label pair (a, b) seen in training (a may be BOS),
    /// labelled b; an edge (a, b) → (b, c) per seen pair (b, c), weighted log P(c | a, b);
    /// start log P(b | BOS, BOS) for the states (BOS, b); end log P(EOS | a, b).
    /// </summary>
    public TransitionGraph TrigramGraph()
    {
        int w = _counts.Width, l = _counts.LabelCount, bos = _counts.Bos;
        var first = new List<int>();
        var second = new List<int>();
        var byFirst = new List<int>[w];   // states (a, ·) of each a
        for (int a = 0; a < w; a++) byFirst[a] = [];
        for (int a = 0; a <= bos; a++)
            for (int b = 0; b < l; b++)
            {
                if (_counts.Bigram(a, b) == 0) continue;
                byFirst[a].Add(first.Count);
                first.Add(a);
                second.Add(b);
            }
        int s = first.Count;
        var start = new float[s];
        var end = new float[s];
        var (from, to, weights) = (new List<int>(), new List<int>(), new List<float>());
        for (int i = 0; i < s; i++)
        {
            int a = first[i], b = second[i];
            start[i] = a == bos ? (float)Math.Log(Trigram(bos, bos, b)) : float.NegativeInfinity;
            end[i] = (float)Math.Log(Trigram(a, b, _counts.Eos));
            foreach (int j in byFirst[b])
            {
                from.Add(i);
                to.Add(j);
                weights.Add((float)Math.Log(Trigram(a, b, second[j])));
            }
        }
        return new TransitionGraph([.. second], l, start, [.. from], [.. to], [.. weights], end);
    }

    /// <summary>
    /// The bigram decoding graph: a state per label seen in training, an edge between every two
    /// (weighted log P(c | b); −∞ edges left out), start log P(b | BOS), end log P(EOS | b).
    /// </summary>
    public TransitionGraph BigramGraph()
    {
        int l = _counts.LabelCount, bos = _counts.Bos;
        var labels = new List<int>();
        for (int b = 0; b < l; b++)
            if (_counts.Unigram(b) > 0) labels.Add(b);
        int s = labels.Count;
        var start = new float[s];
        var end = new float[s];
        var (from, to, weights) = (new int[s * s], new int[s * s], new float[s * s]);
        for (int i = 0; i < s; i++)
        {
            start[i] = (float)Math.Log(Bigram(bos, labels[i]));
            end[i] = (float)Math.Log(Bigram(labels[i], _counts.Eos));
            for (int j = 0; j < s; j++)
                (from[i * s + j], to[i * s + j], weights[i * s + j]) = (i, j, (float)Math.Log(Bigram(labels[i], labels[j])));
        }
        return new TransitionGraph([.. labels], l, start, from, to, weights, end);
    }

    private static double Conditional(long count, long context) => context == 0 ? 0 : (double)count / context;
}
