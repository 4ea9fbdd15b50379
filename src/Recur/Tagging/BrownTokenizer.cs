using System.Text;

namespace Recur.Tagging;

/// <summary>
/// Splits raw text into words the way the Brown corpus has them, so that a tagger trained on
/// Brown sees the tokens it knows: punctuation is split off words ("city." → "city", "."),
/// double quotes become `` and '' (opening and closing, as Brown writes them), "--" is a word of
/// its own, and apostrophes stay inside words ("don't", "city's", "boys'"). A final period stays
/// on a word when the word with it is known (abbreviations: "Mr.", "Jan.", "U.S."), when it is an
/// initial ("J.") or when the word already holds a period ("a.m.").
/// </summary>
public static class BrownTokenizer
{
    private const string Leading = "([{`";
    private const string Trailing = ")]},;:?!";

    /// <summary>The words of <paramref name="line"/>; <paramref name="isKnown"/> tells abbreviations from sentence ends.</summary>
    public static string[] Tokenize(string line, Func<string, bool>? isKnown = null)
    {
        ArgumentNullException.ThrowIfNull(line);
        var words = new List<string>();
        foreach (string chunk in Quotes(line).Replace("--", " -- ", StringComparison.Ordinal)
                     .Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
            Split(chunk, isKnown, words);
        return [.. words];
    }

    // " at the start or after a space or an opening bracket opens (``); any other closes ('').
    private static string Quotes(string line)
    {
        if (!line.Contains('"')) return line;
        var text = new StringBuilder(line.Length + 8);
        for (int i = 0; i < line.Length; i++)
        {
            if (line[i] != '"') { text.Append(line[i]); continue; }
            bool opening = i == 0 || char.IsWhiteSpace(line[i - 1]) || Leading.Contains(line[i - 1]);
            text.Append(opening ? " `` " : " '' ");
        }
        return text.ToString();
    }

    private static void Split(string chunk, Func<string, bool>? isKnown, List<string> words)
    {
        if (chunk is "``" or "''" or "--" || isKnown?.Invoke(chunk) == true)
        {
            words.Add(chunk);
            return;
        }
        int start = 0, end = chunk.Length;
        var before = new List<string>();
        while (start < end && Leading.Contains(chunk[start]))
        {
            int n = chunk[start] == '`' && start + 1 < end && chunk[start + 1] == '`' ? 2 : 1;
            before.Add(chunk.Substring(start, n));
            start += n;
        }
        var after = new List<string>();
        while (end > start)
        {
            char c = chunk[end - 1];
            if (Trailing.Contains(c)) { after.Insert(0, c.ToString()); end--; continue; }
            if (end - start >= 2 && chunk[end - 1] == '\'' && chunk[end - 2] == '\'') { after.Insert(0, "''"); end -= 2; continue; }
            if (c == '.' && !KeepsPeriod(chunk[start..end], isKnown)) { after.Insert(0, "."); end--; continue; }
            break;
        }
        words.AddRange(before);
        if (end > start) words.Add(chunk[start..end]);
        words.AddRange(after);
    }

    // "Mr." (known), "J." (an initial), "a.m." and "3." before a decimal-free end keep the period.
    private static bool KeepsPeriod(string word, Func<string, bool>? isKnown)
    {
        if (word.Length == 1) return false;                                   // "." itself
        string bare = word[..^1];
        if (bare.Length == 1 && char.IsLetter(bare[0]) && char.IsUpper(bare[0])) return true;
        if (bare.Contains('.')) return bare.Any(char.IsLetter);               // "a.m.", "U.S." (but "3.5." ends a sentence)
        return isKnown?.Invoke(word) == true;
    }
}
