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
/// or exact search, optionally continuing a prompt. A sequence ends at --max-tokens, at a stop
/// string, or — with --stop-at separator, the default of word models — at the sentence
/// separator; char and BPE models write across lines by default. --stream prints the text as it
/// comes (greedy and sampling).
/// </summary>
internal static class GenerateCommand
{
    /// <summary>Where a sequence may end before its length limit.</summary>
    internal enum StopAt
    {
        /// <summary>At the model's sentence separator (newline or &lt;eos&gt;).</summary>
        Separator,
        /// <summary>Only at the length limit or a stop string: text spans lines.</summary>
        None,
    }

    public static Command Create()
    {
        var checkpoint = new Option<DirectoryInfo>("--checkpoint") { Description = "A `recur train` run folder", Required = true }.MustBeRunFolder();
        var method = ChoiceOption.Create("--method", "The search: greedy, beam, sample or exact (a recurrent model is not Markov, so exhaustive and viterbi do not apply)", DecodingMethod.Sample);
        method.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<DecodingMethod>() is DecodingMethod.Exhaustive or DecodingMethod.Viterbi)
                r.AddError($"--method: {Choice<DecodingMethod>.Name(r.GetValueOrDefault<DecodingMethod>())} needs an explicit model (recur decode); use greedy, beam, sample or exact");
        });
        var maxTokens = new Option<int>("--max-tokens") { Description = "Most tokens per sequence" }.AtLeast(1).ShowsDefault("500 for char, 200 for BPE, 50 for word models");
        maxTokens.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() > MaxTokens) r.AddError($"--max-tokens: at most {MaxTokens:N0} (got {r.GetValueOrDefault<int>():N0})");
        });
        var minTokens = new Option<int>("--min-tokens") { Description = "Tokens before the end token may be chosen (1: never an empty continuation; 0 allows one)", DefaultValueFactory = _ => 1 }.AtLeast(0);
        var stopAt = new Option<string>("--stop-at") { Description = "separator: a sequence ends at the sentence separator (newline or <eos>); none: only at --max-tokens or a stop string" }.ShowsDefault("separator for word models, none for char and BPE models");
        stopAt.AcceptOnlyFromAmong("separator", "none");
        var stopStrings = new Option<string[]>("--stop-string") { Description = "End a sequence once its text contains this string (repeatable; greedy and sample)", Arity = ArgumentArity.OneOrMore };
        var prompt = new Option<string>("--prompt") { Description = "Text the sequences continue", DefaultValueFactory = _ => "" };
        var promptFile = new Option<string>("--prompt-file") { Description = "Read the prompt from this UTF-8 file (- for standard input)" };
        var numReturn = new Option<int>("--count", "--num-return") { Description = "Sequences to return (samples, or the best K)", DefaultValueFactory = _ => 1 }.AtLeast(1);
        var repetition = new Option<double>("--repetition-penalty") { Description = "θ: every token already in the text, prompt included, has its log-probability multiplied by θ (Hugging Face's repetition_penalty; 1 = off; greedy and sample)", DefaultValueFactory = _ => 1.0 }.Positive();
        var stream = new Option<bool>("--stream") { Description = "Print the text as it is generated (greedy and sample, one sequence)" };
        var search = new SearchOptions();
        var json = new Option<bool>("--json") { Description = "Print one JSON object" };
        var cmd = new Command("generate", "Generate text from a trained model by greedy, beam, sampling or exact search.")
        {
            checkpoint, method, maxTokens, minTokens, stopAt, stopStrings, prompt, promptFile, numReturn, repetition, stream, json,
        };
        search.AddTo(cmd);
        cmd.SetAction(parse =>
        {
            var (model, _) = Checkpoint.LoadModel(parse.GetValue(checkpoint)!.FullName);
            var kind = model.Tokenizer.Kind;
            var decoding = parse.GetValue(method);
            bool Given(Option o) => parse.GetResult(o) is { Implicit: false };
            bool stepwise = decoding is DecodingMethod.Greedy or DecodingMethod.Sample;
            Option[] stepwiseOnly = [stopStrings, stream];
            if (!stepwise && (stepwiseOnly.FirstOrDefault(Given) is { } o || parse.GetValue(repetition) != 1 && (o = repetition) is not null))
                throw new InputException(o.Name, $"applies to --method greedy and sample (not {Choice<DecodingMethod>.Name(decoding)})");
            if (parse.GetValue(stream) && parse.GetValue(numReturn) > 1) throw new InputException("--stream", "prints one sequence; drop --count");
            if (parse.GetValue(stream) && parse.GetValue(json)) throw new InputException("--stream", "prints text as it comes; drop --json");
            if (Given(prompt) && Given(promptFile)) throw new InputException("--prompt-file", "give the prompt once: --prompt TEXT or --prompt-file FILE");
            string text = parse.GetValue(promptFile) is { } file ? ReadPrompt(file) : parse.GetValue(prompt)!;
            var stop = Given(stopAt) ? (parse.GetValue(stopAt) == "none" ? StopAt.None : StopAt.Separator) : kind == TokenizerKind.Word ? StopAt.Separator : StopAt.None;
            int length = Given(maxTokens) ? parse.GetValue(maxTokens) : kind switch { TokenizerKind.Char => 500, TokenizerKind.Bpe => 200, _ => 50 };
            var request = search.Read(parse, decoding, length, parse.GetValue(minTokens), parse.GetValue(numReturn), maxSequences: 1)
                with { RepetitionPenalty = parse.GetValue(repetition) };
            var settings = new Settings(stop, parse.GetValue(stopStrings) ?? [], parse.GetValue(stream), parse.GetValue(json));
            return Run(model, text, request, length, settings, parse.InvocationConfiguration.Output);
        });
        return cmd;
    }

    /// <summary>The largest --max-tokens: a page of text is a few thousand tokens.</summary>
    internal const int MaxTokens = 100_000;

    /// <summary>How sequences end and are shown.</summary>
    internal sealed record Settings(StopAt Stop, IReadOnlyList<string> StopStrings, bool Stream, bool Json);

    private static string ReadPrompt(string file)
    {
        return TextFile.Read(file).TrimEnd('\n');
    }

    internal static int Run(RnnLanguageModel model, string prompt, DecodeCommand.Request request, int length, Settings settings, TextWriter output)
    {
        var tokenizer = model.Tokenizer;
        int[] promptTokens = prompt.Length == 0 ? [] : tokenizer.Encode(prompt, endLines: false);
        ILanguageModel decoded = promptTokens.Length == 0 ? model : new PromptedModel(model, promptTokens);
        if (settings.Stop == StopAt.None) decoded = new RunOnModel(decoded);
        string separator = tokenizer.Kind == TokenizerKind.Word && prompt.Length > 0 && !prompt.EndsWith(' ') ? " " : "";
        var streamer = settings.Stream ? new Streamer(output, prompt, separator) : null;
        TokenCallback? onToken = settings.StopStrings.Count == 0 && streamer is null ? null : (row, tokens) =>
        {
            string soFar = tokenizer.Decode(tokens);
            streamer?.Show(soFar);
            return !settings.StopStrings.Any(s => soFar.Contains(s, StringComparison.Ordinal));
        };
        var result = DecodeCommand.Decode(decoded, "checkpoint", request with { Context = promptTokens, OnToken = onToken }, length);
        string Text(DecodedSequence s) => CutAtStop(s.Text(tokenizer), settings.StopStrings);
        if (streamer is not null)
        {
            if (result.Sequences.Count > 0) streamer.Show(Text(result.Sequences[0]), final: true);
            output.WriteLine();
            return ExitCodes.Success;
        }
        if (settings.Json)
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
                    ["logprob"] = (float)s.LogProbability,   // a sum of float32 log-probabilities: float32 is its precision
                    ["score"] = (float)s.Score,
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
            string why = s.Ends(model.EndToken) ? "" : settings.StopStrings.Any(text.Contains) ? " (stop string)" : " (length limit)";
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  log p = {s.LogProbability:F4}, score {s.Score:F4}, {s.Tokens.Length} tokens{why}"));
        }
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{result.ModelCalls} model calls, {result.Seconds:F3} s"));
        return ExitCodes.Success;
    }

    // The text up to and including the first stop string.
    private static string CutAtStop(string text, IReadOnlyList<string> stops)
    {
        int cut = text.Length;
        foreach (string s in stops)
        {
            int at = text.IndexOf(s, StringComparison.Ordinal);
            if (at >= 0) cut = Math.Min(cut, at + s.Length);
        }
        return text[..cut];
    }

    // Prints the prompt, then each newly decoded piece of the continuation (a trailing partial
    // UTF-8 character of a BPE model waits for its next byte).
    private sealed class Streamer
    {
        private readonly TextWriter _output;
        private int _shown;

        public Streamer(TextWriter output, string prompt, string separator)
        {
            _output = output;
            _output.Write(prompt + separator);
            _output.Flush();
        }

        public void Show(string soFar, bool final = false)
        {
            int ready = final ? soFar.Length : soFar.TrimEnd('\uFFFD').Length;
            if (ready <= _shown) return;
            _output.Write(soFar.AsSpan(_shown, ready - _shown));
            _output.Flush();
            _shown = ready;
        }
    }
}
