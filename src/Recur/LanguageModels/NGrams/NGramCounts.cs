using System.Runtime.InteropServices;

namespace Recur.LanguageModels.NGrams;

// Glossary: N model order; n an order 1..N; V vocabulary size; L a padded sentence's length.

/// <summary>
/// Every n-gram (n ≤ N) of a corpus with its raw count and its Kneser-Ney adjusted count
/// (Chen &amp; Goodman 1998 §3.5, as KenLM's adjust_counts.cc computes it):
/// <code>a(w₁…wₙ) = c(w₁…wₙ)                      if n = N or w₁ = &lt;s&gt;
///             = |{v : c(v w₁…wₙ) &gt; 0}|          otherwise (the continuation count)</code>
/// Sentences are padded with one &lt;s&gt; and one &lt;/s&gt;. An n-gram is found from its prefix
/// (w₁…wₙ₋₁) and last word, so counting a sentence is one lookup per (position, order).
/// Unigram entries are word ids.
/// </summary>
internal sealed class NGramCounts
{
    private readonly List<int>[] _prefix;    // [n] (entries) entry of w₁…wₙ₋₁ in order n − 1
    private readonly List<int>[] _last;      // [n] (entries) wₙ
    private readonly List<long>[] _raw;      // [n] (entries) c(w₁…wₙ)
    private readonly Dictionary<long, int>[] _index; // [n] (prefix, last) → entry

    public NGramCounts(int order, int vocabularySize)
    {
        Order = order;
        _prefix = new List<int>[order + 1];
        _last = new List<int>[order + 1];
        _raw = new List<long>[order + 1];
        _index = new Dictionary<long, int>[order + 1];
        for (int n = 1; n <= order; n++)
        {
            _prefix[n] = [];
            _last[n] = [];
            _raw[n] = [];
            _index[n] = new Dictionary<long, int>(NGramKeyComparer.Instance);
        }
        for (int w = 0; w < vocabularySize; w++) AddEntry(1, 0, w);
    }

    public int Order { get; }

    /// <summary>Number of distinct n-grams of order n (for n = 1: the vocabulary size).</summary>
    public int Count(int n) => _raw[n].Count;

    public int Prefix(int n, int entry) => _prefix[n][entry];

    public int Last(int n, int entry) => _last[n][entry];

    public long Raw(int n, int entry) => _raw[n][entry];

    /// <summary>Adjusted counts a (filled by <see cref="Adjust"/>); [n][entry].</summary>
    public long[][] Adjusted { get; private set; } = [];

    /// <summary>Entry of w₂…wₙ in order n − 1 (filled by <see cref="Adjust"/>); [n][entry], n ≥ 2.</summary>
    public int[][] Suffix { get; private set; } = [];

    /// <summary>Counts every n-gram of one padded sentence (word ids, &lt;s&gt; first, &lt;/s&gt; last).</summary>
    public void AddSentence(ReadOnlySpan<int> padded)
    {
        for (int s = 0; s < padded.Length; s++)
        {
            int entry = padded[s];
            Increment(_raw[1], entry);
            int top = Math.Min(Order, padded.Length - s);
            for (int n = 2; n <= top; n++)
            {
                long key = Key(entry, padded[s + n - 1]);
                if (!_index[n].TryGetValue(key, out int next))
                {
                    next = AddEntry(n, entry, padded[s + n - 1]);
                    _index[n].Add(key, next);
                }
                Increment(_raw[n], next);
                entry = next;
            }
        }
    }

    /// <summary>
    /// Computes suffix links and adjusted counts. An n-gram that does not start with &lt;s&gt; always
    /// has a left neighbour inside its sentence, so its continuation count is at least 1.
    /// </summary>
    public void Adjust(int beginSentence)
    {
        Suffix = new int[Order + 1][];
        Adjusted = new long[Order + 1][];
        var startsWithBos = new bool[Order + 1][];
        for (int n = 1; n <= Order; n++)
        {
            int count = Count(n);
            Suffix[n] = new int[n >= 2 ? count : 0];
            startsWithBos[n] = new bool[count];
            for (int e = 0; e < count; e++)
            {
                int prefix = _prefix[n][e];
                startsWithBos[n][e] = n == 1 ? e == beginSentence : startsWithBos[n - 1][prefix];
                if (n == 2) Suffix[n][e] = _last[n][e];
                else if (n > 2) Suffix[n][e] = _index[n - 1][Key(Suffix[n - 1][prefix], _last[n][e])];
            }
        }
        for (int n = 1; n <= Order; n++)
        {
            var a = new long[Count(n)];
            for (int e = 0; e < a.Length; e++)
                if (n == Order || startsWithBos[n][e]) a[e] = _raw[n][e];
            if (n < Order)
                foreach (int suffix in Suffix[n + 1]) a[suffix]++;
            // <s> is never predicted: it gets no unigram count (KenLM adjust_counts.cc does the same).
            if (n == 1) a[beginSentence] = 0;
            Adjusted[n] = a;
        }
    }

    /// <summary>The word ids of an entry, oldest first.</summary>
    public void Words(int n, int entry, Span<int> words)
    {
        for (int j = n; j >= 1; j--)
        {
            words[j - 1] = _last[j][entry];
            entry = _prefix[j][entry];
        }
    }

    private int AddEntry(int n, int prefix, int last)
    {
        _prefix[n].Add(prefix);
        _last[n].Add(last);
        _raw[n].Add(0);
        return _raw[n].Count - 1;
    }

    private static void Increment(List<long> counts, int entry) =>
        CollectionsMarshal.AsSpan(counts)[entry]++;

    private static long Key(int prefix, int last) => ((long)prefix << 32) | (uint)last;
}
