namespace Recur.LanguageModels.NGrams;

/// <summary>
/// Checks that a back-off model is a probability distribution after every context: the mass
/// after context h is Σ_{w listed after h} P(w|h) + bow(h) · (1 − Σ_{w listed after h} P(w|h′)),
/// h′ being h without its oldest word (the back-off rule of Katz 1987, docs/formats.md), and it
/// must not exceed 1. A back-off weight of 10^400 or a listed mass above 1 would otherwise give
/// perplexities below 1 — a silently wrong result. Cost: one lower-order lookup per listed
/// n-gram.
/// </summary>
internal static class NGramNormalization
{
    /// <summary>
    /// Mass allowed above 1: the sums of probabilities rounded to 7 significant digits, as ARPA
    /// files print them, stay far inside it.
    /// </summary>
    public const double Tolerance = 1e-3;

    /// <summary>
    /// The first context listed in the file whose mass exceeds 1 + <see cref="Tolerance"/>, or
    /// null. The begin token is never predicted (KenLM gives it log-probability 0, SRILM −99) and
    /// is left out of every sum; contexts the file does not list (a pruned model's missing
    /// prefixes, whose back-off weight is 1 by the rule) are not checked.
    /// </summary>
    public static (int Order, int Entry, double Mass)? FirstOverweight(NGramTrie trie, int beginToken)
    {
        double unigrams = 0;
        var level1 = trie.Levels[1];
        for (int w = 0; w < level1.Count; w++)
            if (w != beginToken) unigrams += Math.Pow(10, level1.Log10Prob[w]);
        if (!(unigrams <= 1 + Tolerance)) return (0, 0, unigrams);
        for (int k = 1; k < trie.Order; k++)
        {
            var level = trie.Levels[k];
            var next = trie.Levels[k + 1];
            for (int e = 0; e < level.Count; e++)
            {
                if (level.Synthetic[e]) continue;
                double listed = 0, lower = 0;
                int suffix = k >= 2 ? level.Suffix[e] : 0;
                for (int c = level.ChildStart[e]; c < level.ChildStart[e + 1]; c++)
                {
                    if (next.ChildWord[c] == beginToken) continue;
                    listed += Math.Pow(10, next.ChildLog10Prob[c]);
                    lower += Math.Pow(10, trie.Score(k - 1, suffix, next.ChildWord[c], out _, out _, out _));
                }
                double mass = listed + Math.Pow(10, level.Log10Backoff[e]) * Math.Max(0, 1 - lower);
                if (!(mass <= 1 + Tolerance)) return (k, e, mass);
            }
        }
        return null;
    }
}
