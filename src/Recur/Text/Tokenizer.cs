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
    /// <summary>Byte-level byte-pair-encoded subwords; every newline is <see cref="Tokenizer.EndOfLine"/>.</summary>
    Bpe,
}

/// <summary>
/// Character, word or byte-pair tokenization with a fixed vocabulary (stored in checkpoints,
/// so a model always decodes with the tokens it was trained on). The sentence separator is the
/// newline character (char) or the <c>&lt;eos&gt;</c> token (word, BPE); it is what generation
/// stops at. Word and BPE vocabularies are built from training text only (see
/// <see cref="TokenizerOptions"/>); a word outside the vocabulary becomes <c>&lt;unk&gt;</c>,
/// while BPE encodes any text and decodes it back exactly.
/// </summary>
public sealed class Tokenizer
{
    /// <summary>The word-level end-of-line token.</summary>
    public const string EndOfLine = "<eos>";

    /// <summary>The word-level unknown-word token.</summary>
    public const string Unknown = "<unk>";

    private readonly BytePairEncoding? _bpe;

    private Tokenizer(TokenizerKind kind, Vocabulary vocabulary, BytePairEncoding? bpe)
    {
        Kind = kind;
        Vocabulary = vocabulary;
        _bpe = bpe;
        EndOfSentence = vocabulary.IndexOf(kind == TokenizerKind.Char ? "\n" : EndOfLine);
        UnknownToken = kind == TokenizerKind.Word ? vocabulary.IndexOf(Unknown) : -1;
    }

    /// <summary>Char, word or BPE.</summary>
    public TokenizerKind Kind { get; }

    /// <summary>The tokens, in id order (BPE tokens written as byte symbols).</summary>
    public Vocabulary Vocabulary { get; }

    /// <summary>The id of the sentence separator, or −1 when the vocabulary has none (char text without newlines).</summary>
    public int EndOfSentence { get; }

    /// <summary>The id of <c>&lt;unk&gt;</c> for word tokenizers, −1 otherwise.</summary>
    public int UnknownToken { get; }

    /// <summary>BPE: the merges in the order they were learned; empty for the other kinds.</summary>
    public IReadOnlyList<(string Left, string Right)> Merges => _bpe?.Merges ?? [];

    /// <summary>A tokenizer of <paramref name="kind"/> with default options built from <paramref name="text"/>.</summary>
    public static Tokenizer Build(TokenizerKind kind, string text) => Build(new TokenizerOptions { Kind = kind }, text);

    /// <summary>
    /// A tokenizer built from <paramref name="trainingText"/>: char vocabularies hold every
    /// character in ordinal order (so the same text always gives the same ids); word and BPE
    /// vocabularies follow <paramref name="options"/>, ordered by training frequency.
    /// </summary>
    public static Tokenizer Build(TokenizerOptions options, string trainingText)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(trainingText);
        options.Validate();
        switch (options.Kind)
        {
            case TokenizerKind.Char:
                var chars = new SortedSet<string>(StringComparer.Ordinal);
                foreach (Rune r in trainingText.EnumerateRunes()) chars.Add(r.ToString());
                if (chars.Count == 0) throw new ArgumentException("The text has no tokens.", nameof(trainingText));
                return new Tokenizer(TokenizerKind.Char, new Vocabulary(chars), null);
            case TokenizerKind.Word:
                return new Tokenizer(TokenizerKind.Word, WordVocabulary.Build(Lines(trainingText), options), null);
            default:
                var bpe = new BytePairEncoding(BytePairLearner.Learn(Lines(trainingText), options.BpeMerges));
                return new Tokenizer(TokenizerKind.Bpe, BpeVocabulary(bpe, trainingText), bpe);
        }
    }

    /// <summary>A tokenizer with a given vocabulary (and, for BPE, merges), as stored in a checkpoint.</summary>
    public static Tokenizer FromVocabulary(TokenizerKind kind, Vocabulary vocabulary, IReadOnlyList<(string Left, string Right)>? merges = null)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        if (kind != TokenizerKind.Bpe) return new Tokenizer(kind, vocabulary, null);
        var bpe = new BytePairEncoding(merges ?? []);
        foreach (string symbol in BytePairEncoding.ByteSymbols)
            if (!vocabulary.Contains(symbol)) throw new ArgumentException($"A BPE vocabulary must hold all 256 byte symbols; '{symbol}' is missing.", nameof(vocabulary));
        foreach (var (left, right) in bpe.Merges)
            if (!vocabulary.Contains(left + right)) throw new ArgumentException($"The merge ('{left}', '{right}') makes a token the vocabulary lacks.", nameof(merges));
        if (!vocabulary.Contains(EndOfLine)) throw new ArgumentException($"A BPE vocabulary must hold {EndOfLine}.", nameof(vocabulary));
        return new Tokenizer(kind, vocabulary, bpe);
    }

    /// <summary>
    /// Token ids of <paramref name="text"/>. Unknown words become &lt;unk&gt;; an unknown
    /// character is an error naming it, since a char model has no unknown token.
    /// <paramref name="endLines"/> (word kind): end every non-blank line with &lt;eos&gt;;
    /// turn it off to encode a prompt that continues a sentence. BPE turns every newline into
    /// &lt;eos&gt;, so that <see cref="Decode"/> gives the text back exactly.
    /// </summary>
    public int[] Encode(string text, bool endLines = true)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<int>(text.Length);
        switch (Kind)
        {
            case TokenizerKind.Char:
                foreach (Rune r in text.EnumerateRunes())
                {
                    int id = Vocabulary.IndexOf(r.ToString());
                    if (id < 0) throw new InputException("text", $"character {Describe(r)} is not in the model's vocabulary of {Vocabulary.Count} characters");
                    ids.Add(id);
                }
                break;
            case TokenizerKind.Word:
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
                break;
            default:
                bool first = true;
                foreach (string line in Lines(text))
                {
                    if (!first) ids.Add(EndOfSentence);
                    first = false;
                    foreach (string token in _bpe!.Encode(line)) ids.Add(Vocabulary.IndexOf(token));
                }
                break;
        }
        return ids.ToArray();
    }

    /// <summary>
    /// Text of token ids: characters concatenated; words joined by spaces with &lt;eos&gt; as a
    /// newline; BPE tokens' bytes concatenated and read as UTF-8 (an incomplete character at the
    /// end of a generated sequence shows as U+FFFD).
    /// </summary>
    public string Decode(ReadOnlySpan<int> ids)
    {
        var sb = new StringBuilder();
        var bytes = Kind == TokenizerKind.Bpe ? new List<byte>() : null;
        foreach (int id in ids)
        {
            if ((uint)id >= (uint)Vocabulary.Count) throw new ArgumentOutOfRangeException(nameof(ids), $"Token id {id} is outside the vocabulary.");
            if (Kind == TokenizerKind.Char) sb.Append(Vocabulary[id]);
            else if (bytes is not null)
            {
                if (id == EndOfSentence) bytes.Add((byte)'\n');
                else BytePairEncoding.AppendBytes(Vocabulary[id], bytes);
            }
            else if (id == EndOfSentence) sb.Append('\n');
            else
            {
                if (sb.Length > 0 && sb[^1] != '\n') sb.Append(' ');
                sb.Append(Vocabulary[id]);
            }
        }
        return bytes is null ? sb.ToString() : Encoding.UTF8.GetString(bytes.ToArray());
    }

    private static IEnumerable<string> Lines(string text) => text.Split('\n');

    // The 256 byte symbols, every merged token and <eos>, by descending count in the encoded
    // training text, ties in ordinal order.
    private static Vocabulary BpeVocabulary(BytePairEncoding bpe, string trainingText)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (string symbol in BytePairEncoding.ByteSymbols) counts[symbol] = 0;
        foreach (var (left, right) in bpe.Merges) counts.TryAdd(left + right, 0);
        counts[EndOfLine] = 0;
        foreach (string line in Lines(trainingText))
        {
            counts[EndOfLine]++;
            foreach (string token in bpe.Encode(line)) counts[token]++;
        }
        counts[EndOfLine]--;   // n lines are n − 1 newlines
        var ranked = counts.ToList();
        ranked.Sort((a, b) => b.Value != a.Value ? b.Value.CompareTo(a.Value) : string.CompareOrdinal(a.Key, b.Key));
        return new Vocabulary(ranked.Select(p => p.Key));
    }

    private static string Describe(Rune r) => Rune.IsControl(r) ? $"U+{r.Value:X4}" : $"'{r}' (U+{r.Value:X4})";
}
