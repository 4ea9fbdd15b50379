using System.CommandLine;
using System.Globalization;
using Recur.Decoding;
using Recur.LanguageModels;
using Recur.LanguageModels.Rnn;
using Recur.Text;
using Recur.Training;

namespace Recur.Cli.Commands;

/// <summary>
/// `recur generate --checkpoint DIR`: decodes from a trained model with greedy, beam, sampling
/// or exact search, optionally continuing a prompt; sequences end at the sentence separator
/// (newline or &lt;eos&gt;) or after --max-tokens.
/// </summary>
internal static class GenerateCommand
{
    public static Command Create()
    {
        var checkpoint = new Option<DirectoryInfo>("--checkpoint") { Description = "A `recur train` run folder", Required = true };
        var method = ChoiceOption.Create("--method", "The search: greedy, beam, sample or exact (a recurrent model is not Markov, so exhaustive and viterbi do not apply)", DecodingMethod.Sample);
        method.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<DecodingMethod>() is DecodingMethod.Exhaustive or DecodingMethod.Viterbi)
                r.AddError($"--method: {Choice<DecodingMethod>.Name(r.GetValueOrDefault<DecodingMethod>())} needs an explicit model (recur decode); use greedy, beam, sample or exact");
        });
        var maxTokens = new Option<int>("--max-tokens") { Description = "Most tokens per sequence, the end token included (default 200 chars or 50 words)" }.AtLeast(1);
        var minTokens = new Option<int>("--min-tokens") { Description = "Tokens before the end token may be chosen (default 1: never an empty continuation; 0 allows one)", DefaultValueFactory = _ => 1 }.AtLeast(0);
        var prompt = new Option<string>("--prompt") { Description = "Text the sequences continue", DefaultValueFactory = _ => "" };
        var numReturn = new Option<int>("--num-return") { Description = "Sequences to return (samples, or the best K)", DefaultValueFactory = _ => 1 }.AtLeast(1);
        var search = new SearchOptions();
        var json = new Option<bool>("--json") { Description = "Print one JSON object" };
        var cmd = new Command("generate", "Generate text from a trained model by greedy, beam, sampling or exact search.")
        {
            checkpoint, method, maxTokens, minTokens, prompt, numReturn, json,
        };
        search.AddTo(cmd);
        cmd.SetAction(parse =>
        {
            var (model, config) = Checkpoint.LoadModel(parse.GetValue(checkpoint)!.FullName);
            int length = parse.GetResult(maxTokens) is { Implicit: false } ? parse.GetValue(maxTokens) : model.Tokenizer.Kind == TokenizerKind.Char ? 200 : 50;
            var request = search.Read(parse, parse.GetValue(method), length, parse.GetValue(minTokens), parse.GetValue(numReturn), maxSequences: 1);
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
        string Text(DecodedSequence s) => tokenizer.Decode(s.ContentTokens(model.EndToken));
        string separator = tokenizer.Kind == TokenizerKind.Word && prompt.Length > 0 && !prompt.EndsWith(' ') ? " " : "";
        if (json)
        {
            JsonOutput.Write(output, new Dictionary<string, object>
            {
                ["method"] = Choice<DecodingMethod>.Name(request.Method),
                ["prompt"] = prompt,
                ["sequences"] = result.Sequences.Select(s => new Dictionary<string, object>
                {
                    ["text"] = prompt + (Text(s).Length > 0 ? separator : "") + Text(s),
                    ["continuation"] = Text(s),
                    ["tokens"] = s.Tokens.Select(t => tokenizer.Vocabulary[t]).ToArray(),
                    ["logprob"] = s.LogProbability,
                    ["score"] = s.Score,
                    ["ended"] = s.Ends(model.EndToken),
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
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  log p = {s.LogProbability:F4}, score {s.Score:F4}, {s.Tokens.Length} tokens{(s.Ends(model.EndToken) ? "" : " (length limit)")}"));
        }
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{result.ModelCalls} model calls, {result.Seconds:F3} s"));
        return ExitCodes.Success;
    }
}
