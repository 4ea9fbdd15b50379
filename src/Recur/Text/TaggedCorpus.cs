using Recur.Formats;

namespace Recur.Text;

// T: words in a sentence.

/// <summary>A sentence of T words and their T tags.</summary>
public sealed record TaggedSentence(string[] Words, string[] Tags)
{
    /// <summary>T.</summary>
    public int Length => Words.Length;
}

/// <summary>
/// A part-of-speech tagged corpus in the Brown corpus's format: UTF-8 text, one sentence per
/// line (leading tabs and blank lines between sentences are ignored), tokens separated by
/// whitespace, each token <c>word/TAG</c> where the tag is what follows the LAST '/' (so
/// <c>1/2/cd</c> is the word "1/2" tagged "cd"). Tags are kept exactly as written — compound
/// tags such as <c>nn-tl</c>, <c>ppss+md</c>, <c>fw-in</c> or <c>bez*</c> are tags of their own.
/// Errors are <see cref="InputException"/>s naming the file and line.
/// </summary>
public static class TaggedCorpus
{
    /// <summary>The sentences of every file in <paramref name="paths"/>, in order.</summary>
    public static List<TaggedSentence> Read(IEnumerable<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var sentences = new List<TaggedSentence>();
        foreach (string path in paths) sentences.AddRange(Read(path));
        return sentences;
    }

    /// <summary>
    /// The sentences of <paramref name="path"/>. Throws when a token has no '/', nothing before
    /// its last '/' or nothing after it, when the file is not UTF-8 text, or when it holds no
    /// tokens at all.
    /// </summary>
    public static List<TaggedSentence> Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Directory.Exists(path)) throw new InputException(path, "is a folder; give the tagged files themselves (e.g. brown/c??[0-9]*)");
        if (!Formats.InputFile.Exists(path)) throw new FileNotFoundException($"Corpus not found: {path}", path);
        var sentences = new List<TaggedSentence>();
        using (var lines = new TextLines(path))
        {
            string? line;
            while ((line = lines.Next()) is not null)
            {
                string[] tokens = SentenceCorpus.Tokenize(line);
                if (tokens.Length == 0) continue;
                var words = new string[tokens.Length];
                var tags = new string[tokens.Length];
                for (int i = 0; i < tokens.Length; i++)
                {
                    string? why = Split(tokens[i], out words[i], out tags[i]);
                    if (why is not null)
                        throw new InputException($"{path}: line {lines.Number}", $"token {i + 1} \"{tokens[i]}\" {why}; tagged corpora hold word/TAG tokens (the tag follows the last '/')");
                }
                sentences.Add(new TaggedSentence(words, tags));
            }
        }
        if (sentences.Count == 0) throw new InputException(path, "holds no tagged sentences: give word/TAG tokens, one sentence per line");
        return sentences;
    }

    // Splits word/TAG at the last '/'; returns why it cannot, or null.
    private static string? Split(string token, out string word, out string tag)
    {
        int slash = token.LastIndexOf('/');
        (word, tag) = ("", "");
        if (slash < 0) return "has no '/'";
        if (slash == 0) return "has no word before its '/'";
        if (slash == token.Length - 1) return "has no tag after its last '/'";
        (word, tag) = (token[..slash], token[(slash + 1)..]);
        return null;
    }
}
