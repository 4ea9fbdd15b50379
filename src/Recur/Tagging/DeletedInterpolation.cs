namespace Recur.Tagging;

/// <summary>
/// The weights of an interpolated tag n-gram model,
/// P(t3 | t1, t2) = λ1 P̂(t3) + λ2 P̂(t3 | t2) + λ3 P̂(t3 | t1, t2) (Brants 2000, eq. 4);
/// a bigram model has λ3 = 0. They sum to 1.
/// </summary>
/// <param name="Unigram">λ1.</param>
/// <param name="Bigram">λ2.</param>
/// <param name="Trigram">λ3.</param>
public readonly record struct InterpolationWeights(double Unigram, double Bigram, double Trigram);

/// <summary>
/// Deleted interpolation as TnT computes it (Brants 2000, Figure 1): each n-gram of the training
/// data votes, with its count, for the order whose estimate predicts it best when the n-gram
/// itself is taken out of the counts; the votes, normalized, are the λ. Leaving one occurrence
/// out makes each estimate (f − 1)/(f_context − 1), with 0/0 taken as 0. Where several orders
/// tie for the best, the count is split evenly between them (the paper does not say; NLTK's TnT
/// does the same for two-way ties).
/// </summary>
internal static class DeletedInterpolation
{
    /// <summary>λ1, λ2, λ3 for the trigram model.</summary>
    public static InterpolationWeights Trigram(TagCounts counts)
    {
        double l1 = 0, l2 = 0, l3 = 0;
        long n = counts.Events;
        foreach (var (a, b, c, f) in counts.Trigrams())
        {
            double c3 = Ratio(f - 1, counts.Bigram(a, b) - 1);
            double c2 = Ratio(counts.Bigram(b, c) - 1, counts.Unigram(b) - 1);
            double c1 = Ratio(counts.Unigram(c) - 1, n - 1);
            double max = Math.Max(c1, Math.Max(c2, c3));
            int ties = (c1 == max ? 1 : 0) + (c2 == max ? 1 : 0) + (c3 == max ? 1 : 0);
            double vote = (double)f / ties;
            if (c1 == max) l1 += vote;
            if (c2 == max) l2 += vote;
            if (c3 == max) l3 += vote;
        }
        double sum = l1 + l2 + l3;
        return sum > 0 ? new(l1 / sum, l2 / sum, l3 / sum) : new(1, 0, 0);
    }

    /// <summary>λ1, λ2 (λ3 = 0) for the bigram model, from the bigrams (b, c) of the padded data.</summary>
    public static InterpolationWeights Bigram(TagCounts counts)
    {
        double l1 = 0, l2 = 0;
        long n = counts.Events;
        for (int b = 0; b < counts.Width; b++)
            for (int c = 0; c < counts.Width; c++)
            {
                if (b == counts.Eos || c == counts.Bos) continue;
                long f = counts.Bigram(b, c);
                if (f == 0 || (b == counts.Bos && c == counts.Bos)) continue;
                double c2 = Ratio(f - 1, counts.Unigram(b) - 1);
                double c1 = Ratio(counts.Unigram(c) - 1, n - 1);
                if (c2 > c1) l2 += f;
                else if (c1 > c2) l1 += f;
                else (l1, l2) = (l1 + f / 2.0, l2 + f / 2.0);
            }
        double sum = l1 + l2;
        return sum > 0 ? new(l1 / sum, l2 / sum, 0) : new(1, 0, 0);
    }

    private static double Ratio(long numerator, long denominator) => denominator == 0 ? 0 : (double)numerator / denominator;
}
