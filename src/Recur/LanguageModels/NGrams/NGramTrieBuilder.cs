namespace Recur.LanguageModels.NGrams;

// Glossary: N model order; n an order 1..N; V vocabulary size.

/// <summary>
/// Collects the n-grams of a back-off model order by order (all unigrams, then all bigrams, …,
/// as in an ARPA file) and freezes them into an <see cref="NGramTrie"/>.
/// <para>
/// A listed n-gram whose prefix or suffix is missing (pruned SRILM models have them) gets that
/// (n−1)-gram inserted as a synthetic entry: its probability is what the back-off rule already
/// gives it, bow(prefix) · P(last | suffix's history), and its back-off weight is 1, so the
/// model answers every query exactly as the file says, and the table stays closed under
/// prefixes and suffixes. Synthetic entries are never written out.
/// </para>
/// </summary>
internal sealed class NGramTrieBuilder
{
    private readonly LevelLists[] _levels;
    private int _current = 1;

    /// <param name="order">N ≥ 1.</param>
    public NGramTrieBuilder(int order)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(order, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(order, NGramModel.MaxOrder);
        _levels = new LevelLists[order + 1];
        for (int n = 1; n <= order; n++) _levels[n] = new LevelLists();
    }

    /// <summary>The order N.</summary>
    public int Order => _levels.Length - 1;

    /// <summary>Number of words added so far (the next unigram gets this id).</summary>
    public int VocabularySize => _levels[1].Prob.Count;

    /// <summary>Entries (listed and synthetic) of order n so far.</summary>
    public int Count(int n) => _levels[n].Prob.Count;

    /// <summary>Adds the next word: its id is the number of words added before it.</summary>
    public void AddUnigram(double log10Prob, double log10Backoff)
    {
        if (_current != 1) throw new InvalidOperationException("Unigrams must all come before higher orders.");
        LevelLists level = _levels[1];
        level.Add(log10Prob, log10Backoff, suffix: 0, oldest: VocabularySize, synthetic: false);
    }

    /// <summary>
    /// Adds a listed n-gram (n = words.Length ≥ 2; words are ids, oldest first). Orders must
    /// come in increasing order. Returns false when the n-gram was already listed.
    /// </summary>
    public bool Add(ReadOnlySpan<int> words, double log10Prob, double log10Backoff)
    {
        int n = words.Length;
        if (n < 2 || n > Order) throw new ArgumentOutOfRangeException(nameof(words), $"An n-gram of length {n} does not fit a model of order {Order}.");
        if (n < _current) throw new InvalidOperationException($"{n}-grams must come before {_current}-grams.");
        _current = n;
        foreach (int w in words)
            if ((uint)w >= (uint)VocabularySize) throw new ArgumentOutOfRangeException(nameof(words), $"Word id {w} is not among the {VocabularySize} unigrams.");

        int suffix = Ensure(words[1..]);
        Ensure(words[..^1]);
        LevelLists level = _levels[n];
        long key = NGramTrie.Key(suffix, words[0]);
        if (level.Index.ContainsKey(key)) return false;
        level.Index.Add(key, level.Prob.Count);
        level.Add(log10Prob, log10Backoff, suffix, words[0], synthetic: false);
        return true;
    }

    /// <summary>The entry of an n-gram of an order below the one being added, inserted if missing.</summary>
    private int Ensure(ReadOnlySpan<int> words)
    {
        int n = words.Length;
        if (n == 1) return words[0];
        int suffix = Ensure(words[1..]);
        LevelLists level = _levels[n];
        long key = NGramTrie.Key(suffix, words[0]);
        if (level.Index.TryGetValue(key, out int entry)) return entry;

        int prefix = Ensure(words[..^1]);
        LevelLists lower = _levels[n - 1];
        // Back-off rule (docs/formats.md, ARPA back-off query): the unlisted n-gram gets bow(prefix) + log P(last | suffix's history).
        double log10Prob = lower.Backoff[prefix] + lower.Prob[suffix];
        entry = level.Prob.Count;
        level.Index.Add(key, entry);
        level.Add(log10Prob, 0.0, suffix, words[0], synthetic: true);
        return entry;
    }

    /// <summary>Freezes the table: arrays, and each context's list of continuations.</summary>
    public NGramTrie Build()
    {
        var levels = new NGramLevel[Order + 1];
        for (int n = 1; n <= Order; n++)
        {
            LevelLists l = _levels[n];
            int count = l.Prob.Count;
            levels[n] = new NGramLevel
            {
                Count = count,
                Log10Prob = l.Prob.ToArray(),
                Log10Backoff = l.Backoff.ToArray(),
                Suffix = l.Suffix.ToArray(),
                Oldest = l.Oldest.ToArray(),
                Synthetic = l.Synthetic.ToArray(),
                Index = l.Index,
                Listed = l.Listed,
                ChildStart = new int[count + 1],
                ChildWord = [],
                ChildLog10Prob = [],
            };
        }
        var trie = new NGramTrie(levels);
        for (int n = 2; n <= Order; n++) LinkContinuations(trie, n);
        return trie;
    }

    /// <summary>
    /// Groups the n-grams of order n by their prefix (a counting sort): level n−1's ChildStart
    /// then indexes level n's ChildWord/ChildLog10Prob.
    /// </summary>
    private static void LinkContinuations(NGramTrie trie, int n)
    {
        NGramLevel level = trie.Levels[n];
        NGramLevel context = trie.Levels[n - 1];
        var prefix = new int[level.Count];
        var last = new int[level.Count];
        Span<int> words = stackalloc int[n];
        for (int e = 0; e < level.Count; e++)
        {
            trie.Words(n, e, words);
            last[e] = words[n - 1];
            prefix[e] = PrefixEntry(trie, words[..^1]);
            context.ChildStart[prefix[e] + 1]++;
        }
        for (int c = 0; c < context.Count; c++) context.ChildStart[c + 1] += context.ChildStart[c];

        level.ChildWord = new int[level.Count];
        level.ChildLog10Prob = new double[level.Count];
        var fill = new int[context.Count];
        for (int e = 0; e < level.Count; e++)
        {
            int slot = context.ChildStart[prefix[e]] + fill[prefix[e]]++;
            level.ChildWord[slot] = last[e];
            level.ChildLog10Prob[slot] = level.Log10Prob[e];
        }
    }

    /// <summary>The entry of an n-gram known to be in the (closed) table.</summary>
    private static int PrefixEntry(NGramTrie trie, ReadOnlySpan<int> words)
    {
        int entry = words[^1];
        for (int j = 2; j <= words.Length; j++) entry = trie.Levels[j].Index[NGramTrie.Key(entry, words[^j])];
        return entry;
    }

    private sealed class LevelLists
    {
        public readonly List<double> Prob = [];
        public readonly List<double> Backoff = [];
        public readonly List<int> Suffix = [];
        public readonly List<int> Oldest = [];
        public readonly List<bool> Synthetic = [];
        public readonly Dictionary<long, int> Index = new(NGramKeyComparer.Instance);
        public int Listed;

        public void Add(double prob, double backoff, int suffix, int oldest, bool synthetic)
        {
            Prob.Add(prob);
            Backoff.Add(backoff);
            Suffix.Add(suffix);
            Oldest.Add(oldest);
            Synthetic.Add(synthetic);
            if (!synthetic) Listed++;
        }
    }
}
