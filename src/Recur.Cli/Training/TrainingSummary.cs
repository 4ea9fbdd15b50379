using System.Globalization;
using Recur.Decoding;
using Recur.LanguageModels.Rnn;
using Recur.Tensors;
using Recur.Text;
using Recur.Training;

namespace Recur.Cli.Training;

/// <summary>
/// What `recur train` prints at the end (docs/cli.md): the validation loss against the exact
/// entropy floor when the corpus has one, and samples from greedy, beam and sampling decoding;
/// for the built-in corpus also exact search beside the grammar's own most likely sentence.
/// </summary>
internal static class TrainingSummary
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    public static void Write(Trainer trainer, TrainingResult result, string folder, bool json, TextWriter output)
    {
        var model = trainer.Model;
        var data = trainer.Data;
        model.Training = false;
        int length = model.Tokenizer.Kind == TokenizerKind.Char ? 160 : 40;
        // At least one token before the end: in line-structured text (a play, a poem) the most
        // likely continuation of the primer is often an empty line, which says nothing.
        const int minLength = 1;
        var samples = new List<(string Method, DecodedSequence? Sequence)>
        {
            ("greedy", Greedy.Decode(model, new GreedyOptions { MaxLength = length, MinLength = minLength }).Best),
            ("beam 4", BeamSearch.Decode(model, new BeamSearchOptions { Width = 4, MaxLength = length, MinLength = minLength }).Best),
            ("sample", Sampler.Sample(model, new SamplingOptions { MaxLength = length, MinLength = minLength }, new Rng(trainer.Options.Seed)).Best),
        };
        string? grammarBest = null, exact = null;
        bool? exactMatches = null;
        if (data.Corpus == BuiltInCorpus.Name)
        {
            var (words, _) = BuiltInCorpus.Grammar.MostLikely();
            grammarBest = string.Join(' ', words);
            try
            {
                var best = BestFirst.Search(model, new BestFirstOptions { MaxLength = length, MaxNodes = 500_000 }).Best;
                exact = best is null ? null : Text(model, best);
                exactMatches = exact == grammarBest;
            }
            catch (InputException e)
            {
                exact = $"(none: {e.Message})";
                exactMatches = false;
            }
        }
        double? floor = data.EntropyFloor;
        if (json)
        {
            JsonOutput.Write(output, new Dictionary<string, object?>
            {
                ["steps"] = result.Steps,
                ["train_loss"] = result.TrainLoss,
                ["val_loss"] = result.ValidationLoss,
                ["val_ppl"] = result.ValidationLoss is { } v ? Math.Exp(v) : null,
                ["tokens_per_s"] = Math.Round(result.TokensPerSecond),
                ["entropy_floor"] = floor,
                ["checkpoint"] = folder,
                ["interrupted"] = result.Status == TrainingStatus.Interrupted,
                ["samples"] = samples.ToDictionary(s => s.Method, s => s.Sequence is null ? null : Text(model, s.Sequence)),
                ["exact"] = exact,
                ["grammar_most_likely"] = grammarBest,
                ["exact_matches_grammar"] = exactMatches,
            });
            return;
        }
        string unit = model.Tokenizer.Kind == TokenizerKind.Char ? "char" : "token";
        output.WriteLine(string.Create(C, $"{(result.Status == TrainingStatus.Interrupted ? "stopped" : "trained")} {result.Steps} steps at {result.TokensPerSecond:N0} tokens/s; checkpoint in {folder}"));
        if (result.ValidationLoss is { } val)
        {
            string against = floor is { } f ? string.Create(C, $"; exact entropy floor {f:F4}, gap {val - f:F4}") : "";
            output.WriteLine(string.Create(C, $"validation loss {val:F4} nats/{unit} (perplexity {Math.Exp(val):F3}){against}"));
        }
        foreach (var (method, s) in samples)
            output.WriteLine(string.Create(C, $"{method,-8} {(s is null ? "(nothing)" : $"{Quote(Text(model, s))}  log p = {s.LogProbability:F3}")}"));
        if (grammarBest is not null)
        {
            output.WriteLine($"exact    {Quote(exact ?? "(nothing)")}");
            output.WriteLine($"grammar  {Quote(grammarBest)}  (the corpus's most likely sentence{(exactMatches == true ? ", found by exact search" : ", NOT found by exact search")})");
        }
    }

    private static string Text(RnnLanguageModel model, DecodedSequence s)
    {
        return s.Text(model.Tokenizer).Replace('\n', ' ').Trim();
    }

    private static string Quote(string text) => "\"" + text + "\"";
}
