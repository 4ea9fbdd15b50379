using Recur.LanguageModels.NGrams;
using Recur.LanguageModels.Rnn;
using Recur.Text;
using Recur.Training;

namespace Recur.Cli;

/// <summary>
/// The library names the option property a message is about (<c>TrainingOptions.LearningRate</c>);
/// a person at the command line knows the flag (<c>--lr</c>). <see cref="Program"/> passes every
/// message through <see cref="Translate"/>, so this table is the one place the two meet.
/// </summary>
internal static class FlagNames
{
    private static readonly (string Property, string Flag)[] Map =
    [
        (Train(nameof(TrainingOptions.LearningRate)), "--lr"),
        (Train(nameof(TrainingOptions.Momentum)), "--momentum"),
        (Train(nameof(TrainingOptions.Nesterov)), "--nesterov"),
        (Train(nameof(TrainingOptions.WeightDecay)), "--weight-decay"),
        (Train(nameof(TrainingOptions.L2)), "--l2"),
        (Train(nameof(TrainingOptions.ClipNorm)), "--clip-norm"),
        (Train(nameof(TrainingOptions.Batch)), "--batch"),
        (Train(nameof(TrainingOptions.Sequence)), "--seq"),
        (Train(nameof(TrainingOptions.Steps)), "--steps"),
        (Train(nameof(TrainingOptions.EvalEvery)), "--eval-every"),
        (Train(nameof(TrainingOptions.Threads)), "--threads"),
        (RnnLanguageModelOptions.Subject(nameof(RnnLanguageModelOptions.Cutoffs)), "--cutoffs"),
        (RnnLanguageModelOptions.Subject(nameof(RnnLanguageModelOptions.TieWeights)), "--tie-weights"),
        (TokenizerOptions.Subject(nameof(TokenizerOptions.MinCount)), "--min-count"),
        (TokenizerOptions.Subject(nameof(TokenizerOptions.MaxVocabulary)), "--max-vocab"),
        (TokenizerOptions.Subject(nameof(TokenizerOptions.BpeMerges)), "--bpe-merges"),
        ($"{nameof(KneserNeyOptions)}.{nameof(KneserNeyOptions.Order)}", "--order"),
        ("ViterbiOptions.MaxLength", "--length"),
        ("ViterbiOptions.Count", "--count"),
        ("SamplingOptions.Count", "--count"),
        ("GreedyOptions.MaxLength", "--length"),
        ("BeamSearchOptions.Width", "--beam"),
        ("BestFirstOptions.MaxLength", "--length"),
        (RnnLanguageModelOptions.Subject(nameof(RnnLanguageModelOptions.Hidden)), "--hidden"),
        ($"{nameof(KneserNeyOptions)}.{nameof(KneserNeyOptions.DiscountFallback)}", "--discount-fallback"),
    ];

    /// <summary><paramref name="text"/> with every property name of the table replaced by its flag.</summary>
    public static string Translate(string text)
    {
        foreach (var (property, flag) in Map) text = text.Replace(property, flag, StringComparison.Ordinal);
        return text;
    }

    private static string Train(string property) => TrainingOptions.Subject(property);
}
