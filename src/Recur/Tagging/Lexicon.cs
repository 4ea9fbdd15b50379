namespace Recur.Tagging;

// W: distinct words; E: (word, tag) entries; K: tags.

/// <summary>
/// The words of the training data with the tags each was seen with and how often, f(w, t):
/// compressed rows, words in ordinal order, each word's tags ascending. Immutable.
/// </summary>
internal sealed class Lexicon
{
    private readonly Dictionary<string, int> _index;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _byChars;
    private readonly string[] _words;    // (W)
    private readonly int[] _start;       // (W + 1) word w's entries are [start[w], start[w+1])
    private readonly int[] _tags;        // (E)
    private readonly long[] _counts;     // (E) f(w, t) ≥ 1

    /// <summary>Builds the lexicon from f(w, t); throws on an empty word, a tag outside [0, K) or a count below 1.</summary>
    public Lexicon(IReadOnlyDictionary<string, Dictionary<int, long>> counts, int tagCount)
    {
        _words = [.. counts.Keys];
        Array.Sort(_words, StringComparer.Ordinal);
        _index = new Dictionary<string, int>(_words.Length, StringComparer.Ordinal);
        _start = new int[_words.Length + 1];
        var tags = new List<int>();
        var values = new List<long>();
        for (int w = 0; w < _words.Length; w++)
        {
            if (_words[w].Length == 0) throw new ArgumentException("The lexicon holds an empty word.");
            _index.Add(_words[w], w);
            Dictionary<int, long> row = counts[_words[w]];
            if (row.Count == 0) throw new ArgumentException($"The word \"{_words[w]}\" has no tags.");
            var (rowTags, rowCounts) = (new int[row.Count], new long[row.Count]);
            int k = 0;
            foreach (var (tag, count) in row)
            {
                if ((uint)tag >= (uint)tagCount) throw new ArgumentException($"The word \"{_words[w]}\" has tag {tag}, outside [0, {tagCount}).");
                if (count < 1) throw new ArgumentException($"The word \"{_words[w]}\" has count {count} for tag {tag}; counts are ≥ 1.");
                (rowTags[k], rowCounts[k]) = (tag, count);
                k++;
            }
            Array.Sort(rowTags, rowCounts);
            tags.AddRange(rowTags);
            values.AddRange(rowCounts);
            _start[w + 1] = tags.Count;
        }
        _tags = [.. tags];
        _counts = [.. values];
        _byChars = _index.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>W.</summary>
    public int Count => _words.Length;

    /// <summary>E.</summary>
    public int EntryCount => _tags.Length;

    /// <summary>Word <paramref name="w"/>.</summary>
    public string Word(int w) => _words[w];

    /// <summary>The index of <paramref name="word"/>, or −1 when it was not seen.</summary>
    public int Find(ReadOnlySpan<char> word) => _byChars.TryGetValue(word, out int w) ? w : -1;

    /// <summary>The first entry of word <paramref name="w"/>; its entries end at <c>Start(w + 1)</c>.</summary>
    public int Start(int w) => _start[w];

    /// <summary>The tag of entry <paramref name="e"/>.</summary>
    public int Tag(int e) => _tags[e];

    /// <summary>f(w, t) of entry <paramref name="e"/>.</summary>
    public long Occurrences(int e) => _counts[e];

    /// <summary>f(w): how often word <paramref name="w"/> was seen.</summary>
    public long Frequency(int w)
    {
        long sum = 0;
        for (int e = _start[w]; e < _start[w + 1]; e++) sum += _counts[e];
        return sum;
    }
}
