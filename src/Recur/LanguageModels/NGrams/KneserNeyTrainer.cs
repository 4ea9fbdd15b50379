using System.Globalization;
using Recur.Text;

namespace Recur.LanguageModels.NGrams;

// Glossary: N model order; n an order 1..N; V vocabulary size (with <unk>, <s>, </s>);
// h a context (n − 1 words), h' h without its oldest word; a adjusted count (NGramCounts).

/// <summary>
/// Trains a back-off n-gram model with interpolated modified Kneser-Ney smoothing (Chen &amp;
/// Goodman 1998, "An empirical study of smoothing techniques", §3.5 and eq. 26), as KenLM's
/// lmplz does (Heafield et al. 2013):
/// <code>P(w | h) = max(a(h w) − D(a(h w)), 0) / Σ_x a(h x)  +  γ(h) · P(w | h')
/// γ(h)     = (D1 · N1(h•) + D2 · N2(h•) + D3+ · N3+(h•)) / Σ_x a(h x)
/// P(w)     = max(a(w) − D(a(w)), 0) / Σ_x a(x)  +  γ(ε) / (V − 1)</code>
/// with adjusted counts a (raw counts for the highest order and for n-grams that start with
/// &lt;s&gt;, continuation counts otherwise), Nk(h•) the number of words that follow h with
/// adjusted count k (3 meaning ≥ 3), and three discounts per order from the counts of counts.
/// A context never seen gets P(w | h) = P(w | h'). The model is written in back-off form:
/// p(h w) = P(w | h) for every seen n-gram, bow(h) = γ(h) for every seen context; that form
/// gives exactly the interpolated probabilities.
/// <para>
/// Sentences get one &lt;s&gt; and one &lt;/s&gt;; &lt;s&gt; is never predicted and &lt;unk&gt; is always in
/// the vocabulary (open vocabulary), getting its mass from the uniform term (see
/// <see cref="KneserNeyOptions.InterpolateUnigrams"/>). The vocabulary is &lt;unk&gt;, &lt;s&gt;,
/// &lt;/s&gt;, then words in order of first appearance; n-grams are listed in that order too.
/// </para>
/// </summary>
public static class KneserNeyTrainer
{
    private const int Unk = 0, Bos = 1, Eos = 2;

    /// <summary>
    /// Trains on <paramref name="sentences"/> (each a list of words, without &lt;s&gt;/&lt;/s&gt;).
    /// <paramref name="source"/> names the corpus in error messages. Throws
    /// <see cref="InputException"/> when a sentence contains &lt;s&gt; or &lt;/s&gt;, when there are no
    /// words, or when the discounts cannot be estimated and no fallback is set.
    /// </summary>
    public static KneserNeyResult Train(IEnumerable<IReadOnlyList<string>> sentences, KneserNeyOptions options, string source = "corpus")
    {
        ArgumentNullException.ThrowIfNull(sentences);
        ArgumentNullException.ThrowIfNull(options);
        int order = options.Order;

        var vocabulary = new List<string> { NGramModel.Unknown, NGramModel.BeginSentence, NGramModel.EndSentence };
        var ids = new Dictionary<string, int>(StringComparer.Ordinal) { [NGramModel.Unknown] = Unk };
        var corpus = new List<int[]>();
        long words = 0;
        foreach (IReadOnlyList<string> sentence in sentences)
        {
            var padded = new int[sentence.Count + 2];
            padded[0] = Bos;
            padded[^1] = Eos;
            for (int i = 0; i < sentence.Count; i++)
            {
                string word = sentence[i];
                if (word is NGramModel.BeginSentence or NGramModel.EndSentence)
                    throw new InputException(source, $"sentence {corpus.Count + 1} contains \"{word}\"; sentence boundaries are implicit (one sentence per line), so remove it");
                if (!ids.TryGetValue(word, out int id))
                {
                    id = vocabulary.Count;
                    ids.Add(word, id);
                    vocabulary.Add(word);
                }
                padded[i + 1] = id;
            }
            corpus.Add(padded);
            words += sentence.Count;
        }
        if (words == 0) throw new InputException(source, "has no words: give at least one non-empty sentence");

        var counts = new NGramCounts(order, vocabulary.Count);
        foreach (int[] padded in corpus) counts.AddSentence(padded);
        counts.Adjust(Bos);

        var stats = new KneserNeyOrderStatistics[order];
        for (int n = 1; n <= order; n++) stats[n - 1] = Discounts(counts, n, options.DiscountFallback, source);

        NGramModel model = Estimate(counts, stats, options.InterpolateUnigrams, new Vocabulary(vocabulary));
        return new KneserNeyResult(model, corpus.Count, words, stats);
    }

    /// <summary>Counts of counts and the closed-form discounts of order n (or the fallback).</summary>
    private static KneserNeyOrderStatistics Discounts(NGramCounts counts, int n, KneserNeyDiscount? fallback, string source)
    {
        Span<long> t = stackalloc long[5];
        long[] a = counts.Adjusted[n];
        for (int e = 0; e < a.Length; e++)
            if (a[e] is >= 1 and <= 4) t[(int)a[e]]++;
        int listed = n == 1 ? a.Length : counts.Count(n);
        if (n >= 2 && listed == 0) return new KneserNeyOrderStatistics(n, 0, 0, 0, 0, 0, default, false);

        string? problem = ClosedForm(t, out KneserNeyDiscount closed);
        if (problem is null) return new KneserNeyOrderStatistics(n, listed, t[1], t[2], t[3], t[4], closed, false);
        if (fallback is { } f) return new KneserNeyOrderStatistics(n, listed, t[1], t[2], t[3], t[4], f, true);
        throw new InputException(source,
            $"cannot estimate modified Kneser-Ney discounts for {n}-grams: {problem} " +
            $"(adjusted counts of counts n1={t[1]}, n2={t[2]}, n3={t[3]}, n4={t[4]}). " +
            "The closed form (Chen & Goodman 1998) needs the natural spread of rare n-grams, many seen once and fewer seen 2, 3 and 4 times, " +
            "which tiny, duplicated, artificial or character-level corpora (or ones whose rare words were replaced by <unk>) lack. " +
            $"Use more varied text or a lower {nameof(KneserNeyOptions)}.{nameof(KneserNeyOptions.Order)}, or set {nameof(KneserNeyOptions)}.{nameof(KneserNeyOptions.DiscountFallback)} to use fixed discounts (KenLM's 0.5 1 1.5) for such orders");
    }

    /// <summary>
    /// Chen &amp; Goodman eq. 26. Returns why it fails (null when it works): an n_k of zero, or a
    /// discount outside 0 &lt; D_k &lt; k (D_k ≤ 0 would give unseen words no mass, D_k ≥ k would
    /// give count-k n-grams none). KenLM accepts the closed interval [0, k].
    /// </summary>
    internal static string? ClosedForm(ReadOnlySpan<long> t, out KneserNeyDiscount discount)
    {
        discount = default;
        for (int k = 1; k <= 4; k++)
            if (t[k] == 0) return $"no n-gram has adjusted count {k} (n{k} = 0), so D{Math.Min(k, 3)}{(k >= 3 ? "+" : "")} is undefined";
        double y = t[1] / (t[1] + 2.0 * t[2]);
        Span<double> d = stackalloc double[4];
        for (int k = 1; k <= 3; k++)
        {
            d[k] = k - (k + 1) * y * t[k + 1] / t[k];
            if (!(d[k] > 0 && d[k] < k))
                return $"D{k}{(k == 3 ? "+" : "")} = {d[k].ToString("G6", CultureInfo.InvariantCulture)} is outside (0, {k})";
        }
        discount = new KneserNeyDiscount(d[1], d[2], d[3]);
        return null;
    }

    /// <summary>Interpolated probabilities order by order, then the back-off model.</summary>
    private static NGramModel Estimate(NGramCounts counts, KneserNeyOrderStatistics[] stats, bool interpolateUnigrams, Vocabulary vocabulary)
    {
        int order = counts.Order, v = vocabulary.Count;
        var prob = new double[order + 1][];   // [n] (entries) P(w | h), linear
        var gamma = new double[order + 1][];  // [n] (entries of order n as contexts) γ(h); 0 when not a context

        // Unigrams: one context, ε.
        ContextSums(counts, 1, stats[0].Discount, out double[] denominator1, out double[] gamma1);
        long[] a1 = counts.Adjusted[1];
        prob[1] = new double[v];
        for (int w = 0; w < v; w++)
        {
            if (w == Bos) continue;
            double discounted = Math.Max(a1[w] - stats[0].Discount.For(a1[w]), 0.0) / denominator1[0];
            double spread = interpolateUnigrams ? gamma1[0] / (v - 1) : w == Unk ? gamma1[0] : 0.0;
            prob[1][w] = discounted + spread;
        }

        for (int n = 2; n <= order; n++)
        {
            ContextSums(counts, n, stats[n - 1].Discount, out double[] denominator, out gamma[n - 1]);
            long[] a = counts.Adjusted[n];
            int[] suffix = counts.Suffix[n];
            prob[n] = new double[a.Length];
            for (int e = 0; e < a.Length; e++)
            {
                int h = counts.Prefix(n, e);
                double discounted = Math.Max(a[e] - stats[n - 1].Discount.For(a[e]), 0.0) / denominator[h];
                prob[n][e] = discounted + gamma[n - 1][h] * prob[n - 1][suffix[e]];
            }
        }
        gamma[order] = new double[counts.Count(order)];

        var builder = new NGramTrieBuilder(order);
        for (int w = 0; w < v; w++) builder.AddUnigram(Math.Log10(prob[1][w]), Backoff(gamma[1], w));
        Span<int> words = stackalloc int[order];
        for (int n = 2; n <= order; n++)
        {
            for (int e = 0; e < counts.Count(n); e++)
            {
                counts.Words(n, e, words[..n]);
                builder.Add(words[..n], Math.Log10(prob[n][e]), Backoff(gamma[n], e));
            }
        }
        return new NGramModel(vocabulary, builder.Build());
    }

    private static double Backoff(double[]? gamma, int entry) =>
        gamma is null || gamma.Length == 0 || gamma[entry] == 0.0 ? 0.0 : Math.Log10(gamma[entry]);

    /// <summary>
    /// For each context h of the n-grams of order n (entries of order n − 1; for n = 1 the one
    /// empty context): Σ_x a(h x) and γ(h).
    /// </summary>
    private static void ContextSums(NGramCounts counts, int n, KneserNeyDiscount d, out double[] denominator, out double[] gamma)
    {
        int contexts = n == 1 ? 1 : counts.Count(n - 1);
        long[] a = counts.Adjusted[n];
        var sum = new long[contexts];
        var byCount = new long[contexts * 3];   // (contexts, 3) N1, N2, N3+
        for (int e = 0; e < a.Length; e++)
        {
            if (a[e] == 0) continue;
            int h = n == 1 ? 0 : counts.Prefix(n, e);
            sum[h] += a[e];
            byCount[h * 3 + (int)Math.Min(a[e], 3) - 1]++;
        }
        denominator = new double[contexts];
        gamma = new double[contexts];
        for (int h = 0; h < contexts; h++)
        {
            if (sum[h] == 0) continue;
            denominator[h] = sum[h];
            gamma[h] = (d.D1 * byCount[h * 3] + d.D2 * byCount[h * 3 + 1] + d.D3Plus * byCount[h * 3 + 2]) / sum[h];
        }
    }
}
