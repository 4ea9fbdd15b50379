using System.CommandLine;
using System.Globalization;
using Recur.Decoding;
using Recur.Io;
using Recur.LanguageModels;
using Recur.Text;

namespace Recur.Cli.Commands;

/// <summary>
/// `recur generate --checkpoint DIR`: decodes from a trained model with greedy, beam, sampling
/// or exact search, optionally continuing a prompt; sequences end at the sentence separator
/// (newline or &lt;eos&gt;) or after --max-tokens.
/// </summary>
internal static class GenerateCommand
{
    private static readonly string[] Methods = ["greedy", "beam", "sample", "exact"];

    public static Command Create()
    {
        var checkpoint = new Option<DirectoryInfo>("--checkpoint") { Description = "A `recur train` run folder", Required = true };
        var method = new Option<string>("--method") { Description = "greedy | beam | sample | exact", DefaultValueFactory = _ => "sample" };
        method.AcceptOnlyFromAmong(Methods);
        var beam = new Option<int>("--beam") { Description = "Beam width B", DefaultValueFactory = _ => 4 }.AtLeast(1);
        var lengthPenalty = new Option<double>("--length-penalty") { Description = "Beam length-normalization exponent α (0 = none)", DefaultValueFactory = _ => 0.0 }.InRange(-100, 100);
        var lengthNorm = new Option<string>("--length-norm") { Description = "power: log p / len^α; gnmt: log p / ((5+len)/6)^α", DefaultValueFactory = _ => "power" };
        lengthNorm.AcceptOnlyFromAmong("power", "gnmt");
        var stop = new Option<string>("--stop") { Description = "Beam stop rule: exact | first-k | heuristic", DefaultValueFactory = _ => "exact" };
        stop.AcceptOnlyFromAmong("exact", "first-k", "heuristic");
        var groups = new Option<int>("--groups") { Description = "Diverse beam search groups G", DefaultValueFactory = _ => 1 }.AtLeast(1);
        var diversity = new Option<double>("--diversity") { Description = "Hamming diversity penalty λ between groups", DefaultValueFactory = _ => 0.0 }.InRange(0, 1e6);
        var noRepeat = new Option<int>("--no-repeat-ngram") { Description = "Ban repeating n-grams of this size (beam; 0 = off)", DefaultValueFactory = _ => 0 }.AtLeast(0);
        var maxTokens = new Option<int>("--max-tokens") { Description = "Most tokens per sequence, the end token included (default 200 chars or 50 words)" }.AtLeast(1);
        var minTokens = new Option<int>("--min-tokens") { Description = "Tokens before the end token may be chosen (default 1: never an empty continuation; 0 allows one)", DefaultValueFactory = _ => 1 }.AtLeast(0);
        var prompt = new Option<string>("--prompt") { Description = "Text the sequences continue", DefaultValueFactory = _ => "" };
        var temperature = new Option<double>("--temperature") { Description = "Sampling temperature τ > 0", DefaultValueFactory = _ => 1.0 }.Positive();
        var topK = new Option<int>("--top-k") { Description = "Sample among the k most likely tokens (≤ 0 = off)", DefaultValueFactory = _ => 0 };
        var topP = new Option<double>("--top-p") { Description = "Sample within the smallest set of probability ≥ p (1 = off)", DefaultValueFactory = _ => 1.0 }.AboveAndAtMost(0, 1);
        var numReturn = new Option<int>("--num-return") { Description = "Sequences to return (samples, or the best K)", DefaultValueFactory = _ => 1 }.AtLeast(1);
        var seed = new Option<ulong>("--seed") { Description = "Random seed for sampling", DefaultValueFactory = _ => 0UL };
        var maxNodes = new Option<long>("--max-nodes") { Description = "Exact search: give up after queuing this many prefixes", DefaultValueFactory = _ => 2_000_000L }.AtLeast(1);
        var json = new Option<bool>("--json") { Description = "Print one JSON object" };
        var cmd = new Command("generate", "Generate text from a trained model by greedy, beam, sampling or exact search.")
        {
            checkpoint, method, beam, lengthPenalty, lengthNorm, stop, groups, diversity, noRepeat, maxTokens, minTokens, prompt,
            temperature, topK, topP, numReturn, seed, maxNodes, json,
        };
        cmd.SetAction(parse =>
        {
            var (model, config) = Checkpoint.LoadModel(parse.GetValue(checkpoint)!.FullName);
            int length = parse.GetResult(maxTokens) is { Implicit: false } ? parse.GetValue(maxTokens) : model.Tokenizer.Kind == TokenizerKind.Char ? 200 : 50;
            var request = new DecodeCommand.Request(parse.GetValue(method)!, parse.GetValue(beam), length, parse.GetValue(minTokens), parse.GetValue(numReturn),
                parse.GetValue(lengthPenalty), parse.GetValue(lengthNorm)!, parse.GetValue(stop)!, parse.GetValue(groups), parse.GetValue(diversity),
                parse.GetValue(noRepeat), parse.GetValue(temperature), parse.GetValue(topK), parse.GetValue(topP), parse.GetValue(seed),
                parse.GetValue(maxNodes), MaxSequences: 1);
            return Run(model, parse.GetValue(prompt)!, request, length, parse.GetValue(json), parse.InvocationConfiguration.Output);
        });
        return cmd;
    }

    internal static int Run(RnnLanguageModel model, string prompt, DecodeCommand.Request request, int length, bool json, TextWriter output)
    {
        var tokenizer = model.Tokenizer;
        int[] promptTokens = prompt.Length == 0 ? [] : tokenizer.Encode(prompt, endLines: false);
        ILanguageModel decoded = promptTokens.Length == 0 ? model : new PromptedModel(model, promptTokens);
        var result = DecodeCommand.Decode(decoded, "checkpoint", request, length);
        string Text(DecodedSequence s) => tokenizer.Decode(s.Tokens.Where(t => t != model.EndToken).ToArray());
        string separator = tokenizer.Kind == TokenizerKind.Word && prompt.Length > 0 && !prompt.EndsWith(' ') ? " " : "";
        if (json)
        {
            JsonOutput.Write(output, new Dictionary<string, object>
            {
                ["method"] = request.Method,
                ["prompt"] = prompt,
                ["sequences"] = result.Sequences.Select(s => new Dictionary<string, object>
                {
                    ["text"] = prompt + (Text(s).Length > 0 ? separator : "") + Text(s),
                    ["continuation"] = Text(s),
                    ["tokens"] = s.Tokens.Select(t => tokenizer.Vocabulary[t]).ToArray(),
                    ["logprob"] = s.LogProbability,
                    ["score"] = s.Score,
                    ["ended"] = s.Tokens.Length > 0 && s.Tokens[^1] == model.EndToken,
                }).ToArray(),
                ["model_calls"] = result.ModelCalls,
                ["seconds"] = result.Seconds,
            });
            return ExitCodes.Success;
        }
        foreach (var s in result.Sequences)
        {
            string text = Text(s);
            output.WriteLine(prompt + (text.Length > 0 ? separator : "") + text);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  log p = {s.LogProbability:F4}, score {s.Score:F4}, {s.Tokens.Length} tokens{(s.Tokens.Length > 0 && s.Tokens[^1] == model.EndToken ? "" : " (length limit)")}"));
        }
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{result.ModelCalls} model calls, {result.Seconds:F3} s"));
        return ExitCodes.Success;
    }
}
