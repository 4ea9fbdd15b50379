using Recur.LanguageModels.Rnn;
using Recur.Text;

namespace Recur.Training;

/// <summary>
/// The token streams a language model trains and validates on, with their tokenizer and,
/// for the built-in corpus, the exact entropy floor per token.
/// </summary>
/// <param name="Corpus">The corpus's name: <see cref="BuiltInCorpus.Name"/> or the file path.</param>
/// <param name="Tokenizer">The tokenizer (see <see cref="FromFile(string, TokenizerOptions, string?)"/> for what its vocabulary is built from).</param>
/// <param name="Train">Training tokens.</param>
/// <param name="Validation">Validation tokens.</param>
/// <param name="EntropyFloor">Nats per token no model can beat, when the source is known exactly; else null.</param>
public sealed record TrainingData(string Corpus, Tokenizer Tokenizer, int[] Train, int[] Validation, double? EntropyFloor)
{
    /// <summary>Sentences of the built-in corpus in the training split (seed 1).</summary>
    public const int BuiltInTrainSentences = 40_000;

    /// <summary>Sentences of the built-in corpus in the validation split (seed 2).</summary>
    public const int BuiltInValidationSentences = 2_000;

    /// <summary>The most tokens of a decoding primer.</summary>
    public const int PrimerLength = 128;

    /// <summary>
    /// Whole sentences from the end of the training stream, without the final separator: what
    /// a model reads before decoding (see <see cref="RnnLanguageModel.Primer"/>). Empty when
    /// the text has no sentence separator.
    /// </summary>
    public int[] Primer()
    {
        int sep = Tokenizer.EndOfSentence;
        int end = sep < 0 ? -1 : Array.LastIndexOf(Train, sep);
        if (end <= 0) return [];
        // Walk back one sentence at a time while the primer stays within PrimerLength tokens.
        int start = end, boundary = end;   // boundary: the separator that ends the sentence before start
        while (true)
        {
            int previous = boundary > 0 ? Array.LastIndexOf(Train, sep, boundary - 1) : -1;
            int sentenceStart = previous + 1;
            if (end - sentenceStart > PrimerLength)
            {
                // A last sentence longer than the primer is cut to its final PrimerLength tokens.
                if (start == end) start = end - PrimerLength;
                break;
            }
            start = sentenceStart;
            if (previous < 0) break;
            boundary = previous;
        }
        return Train[start..end];
    }

    /// <summary>The fraction of a text corpus held out for validation: its last tenth.</summary>
    public const double ValidationFraction = 0.1;

    /// <summary>
    /// The built-in scene corpus: independent training and validation samples of the grammar
    /// (fixed seeds, so runs with different --seed see the same data), and its exact entropy
    /// per character or per word (none per BPE token).
    /// </summary>
    public static TrainingData BuiltIn(TokenizerKind kind) => BuiltIn(new TokenizerOptions { Kind = kind });

    /// <inheritdoc cref="BuiltIn(TokenizerKind)"/>
    public static TrainingData BuiltIn(TokenizerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        string train = BuiltInCorpus.Generate(BuiltInTrainSentences, seed: 1);
        string validation = BuiltInCorpus.Generate(BuiltInValidationSentences, seed: 2);
        // A char vocabulary must cover the validation text too (a char model has no unknown token).
        var tokenizer = Tokenizer.Build(options, options.Kind == TokenizerKind.Char ? train + validation : train);
        var stats = BuiltInCorpus.Grammar.Statistics();
        double? floor = options.Kind switch
        {
            TokenizerKind.Char => stats.EntropyPerCharacter,
            TokenizerKind.Word => stats.EntropyPerWordToken,
            _ => null,
        };
        return new TrainingData(BuiltInCorpus.Name, tokenizer, tokenizer.Encode(train), tokenizer.Encode(validation), floor) { TokenizerOptions = options };
    }

    /// <summary>A UTF-8 text file with default tokenizer options of <paramref name="kind"/>; see <see cref="FromFile(string, TokenizerOptions, string?)"/>.</summary>
    public static TrainingData FromFile(string path, TokenizerKind kind) => FromFile(path, new TokenizerOptions { Kind = kind });

    /// <summary>
    /// A UTF-8 text file to train on, validated on <paramref name="validationPath"/> or, without
    /// one, on the file's last tenth (nanoGPT's split; for word and BPE tokenizers it starts at a
    /// line). Char vocabularies hold every character of the file (a char model has no unknown
    /// token); word and BPE vocabularies come from the training part only, so validation words
    /// the training text lacks are &lt;unk&gt; and measure what they should. Errors name the file.
    /// </summary>
    public static TrainingData FromFile(string path, TokenizerOptions options, string? validationPath = null) =>
        FromFiles([path], options, validationPath);

    /// <summary>
    /// As <see cref="FromFile(string, TokenizerOptions, string?)"/> for the text of several files
    /// one after the other (each ending its last line), named together as
    /// "a.txt + b.txt" in messages and <see cref="Corpus"/>.
    /// </summary>
    public static TrainingData FromFiles(IReadOnlyList<string> paths, TokenizerOptions options, string? validationPath = null)
    {
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentNullException.ThrowIfNull(options);
        if (paths.Count == 0) throw new ArgumentException("Give at least one corpus file.", nameof(paths));
        string path = string.Join(" + ", paths);
        string text = paths.Count == 1 ? TextFile.Read(paths[0]) : string.Concat(paths.Select(p => TextFile.Read(p) is var t && t.EndsWith('\n') ? t : t + "\n"));
        if (options.Kind == TokenizerKind.Char && validationPath is null)
        {
            var chars = Tokenizer.Build(options, text);
            int[] tokens = chars.Encode(text);
            int held = (int)(tokens.Length * ValidationFraction);
            CheckSize(path, tokens.Length - held, held);
            return new TrainingData(path, chars, tokens[..^held], tokens[^held..], null) { TokenizerOptions = options, CorpusFiles = [.. paths] };
        }
        string train = text, validation;
        if (validationPath is not null) validation = TextFile.Read(validationPath);
        else
        {
            int cut = text.IndexOf('\n', (int)(text.Length * (1 - ValidationFraction)));
            if (cut < 0 || cut + 1 >= text.Length) throw new InputException(path, "has no line break in its last tenth to hold out for validation; give more lines or a validation file");
            (train, validation) = (text[..(cut + 1)], text[(cut + 1)..]);
        }
        if (options.Kind == TokenizerKind.Char) train += validation;   // the char vocabulary covers both
        var tokenizer = Tokenizer.Build(options, train);
        if (options.Kind == TokenizerKind.Char) train = text;
        int[] trainTokens = tokenizer.Encode(train), validationTokens = tokenizer.Encode(validation);
        CheckSize(validationPath ?? path, trainTokens.Length, validationTokens.Length);
        return new TrainingData(path, tokenizer, trainTokens, validationTokens, null) { ValidationCorpus = validationPath, TokenizerOptions = options, CorpusFiles = [.. paths] };
    }

    /// <summary>The corpus files read, in order (empty for the built-in corpus).</summary>
    public IReadOnlyList<string> CorpusFiles { get; init; } = [];

    /// <summary>The validation file, when it is not the training file's last tenth.</summary>
    public string? ValidationCorpus { get; init; }

    /// <summary>How the tokenizer was built (stored with checkpoints, so resuming rebuilds the same one).</summary>
    public TokenizerOptions TokenizerOptions { get; init; } = new() { Kind = Tokenizer.Kind };

    private static void CheckSize(string path, int train, int validation)
    {
        if (train < 2 || validation < 2)
            throw new InputException(path, $"gives {train} training and {validation} validation tokens; training needs a few hundred at least");
    }
}
