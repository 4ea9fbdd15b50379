using Recur.LanguageModels.Rnn;
using Recur.Text;

namespace Recur.Training;

/// <summary>
/// The token streams a language model trains and validates on, with their tokenizer and,
/// for the built-in corpus, the exact entropy floor per token.
/// </summary>
/// <param name="Corpus">The corpus's name: <see cref="BuiltInCorpus.Name"/> or the file path.</param>
/// <param name="Tokenizer">The tokenizer (its vocabulary is built from the whole corpus).</param>
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
    /// (fixed seeds, so runs with different --seed see the same data), and its exact entropy.
    /// </summary>
    public static TrainingData BuiltIn(TokenizerKind kind)
    {
        string train = BuiltInCorpus.Generate(BuiltInTrainSentences, seed: 1);
        string validation = BuiltInCorpus.Generate(BuiltInValidationSentences, seed: 2);
        var tokenizer = Tokenizer.Build(kind, train + validation);
        var stats = BuiltInCorpus.Grammar.Statistics();
        double floor = kind == TokenizerKind.Char ? stats.EntropyPerCharacter : stats.EntropyPerWordToken;
        return new TrainingData(BuiltInCorpus.Name, tokenizer, tokenizer.Encode(train), tokenizer.Encode(validation), floor);
    }

    /// <summary>
    /// A UTF-8 text file, tokenized with a vocabulary of the whole file, its last tenth held
    /// out for validation (nanoGPT's split). Errors name the file.
    /// </summary>
    public static TrainingData FromFile(string path, TokenizerKind kind)
    {
        string text = TextFile.Read(path);
        var tokenizer = Tokenizer.Build(kind, text);
        int[] tokens = tokenizer.Encode(text);
        int validation = (int)(tokens.Length * ValidationFraction);
        if (tokens.Length - validation < 2 || validation < 2)
            throw new InputException(path, $"has only {tokens.Length} tokens; training needs a few hundred at least");
        return new TrainingData(path, tokenizer, tokens[..^validation], tokens[^validation..], null);
    }
}
