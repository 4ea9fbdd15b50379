using System.Text;

namespace Recur.Text;

/// <summary>How text becomes tokens.</summary>
[ChoiceName("tokenizer")]
public enum TokenizerKind
{
    /// <summary>One token per Unicode character (scalar value); newlines are tokens.</summary>
    Char,
    /// <summary>One token per whitespace-separated word; each non-blank line ends with <see cref="Tokenizer.EndOfLine"/>.</summary>
    Word,
}

/// <summary>
/// Character or word tokenization with a fixed vocabulary (stored in checkpoints, so a model
/// always decodes with the tokens it was trained on). The sentence separator is the newline
/// character (char) or the <c>&lt;eos&gt;</c> token (word); it is what generation stops at.
/// </summary>
public sealed class Tokenizer
{
    /// <summary>The word-level end-of-line token.</summary>
    public const string EndOfLine = "<eos>";

    /// <summary>The word-level unknown-word token.</summary>
    public const string Unknown = "<unk>";

    private Tokenizer(TokenizerKind kind, Vocabulary vocabulary)
    {
        Kind = kind;
        Vocabulary = vocabulary;
        EndOfSentence = vocabulary.IndexOf(kind == TokenizerKind.Char ? "\n" : EndOfLine);
        UnknownToken = kind == TokenizerKind.Word ? vocabulary.IndexOf(Unknown) : -1;
    }

    /// <summary>Char or word.</summary>
    public TokenizerKind Kind { get; }

    /// <summary>The tokens, in id order.</summary>
    public Vocabulary Vocabulary { get; }

    /// <summary>The id of the sentence separator, or −1 when the vocabulary has none (char text without newlines).</summary>
    public int EndOfSentence { get; }

    /// <summary>The id of <c>&lt;unk&gt;</c> for word tokenizers, −1 otherwise.</summary>
    public int UnknownToken { get; }

    /// <summary>
    /// A tokenizer whose vocabulary is every token of <paramref name="text"/>, in ordinal order
    /// (so the same text always gives the same ids). Word vocabularies also get &lt;eos&gt; and &lt;unk&gt;.
    /// </summary>
    public static Tokenizer Build(TokenizerKind kind, string text)
    {
        var tokens = new SortedSet<string>(StringComparer.Ordinal);
        if (kind == TokenizerKind.Char)
        {
            foreach (Rune r in text.EnumerateRunes()) tokens.Add(r.ToString());
        }
        else
        {
            foreach (string line in Lines(text))
                foreach (string w in SentenceCorpus.Tokenize(line)) tokens.Add(w);
            tokens.Add(EndOfLine);
            tokens.Add(Unknown);
        }
        if (tokens.Count == 0) throw new ArgumentException("The text has no tokens.", nameof(text));
        return new Tokenizer(kind, new Vocabulary(tokens));
    }

    /// <summary>A tokenizer with a given vocabulary (as stored in a checkpoint).</summary>
    public static Tokenizer FromVocabulary(TokenizerKind kind, Vocabulary vocabulary) => new(kind, vocabulary);

    /// <summary>
    /// Token ids of <paramref name="text"/>. Unknown words become &lt;unk&gt;; an unknown
    /// character is an error naming it, since a char model has no unknown token.
    /// <paramref name="endLines"/> (word kind): end every non-blank line with &lt;eos&gt;;
    /// turn it off to encode a prompt that continues a sentence.
    /// </summary>
    public int[] Encode(string text, bool endLines = true)
    {
        var ids = new List<int>(text.Length);
        if (Kind == TokenizerKind.Char)
        {
            foreach (Rune r in text.EnumerateRunes())
            {
                int id = Vocabulary.IndexOf(r.ToString());
                if (id < 0) throw new InputException("text", $"character {Describe(r)} is not in the model's vocabulary of {Vocabulary.Count} characters");
                ids.Add(id);
            }
            return ids.ToArray();
        }
        foreach (string line in Lines(text))
        {
            bool any = false;
            foreach (string w in SentenceCorpus.Tokenize(line))
            {
                int id = Vocabulary.IndexOf(w);
                ids.Add(id >= 0 ? id : UnknownToken);
                any = true;
            }
            if (any && endLines) ids.Add(EndOfSentence);
        }
        return ids.ToArray();
    }

    /// <summary>Text of token ids: characters concatenated, or words joined by spaces with &lt;eos&gt; as a newline.</summary>
    public string Decode(ReadOnlySpan<int> ids)
    {
        var sb = new StringBuilder();
        foreach (int id in ids)
        {
            if ((uint)id >= (uint)Vocabulary.Count) throw new ArgumentOutOfRangeException(nameof(ids), $"Token id {id} is outside the vocabulary.");
            if (Kind == TokenizerKind.Char) sb.Append(Vocabulary[id]);
            else if (id == EndOfSentence) sb.Append('\n');
            else
            {
                if (sb.Length > 0 && sb[^1] != '\n') sb.Append(' ');
                sb.Append(Vocabulary[id]);
            }
        }
        return sb.ToString();
    }

    private static IEnumerable<string> Lines(string text) => text.Split('\n');

    private static string Describe(Rune r) => Rune.IsControl(r) ? $"U+{r.Value:X4}" : $"'{r}' (U+{r.Value:X4})";
}
