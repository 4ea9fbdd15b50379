namespace Recur.Text;

/// <summary>
/// The vocabulary of a word tokenizer, built from training text: the words seen at least
/// <see cref="TokenizerOptions.MinCount"/> times, the most frequent first, at most
/// <see cref="TokenizerOptions.MaxVocabulary"/> tokens, plus &lt;eos&gt; (one per non-blank line)
/// and &lt;unk&gt; (every dropped word, and every literal &lt;unk&gt; in the text, which is the same
/// token: a corpus prepared Penn-Treebank style trains unchanged). Ids follow descending
/// training count, ties in ordinal order, specials included at their counts.
/// </summary>
internal static class WordVocabulary
{
    /// <summary>The vocabulary of <paramref name="lines"/> under <paramref name="options"/>.</summary>
    public static Vocabulary Build(IEnumerable<string> lines, TokenizerOptions options)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        long sentences = 0;
        foreach (string line in lines)
        {
            string[] words = SentenceCorpus.Tokenize(line);
            if (words.Length == 0) continue;
            sentences++;
            foreach (string w in words) counts[w] = counts.GetValueOrDefault(w) + 1;
        }
        long unknown = counts.GetValueOrDefault(Tokenizer.Unknown);
        counts.Remove(Tokenizer.Unknown);
        long literalEos = counts.GetValueOrDefault(Tokenizer.EndOfLine);
        counts.Remove(Tokenizer.EndOfLine);

        var ranked = counts.ToList();
        ranked.Sort(ByCount);
        int room = options.MaxVocabulary is { } max ? max - 2 : int.MaxValue;
        var kept = new List<KeyValuePair<string, long>>();
        foreach (var word in ranked)
        {
            if (word.Value >= options.MinCount && kept.Count < room) kept.Add(word);
            else unknown += word.Value;
        }
        kept.Add(new(Tokenizer.EndOfLine, sentences + literalEos));
        kept.Add(new(Tokenizer.Unknown, unknown));
        kept.Sort(ByCount);
        return new Vocabulary(kept.Select(k => k.Key));
    }

    // Descending count, then ordinal order of the strings.
    private static int ByCount(KeyValuePair<string, long> a, KeyValuePair<string, long> b)
    {
        int c = b.Value.CompareTo(a.Value);
        return c != 0 ? c : string.CompareOrdinal(a.Key, b.Key);
    }
}
