namespace Recur.Tagging;

// K: tags; B: base-form kinds (lower-cased, last hyphen part).

/// <summary>
/// Tags of unknown words from a known related word: an unseen capitalized word whose lower-case
/// form was seen ("Combine" → "combine"), or an unseen compound whose part after the last hyphen
/// was seen ("sun-tanned" → "tanned"). The base b's tags map to the word's through a table
/// learned from the rare training words of the same kind:
/// P(t | w) = Σ_t' P(t' | b) M(t' → t), with
/// M(t' → t) = (C(t', t) + α q(t)) / (Σ_t C(t', t) + α), C(t', t) = Σ_W f(W, t) P(t' | b(W))
/// over those words W, q the kind's tag distribution (so a base tag never seen maps to q).
/// This is not in TnT; it is where TnT's suffixes cannot look (the capitalized suffix
/// statistics mostly hold names, and a compound's ending may be longer than m).
/// </summary>
internal sealed class BaseFormModel
{
    private const double Alpha = 1;
    private const int MaxWord = 256;   // longer words are not lower-cased (they keep their hyphen base)
    private readonly Lexicon _lexicon;
    private readonly int _tagCount;
    private readonly double[]?[] _map = new double[]?[2];   // per kind: (K, K) M(t' → t), or null when untrained

    public BaseFormModel(Lexicon lexicon, int tagCount, long rareCount)
    {
        (_lexicon, _tagCount) = (lexicon, tagCount);
        Span<char> buffer = stackalloc char[MaxWord];
        var counts = new double[2][];
        var any = new bool[2];
        for (int kind = 0; kind < 2; kind++) counts[kind] = new double[tagCount * tagCount];
        for (int w = 0; w < lexicon.Count; w++)
        {
            string word = lexicon.Word(w);
            long f = lexicon.Frequency(w);
            if (f > rareCount) continue;
            int b = Base(word, buffer, out int kind);
            if (b < 0) continue;
            any[kind] = true;
            long fb = lexicon.Frequency(b);
            for (int e = lexicon.Start(b); e < lexicon.Start(b + 1); e++)
            {
                double pb = (double)lexicon.Occurrences(e) / fb;
                var row = counts[kind].AsSpan(lexicon.Tag(e) * tagCount, tagCount);
                for (int g = lexicon.Start(w); g < lexicon.Start(w + 1); g++) row[lexicon.Tag(g)] += pb * lexicon.Occurrences(g);
            }
        }
        for (int kind = 0; kind < 2; kind++)
            if (any[kind]) _map[kind] = Normalize(counts[kind], tagCount);
    }

    /// <summary>
    /// Writes P(t | w) from <paramref name="word"/>'s base form into <paramref name="p"/> (K) and
    /// returns true; false (p untouched) when the word has no known base or its kind was never trained.
    /// </summary>
    public bool Posterior(ReadOnlySpan<char> word, Span<double> p)
    {
        Span<char> buffer = stackalloc char[MaxWord];
        int b = Base(word, buffer, out int kind);
        if (b < 0 || _map[kind] is not double[] map) return false;
        p[.._tagCount].Clear();
        long fb = _lexicon.Frequency(b);
        for (int e = _lexicon.Start(b); e < _lexicon.Start(b + 1); e++)
        {
            double pb = (double)_lexicon.Occurrences(e) / fb;
            var row = map.AsSpan(_lexicon.Tag(e) * _tagCount, _tagCount);
            for (int t = 0; t < _tagCount; t++) p[t] += pb * row[t];
        }
        return true;
    }

    // The known base of a word and its kind (0: lower-cased, 1: last hyphen part), or −1.
    private int Base(ReadOnlySpan<char> word, Span<char> buffer, out int kind)
    {
        kind = 0;
        if (word.Length <= buffer.Length && word.Length > 0 && char.IsUpper(word[0]))
        {
            var lower = buffer[..word.Length];
            word.ToLowerInvariant(lower);
            int b = _lexicon.Find(lower);
            if (b >= 0) return b;
        }
        int dash = word.LastIndexOf('-');
        if (dash <= 0 || dash == word.Length - 1) return -1;
        kind = 1;
        return _lexicon.Find(word[(dash + 1)..]);
    }

    private static double[] Normalize(double[] counts, int k)
    {
        var q = new double[k];
        double total = 0;
        for (int i = 0; i < counts.Length; i++) (q[i % k], total) = (q[i % k] + counts[i], total + counts[i]);
        for (int t = 0; t < k; t++) q[t] /= total;
        var map = new double[counts.Length];
        for (int from = 0; from < k; from++)
        {
            var row = counts.AsSpan(from * k, k);
            double sum = 0;
            foreach (double v in row) sum += v;
            for (int t = 0; t < k; t++) map[from * k + t] = (row[t] + Alpha * q[t]) / (sum + Alpha);
        }
        return map;
    }
}
