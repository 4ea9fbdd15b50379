namespace Recur.Tagging;

// K: tags; L = 2K labels, label = 2·tag + c where c says whether the word is capitalized
// (Brants 2000 §2.3: "equivalent to doubling the size of the tagset"); W = L + 2: the labels,
// BOS = L and EOS = L + 1. Every sentence is counted padded as BOS BOS l_1 … l_T EOS.

/// <summary>
/// The tag n-gram counts of a trigram HMM tagger (Brants 2000, TnT): f(a, b, c) for every
/// padded trigram, and the bigram and unigram counts derived from them, so that a model file
/// need only hold the trigrams. N, the corpus size of the unigram estimate, counts every label
/// and every EOS (the events the transition model predicts).
/// </summary>
internal sealed class TagCounts
{
    private readonly long[] _unigram;                 // (W) f(x) for labels and EOS
    private readonly long[] _bigram;                  // (W·W) f(a, b)
    private readonly Dictionary<long, long> _trigram = new();

    /// <summary>Empty counts over <paramref name="tagCount"/> tags.</summary>
    public TagCounts(int tagCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(tagCount, 1);
        TagCount = tagCount;
        LabelCount = 2 * tagCount;
        _unigram = new long[Width];
        _bigram = new long[(long)Width * Width];
    }

    /// <summary>K.</summary>
    public int TagCount { get; }

    /// <summary>L = 2K.</summary>
    public int LabelCount { get; }

    /// <summary>The begin-of-sentence symbol, L.</summary>
    public int Bos => LabelCount;

    /// <summary>The end-of-sentence symbol, L + 1.</summary>
    public int Eos => LabelCount + 1;

    /// <summary>W = L + 2.</summary>
    public int Width => LabelCount + 2;

    /// <summary>Sentences counted.</summary>
    public long Sentences { get; private set; }

    /// <summary>N: labels and EOS counted (words + sentences).</summary>
    public long Events { get; private set; }

    /// <summary>Distinct trigrams.</summary>
    public int TrigramCount => _trigram.Count;

    /// <summary>Counts one sentence of labels (T ≥ 1).</summary>
    public void AddSentence(ReadOnlySpan<int> labels)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(labels.Length, 1);
        int a = Bos, b = Bos;
        foreach (int c in labels)
        {
            if ((uint)c >= (uint)LabelCount) throw new ArgumentOutOfRangeException(nameof(labels), c, $"Labels are in [0, {LabelCount}).");
            AddTrigram(a, b, c, 1);
            (a, b) = (b, c);
        }
        AddTrigram(a, b, Eos, 1);
    }

    /// <summary>
    /// Adds <paramref name="count"/> to f(a, b, c) and to the bigram and unigram counts it
    /// implies. Only trigrams a padded sentence can hold are allowed: BOS only before labels or
    /// BOS, EOS only last, and (a = BOS ⇒ b = BOS or a label).
    /// </summary>
    public void AddTrigram(int a, int b, int c, long count)
    {
        if (!CanOccur(a, b, c)) throw new ArgumentException($"({a}, {b}, {c}) cannot occur in a padded sentence over {LabelCount} labels.");
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        long key = Key(a, b, c);
        _trigram[key] = _trigram.GetValueOrDefault(key) + count;
        _bigram[(long)b * Width + c] += count;
        _unigram[c] += count;
        Events += count;
        if (a == Bos && b == Bos) Sentences += count;
    }

    /// <summary>Whether (a, b, c) can occur in BOS BOS l_1 … l_T EOS.</summary>
    public bool CanOccur(int a, int b, int c)
    {
        bool label(int x) => (uint)x < (uint)LabelCount;
        if (!label(c) && c != Eos) return false;
        if (a == Bos && b == Bos) return label(c);
        return (a == Bos || label(a)) && label(b);
    }

    /// <summary>f(x) as a context: BOS counts once per sentence.</summary>
    public long Unigram(int x) => x == Bos ? Sentences : _unigram[x];

    /// <summary>f(a, b) as a context: (BOS, BOS) counts once per sentence.</summary>
    public long Bigram(int a, int b) => a == Bos && b == Bos ? Sentences : _bigram[(long)a * Width + b];

    /// <summary>f(a, b, c).</summary>
    public long Trigram(int a, int b, int c) => _trigram.GetValueOrDefault(Key(a, b, c));

    /// <summary>Every (a, b, c, f) with f &gt; 0, in ascending (a, b, c) order.</summary>
    public IEnumerable<(int A, int B, int C, long Count)> Trigrams()
    {
        long[] keys = [.. _trigram.Keys];
        Array.Sort(keys);
        foreach (long key in keys)
        {
            long w = Width;
            yield return ((int)(key / (w * w)), (int)(key / w % w), (int)(key % w), _trigram[key]);
        }
    }

    private long Key(int a, int b, int c) => ((long)a * Width + b) * Width + c;
}
