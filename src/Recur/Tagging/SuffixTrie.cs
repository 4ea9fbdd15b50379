namespace Recur.Tagging;

// K: tags; n: nodes (distinct suffixes, the empty one included); E: (node, tag) entries.

/// <summary>
/// The suffix statistics of a set of training words: for every ending of up to m characters
/// (after digit folding), the maximum-likelihood tag distribution
/// P̂(t | suffix) = Σ_w f(w, t) / Σ_w f(w) over the chosen words w that end in it, in
/// compressed rows (each node's tags ascending). Immutable.
/// </summary>
internal sealed class SuffixTrie
{
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _nodes;
    private readonly int[] _start;      // (n + 1) node's entries are [start[node], start[node + 1])
    private readonly int[] _tags;       // (E)
    private readonly double[] _probs;   // (E) P̂(t | suffix)

    private SuffixTrie(Dictionary<string, int> nodes, int[] start, int[] tags, double[] probs, double[] root)
    {
        _nodes = nodes.GetAlternateLookup<ReadOnlySpan<char>>();
        (_start, _tags, _probs, Root) = (start, tags, probs, root);
    }

    /// <summary>(K) P̂(t) over all the chosen words: the empty suffix.</summary>
    public double[] Root { get; }

    /// <summary>The node of <paramref name="suffix"/> (already folded), or −1 when no chosen word ends in it.</summary>
    public int Find(ReadOnlySpan<char> suffix) => _nodes.TryGetValue(suffix, out int node) ? node : -1;

    /// <summary>Adds <paramref name="weight"/> · P̂(t | node) to p[t] for the node's tags.</summary>
    public void AddTo(int node, double weight, Span<double> p)
    {
        for (int e = _start[node]; e < _start[node + 1]; e++) p[_tags[e]] += weight * _probs[e];
    }

    /// <summary>P̂(<paramref name="tag"/> | node), 0 when the node never had it.</summary>
    public double Probability(int node, int tag)
    {
        int at = Array.BinarySearch(_tags, _start[node], _start[node + 1] - _start[node], tag);
        return at >= 0 ? _probs[at] : 0;
    }

    /// <summary>
    /// Numbers are told apart by their shape ("$0,000", "0.00", "0000s"), not their digits: every
    /// ASCII digit reads as '0'. Returns <paramref name="word"/> itself when it has no digit other
    /// than 0, else its folded copy in <paramref name="buffer"/> (at least as long as the word).
    /// </summary>
    public static ReadOnlySpan<char> FoldDigits(ReadOnlySpan<char> word, Span<char> buffer)
    {
        int first = 0;   // a plain loop: MemoryExtensions.ContainsAnyInRange allocates on each call (.NET 10)
        while (first < word.Length && (uint)(word[first] - '1') > 8) first++;
        if (first == word.Length) return word;
        for (int i = 0; i < word.Length; i++) buffer[i] = char.IsAsciiDigit(word[i]) ? '0' : word[i];
        return buffer[..word.Length];
    }

    /// <summary>
    /// The statistics of the lexicon words <paramref name="chosen"/> picks, endings up to
    /// <paramref name="maxLength"/> characters; null when it picks none.
    /// </summary>
    public static SuffixTrie? Build(Lexicon lexicon, int tagCount, int maxLength, Func<int, bool> chosen)
    {
        var nodes = new Dictionary<string, int>(StringComparer.Ordinal);
        var counts = new Dictionary<long, long>();   // node·K + tag → Σ f(w, t)
        var totals = new List<long>();               // (n) Σ f(w)
        for (int w = 0; w < lexicon.Count; w++)
        {
            if (!chosen(w)) continue;
            string word = lexicon.Word(w);
            word = FoldDigits(word, new char[word.Length]).ToString();
            for (int i = 0; i <= Math.Min(maxLength, word.Length); i++)
            {
                string suffix = word[^i..];
                if (!nodes.TryGetValue(suffix, out int node))
                {
                    node = nodes.Count;
                    nodes.Add(suffix, node);
                    totals.Add(0);
                }
                for (int e = lexicon.Start(w); e < lexicon.Start(w + 1); e++)
                {
                    long key = (long)node * tagCount + lexicon.Tag(e);
                    counts[key] = counts.GetValueOrDefault(key) + lexicon.Occurrences(e);
                    totals[node] += lexicon.Occurrences(e);
                }
            }
        }
        if (nodes.Count == 0) return null;
        long[] keys = [.. counts.Keys];
        Array.Sort(keys);
        var start = new int[nodes.Count + 1];
        var tags = new int[keys.Length];
        var probs = new double[keys.Length];
        for (int e = 0; e < keys.Length; e++)
        {
            int node = (int)(keys[e] / tagCount);
            start[node + 1]++;
            tags[e] = (int)(keys[e] % tagCount);
            probs[e] = (double)counts[keys[e]] / totals[node];
        }
        for (int node = 0; node < nodes.Count; node++) start[node + 1] += start[node];
        var root = new double[tagCount];
        int empty = nodes[""];
        for (int e = start[empty]; e < start[empty + 1]; e++) root[tags[e]] = probs[e];
        return new SuffixTrie(nodes, start, tags, probs, root);
    }
}
