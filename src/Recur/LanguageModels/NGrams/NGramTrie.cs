namespace Recur.LanguageModels.NGrams;

// Glossary: N model order; n an order 1..N; V vocabulary size; k context length ≤ N − 1;
// m matched n-gram length. An "entry" is one n-gram's index within its order.

/// <summary>
/// The n-grams of a back-off model, one level per order, with the log₁₀ probability and
/// back-off weight of each (docs/formats.md, ARPA). Unigram entries are word ids. An n-gram
/// w₁…wₙ (n ≥ 2) is found from its suffix w₂…wₙ and its oldest word w₁, so the n-grams that
/// end in a word are reached by extending backwards one word at a time — one hash lookup per
/// order, as in KenLM's probing model, but with exact keys instead of hashes. Each entry also
/// lists its continuations (the (n+1)-grams it is the context of), so the whole next-word
/// distribution of a context is the unigram row plus a few overwrites.
/// <para>
/// The table is closed under prefixes and suffixes (every prefix and suffix of a listed n-gram
/// is an entry; <see cref="NGramTrieBuilder"/> inserts missing ones, as pruned SRILM models
/// need, with the probability the back-off rule gives them and back-off weight 1). That is
/// what makes "longest matching suffix" a valid decoding state.
/// </para>
/// </summary>
internal sealed class NGramTrie
{
    internal NGramTrie(NGramLevel[] levels)
    {
        Levels = levels;
    }

    /// <summary>Levels[n] holds the n-grams; Levels[0] is unused.</summary>
    internal NGramLevel[] Levels { get; }

    /// <summary>The order N.</summary>
    internal int Order => Levels.Length - 1;

    /// <summary>Number of words (unigrams), V.</summary>
    internal int VocabularySize => Levels[1].Count;

    internal static long Key(int suffixEntry, int oldestWord) => ((long)suffixEntry << 32) | (uint)oldestWord;

    /// <summary>The oldest word of entry <paramref name="entry"/> of order <paramref name="n"/>.</summary>
    internal int OldestWord(int n, int entry) => n == 1 ? entry : Levels[n].Oldest[entry];

    /// <summary>
    /// Fills chain[j] (j = 1..k) with the entry of the last j words of the context (state.Entry, k).
    /// </summary>
    internal void FillChain(int k, int entry, Span<int> chain)
    {
        if (k == 0) return;
        chain[k] = entry;
        for (int j = k; j >= 2; j--) chain[j - 1] = Levels[j].Suffix[chain[j]];
    }

    /// <summary>
    /// The back-off query (docs/formats.md, ARPA back-off query): log₁₀ P(word | context) = p(longest listed
    /// n-gram ending in word) + Σ bow(contexts longer than its history). Returns the log₁₀
    /// probability, the matched length m, and the state after reading word.
    /// </summary>
    internal double Score(int k, int contextEntry, int word, out int matched, out int nextLength, out int nextEntry)
    {
        Span<int> chain = stackalloc int[Order + 1];
        FillChain(k, contextEntry, chain);

        // Extend "word" backwards with the context's words, newest first: one lookup per order.
        int m = 1, e = word;
        for (int j = 1; j <= k; j++)
        {
            if (!Levels[j + 1].Index.TryGetValue(Key(e, OldestWord(j, chain[j])), out int longer)) break;
            e = longer;
            m = j + 1;
        }

        double log10 = Levels[m].Log10Prob[e];
        for (int j = m; j <= k; j++) log10 += Levels[j].Log10Backoff[chain[j]];

        matched = m;
        if (m == Order)
        {
            // The context keeps at most N − 1 words: drop the oldest.
            nextLength = m - 1;
            nextEntry = m >= 2 ? Levels[m].Suffix[e] : 0;
        }
        else
        {
            nextLength = m;
            nextEntry = e;
        }
        Shorten(ref nextLength, ref nextEntry);
        return log10;
    }

    /// <summary>
    /// Drops contexts that no listed n-gram extends and whose back-off weight is 1: they give
    /// every word the same probability as their suffix (KenLM's −0.0 back-off trick).
    /// </summary>
    internal void Shorten(ref int length, ref int entry)
    {
        while (length > 0)
        {
            NGramLevel level = Levels[length];
            // A context of N or more words is never used (only a unigram model can get one: <s>).
            bool used = length < Order && (level.ChildStart[entry + 1] > level.ChildStart[entry] || level.Log10Backoff[entry] != 0.0);
            if (used) return;
            entry = length >= 2 ? level.Suffix[entry] : 0;
            length--;
        }
        entry = 0;
    }

    /// <summary>
    /// The whole next-word distribution after a context, in log₁₀: starts every word at its
    /// unigram probability plus all the context's back-off weights, then overwrites the words
    /// that have a listed continuation, from the shortest context to the longest, so the longest
    /// match wins (the back-off rule). Cost: V + (number of listed continuations), no lookups.
    /// Gives the overwrites to <paramref name="sink"/>; the caller fills the base row first
    /// (unigram + Σ bow over the whole context).
    /// </summary>
    internal void Continuations<TSink>(int k, int contextEntry, ref TSink sink)
        where TSink : IContinuationSink, allows ref struct
    {
        Span<int> chain = stackalloc int[Order + 1];
        FillChain(k, contextEntry, chain);

        // tail[j] = Σ_{i=j..k} bow(chain[i]): the weights paid by a word whose match has history j − 1.
        Span<double> tail = stackalloc double[Order + 2];
        tail[k + 1] = 0.0;
        for (int j = k; j >= 1; j--) tail[j] = tail[j + 1] + Levels[j].Log10Backoff[chain[j]];

        for (int j = 1; j <= k; j++)
        {
            NGramLevel level = Levels[j];
            NGramLevel next = Levels[j + 1];
            int end = level.ChildStart[chain[j] + 1];
            for (int c = level.ChildStart[chain[j]]; c < end; c++)
                sink.Write(next.ChildWord[c], next.ChildLog10Prob[c] + tail[j + 1]);
        }
    }

    /// <summary>The words of entry <paramref name="entry"/> of order <paramref name="n"/>, oldest first.</summary>
    internal void Words(int n, int entry, Span<int> words)
    {
        for (int i = 0; i < n - 1; i++)
        {
            words[i] = Levels[n - i].Oldest[entry];
            entry = Levels[n - i].Suffix[entry];
        }
        words[n - 1] = entry;
    }
}

/// <summary>Receives the overwrites of <see cref="NGramTrie.Continuations"/>.</summary>
internal interface IContinuationSink
{
    void Write(int word, double log10Prob);
}

/// <summary>
/// The n-grams of one order. For n = 1 the entry is the word id and only the probability,
/// back-off and child arrays are used.
/// </summary>
internal sealed class NGramLevel
{
    public required int Count;
    public required double[] Log10Prob;      // (Count)
    public required double[] Log10Backoff;   // (Count) 0 when the file gives none
    public required int[] Suffix;            // (Count) entry of w₂…wₙ in order n − 1
    public required int[] Oldest;            // (Count) w₁
    public required bool[] Synthetic;        // (Count) inserted to close the table; never written out
    public required Dictionary<long, int> Index; // Key(suffix, oldest) → entry
    public required int[] ChildStart;        // (Count + 1) this entry's continuations: [ChildStart[e], ChildStart[e+1]) in the next level's child arrays
    public required int[] ChildWord;         // (count of order n) the last word of each n-gram, grouped by its prefix (context)
    public required double[] ChildLog10Prob; // (count of order n) its log₁₀ probability, same grouping
    public int Listed;                       // entries read or trained, not synthetic
}
