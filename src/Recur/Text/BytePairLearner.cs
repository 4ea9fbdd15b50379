namespace Recur.Text;

/// <summary>
/// Learns byte-pair merges from training text (Sennrich et al. 2016, Algorithm 1): count the
/// pieces of the text (<see cref="BytePairEncoding.Pieces"/>), start from their bytes, and
/// repeatedly merge the most frequent adjacent pair of symbols, counted over every piece
/// occurrence; ties go to the pair whose symbols come first in ordinal order, so the result
/// is the same on every machine. Pair counts are updated incrementally: a merge rewrites only
/// the pieces that hold the pair (an index from pair to pieces), so learning costs about the
/// number of symbols touched rather than a recount of the corpus per merge.
/// </summary>
internal static class BytePairLearner
{
    /// <summary>Up to <paramref name="merges"/> merges of the pieces of <paramref name="lines"/>; fewer when no pair occurs twice.</summary>
    public static List<(string Left, string Right)> Learn(IEnumerable<string> lines, int merges)
    {
        var pieceCounts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (string line in lines)
            foreach (string piece in BytePairEncoding.Pieces(line))
                pieceCounts[piece] = pieceCounts.GetValueOrDefault(piece) + 1;

        var symbols = new List<string>();                       // id → symbol string
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        int Id(string s)
        {
            if (!ids.TryGetValue(s, out int id)) { id = symbols.Count; symbols.Add(s); ids[s] = id; }
            return id;
        }
        var words = new List<List<int>>(pieceCounts.Count);     // each distinct piece as symbol ids
        var weights = new List<long>(pieceCounts.Count);
        foreach (var (piece, count) in pieceCounts.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            words.Add(piece.Select(c => Id(c.ToString())).ToList());
            weights.Add(count);
        }

        var pairs = new Dictionary<(int, int), long>();
        var where = new Dictionary<(int, int), HashSet<int>>();
        for (int w = 0; w < words.Count; w++) AddPairs(words[w], w, weights[w], +1, pairs, where);

        var learned = new List<(string, string)>(merges);
        var queue = new PriorityQueue<(int A, int B), PairKey>();
        foreach (var (pair, count) in pairs) queue.Enqueue(pair, new PairKey(count, symbols[pair.Item1], symbols[pair.Item2]));
        while (learned.Count < merges && queue.TryDequeue(out var top, out var key))
        {
            // Entries go stale as counts change; a popped entry counts only if it is current.
            if (!pairs.TryGetValue(top, out long current) || current != key.Count) continue;
            if (current < 2) break;
            string merged = symbols[top.A] + symbols[top.B];
            int m = Id(merged);
            learned.Add((symbols[top.A], symbols[top.B]));
            var touched = new HashSet<(int, int)>();
            foreach (int w in where[top].ToArray())
            {
                var word = words[w];
                AddPairs(word, w, weights[w], -1, pairs, where, touched);
                for (int i = 0; i + 1 < word.Count; i++)
                    if (word[i] == top.A && word[i + 1] == top.B)
                    {
                        word[i] = m;
                        word.RemoveAt(i + 1);
                    }
                AddPairs(word, w, weights[w], +1, pairs, where, touched);
            }
            foreach (var pair in touched)
                if (pairs.TryGetValue(pair, out long c) && c > 0) queue.Enqueue(pair, new PairKey(c, symbols[pair.Item1], symbols[pair.Item2]));
        }
        return learned;
    }

    // Adds (sign +1) or removes (−1) the adjacent pairs of one word, weighted by its count.
    private static void AddPairs(List<int> word, int w, long weight, int sign, Dictionary<(int, int), long> pairs,
        Dictionary<(int, int), HashSet<int>> where, HashSet<(int, int)>? touched = null)
    {
        for (int i = 0; i + 1 < word.Count; i++)
        {
            var pair = (word[i], word[i + 1]);
            long count = pairs.GetValueOrDefault(pair) + sign * weight;
            if (count <= 0)
            {
                pairs.Remove(pair);
                where.Remove(pair);
            }
            else
            {
                pairs[pair] = count;
                if (sign > 0)
                {
                    if (!where.TryGetValue(pair, out var set)) where[pair] = set = [];
                    set.Add(w);
                }
            }
            touched?.Add(pair);
        }
    }

    // Priority: higher count first, then the pair's symbols in ordinal order.
    private readonly record struct PairKey(long Count, string Left, string Right) : IComparable<PairKey>
    {
        public int CompareTo(PairKey other)
        {
            int c = other.Count.CompareTo(Count);
            if (c != 0) return c;
            c = string.CompareOrdinal(Left, other.Left);
            return c != 0 ? c : string.CompareOrdinal(Right, other.Right);
        }
    }
}
