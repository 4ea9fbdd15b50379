using Recur.Formats;

namespace Recur.Text;

/// <summary>
/// A plain-text corpus in the form n-gram tools read (KenLM lmplz, SRILM ngram-count): UTF-8,
/// one sentence per line, words separated by whitespace. Blank lines are skipped (they are not
/// empty sentences). Errors are <see cref="InputException"/>s naming the file and line.
/// </summary>
public static class SentenceCorpus
{
    /// <summary>
    /// The sentences of <paramref name="path"/>, each an array of words. Throws when the file
    /// is not UTF-8 text (a NUL byte or an invalid byte sequence, reported with its line) or has
    /// no words at all.
    /// </summary>
    public static List<string[]> Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!Formats.InputFile.Exists(path)) throw new FileNotFoundException($"Corpus not found: {path}", path);
        var sentences = new List<string[]>();
        using (var lines = new TextLines(path))
        {
            string? line;
            while ((line = lines.Next()) is not null)
            {
                string[] words = Tokenize(line);
                if (words.Length > 0) sentences.Add(words);
            }
        }
        if (sentences.Count == 0) throw new InputException(path, "has no words: give UTF-8 text with one whitespace-tokenized sentence per line");
        return sentences;
    }

    /// <summary>Splits a line at whitespace (any Unicode white space), dropping empty pieces.</summary>
    public static string[] Tokenize(string line) => line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
}
