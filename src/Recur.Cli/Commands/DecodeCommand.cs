using System.CommandLine;
using System.Globalization;
using Recur.Decoding;
using Recur.Io;
using Recur.LanguageModels;
using Recur.Tensors;

namespace Recur.Cli.Commands;

/// <summary>
/// `recur decode --model FILE`: decodes an explicit model (design.md "The command line") with
/// exhaustive, Viterbi, greedy, beam, exact best-first search or sampling, and prints the
/// sequences with their log-probabilities and what the search cost.
/// </summary>
internal static class DecodeCommand
{
    private static readonly string[] Methods = ["exhaustive", "viterbi", "greedy", "beam", "exact", "sample"];

    public static Command Create()
    {
        var model = new Option<FileInfo>("--model") { Description = $"The model to decode: {LanguageModelFiles.Formats}", Required = true }.MustExist();
        var method = new Option<string>("--method") { Description = "exhaustive | viterbi | greedy | beam | exact | sample", DefaultValueFactory = _ => "beam" };
        method.AcceptOnlyFromAmong(Methods);
        var beam = new Option<int>("--beam") { Description = "Beam width B (beam)", DefaultValueFactory = _ => 4 }.AtLeast(1);
        var length = new Option<int>("--length") { Description = "Length limit T: the most tokens per sequence, the end token included", DefaultValueFactory = _ => 20 }.AtLeast(1);
        var minLength = new Option<int>("--min-length") { Description = "Tokens that must precede the end token", DefaultValueFactory = _ => 0 }.AtLeast(0);
        var kbest = new Option<int>("--kbest", "--num-return") { Description = "How many sequences: the K best (exhaustive, viterbi, exact, beam with K ≤ B) or K samples", DefaultValueFactory = _ => 1 }.AtLeast(1);
        var lengthPenalty = new Option<double>("--length-penalty") { Description = "Beam length-normalization exponent α (0 = none; > 0 favours longer sequences)", DefaultValueFactory = _ => 0.0 }.InRange(-100, 100);
        var lengthNorm = new Option<string>("--length-norm") { Description = "power: log p / len^α; gnmt: log p / ((5+len)/6)^α (len counts generated tokens, the end token included)", DefaultValueFactory = _ => "power" };
        lengthNorm.AcceptOnlyFromAmong("power", "gnmt");
        var stop = new Option<string>("--stop") { Description = "Beam stop rule: exact (no open beam can still win), first-k (B finished), heuristic (Hugging Face's default)", DefaultValueFactory = _ => "exact" };
        stop.AcceptOnlyFromAmong("exact", "first-k", "heuristic");
        var groups = new Option<int>("--groups") { Description = "Diverse beam search groups G (B must be a multiple)", DefaultValueFactory = _ => 1 }.AtLeast(1);
        var diversity = new Option<double>("--diversity") { Description = "Hamming diversity penalty λ between groups", DefaultValueFactory = _ => 0.0 }.InRange(0, 1e6);
        var noRepeat = new Option<int>("--no-repeat-ngram") { Description = "Ban repeating any n-gram of this size in a beam (0 = off)", DefaultValueFactory = _ => 0 }.AtLeast(0);
        var temperature = new Option<double>("--temperature") { Description = "Sampling temperature τ > 0", DefaultValueFactory = _ => 1.0 }.Positive();
        var topK = new Option<int>("--top-k") { Description = "Sample among the k most likely tokens (≤ 0 = off)", DefaultValueFactory = _ => 0 };
        var topP = new Option<double>("--top-p") { Description = "Sample within the smallest set of probability ≥ p (1 = off)", DefaultValueFactory = _ => 1.0 }.AboveAndAtMost(0, 1);
        var seed = new Option<ulong>("--seed") { Description = "Random seed for sampling", DefaultValueFactory = _ => 0UL };
        var maxNodes = new Option<long>("--max-nodes") { Description = "Exact search: give up after queuing this many prefixes", DefaultValueFactory = _ => 2_000_000L }.AtLeast(1);
        var maxSequences = new Option<long>("--max-sequences") { Description = "Exhaustive search: refuse when N^T exceeds this", DefaultValueFactory = _ => 10_000_000L }.AtLeast(1);
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of the table" };

        var cmd = new Command("decode", "Decode an explicit model (Markov chain or prefix tree) with exhaustive, Viterbi, greedy, beam, exact or sampling search.")
        {
            model, method, beam, length, minLength, kbest, lengthPenalty, lengthNorm, stop, groups, diversity, noRepeat,
            temperature, topK, topP, seed, maxNodes, maxSequences, json,
        };
        cmd.SetAction(parse =>
        {
            var request = new Request(parse.GetValue(method)!, parse.GetValue(beam), parse.GetValue(length), parse.GetValue(minLength), parse.GetValue(kbest),
                parse.GetValue(lengthPenalty), parse.GetValue(lengthNorm)!, parse.GetValue(stop)!, parse.GetValue(groups), parse.GetValue(diversity),
                parse.GetValue(noRepeat), parse.GetValue(temperature), parse.GetValue(topK), parse.GetValue(topP), parse.GetValue(seed),
                parse.GetValue(maxNodes), parse.GetValue(maxSequences));
            return Run(parse.GetValue(model)!.FullName, request, parse.GetValue(json), parse.InvocationConfiguration.Output);
        });
        return cmd;
    }

    /// <summary>The parsed options.</summary>
    internal sealed record Request(string Method, int Beam, int Length, int MinLength, int KBest, double LengthPenalty, string LengthNorm, string Stop,
        int Groups, double Diversity, int NoRepeatNgram, double Temperature, int TopK, double TopP, ulong Seed, long MaxNodes, long MaxSequences);

    internal static int Run(string path, Request q, bool json, TextWriter output)
    {
        var model = LanguageModelFiles.Load(path);
        var result = Decode(model, path, q);
        if (json) WriteJson(output, q.Method, model, result);
        else WriteTable(output, q, model, result);
        return ExitCodes.Success;
    }

    internal static DecodeResult Decode(ILanguageModel model, string path, Request q) => q.Method switch
    {
        "exhaustive" => Exhaustive.Search(model, new ExhaustiveOptions { MaxLength = q.Length, MinLength = q.MinLength, Count = q.KBest, MaxSequences = q.MaxSequences }),
        "viterbi" => Viterbi.Decode(Markov(model, path, q), new ViterbiOptions { MaxLength = q.Length, MinLength = q.MinLength, Count = q.KBest }),
        "greedy" => Greedy.Decode(model, new GreedyOptions { MaxLength = q.Length, MinLength = q.MinLength }),
        "beam" => BeamSearch.Decode(model, BeamOptions(q)),
        "exact" => BestFirst.Search(model, new BestFirstOptions { MaxLength = q.Length, MinLength = q.MinLength, Count = q.KBest, MaxNodes = q.MaxNodes }),
        "sample" => Sampler.Sample(model, new SamplingOptions { MaxLength = q.Length, MinLength = q.MinLength, Count = q.KBest, Temperature = q.Temperature, TopK = q.TopK, TopP = q.TopP }, new Rng(q.Seed)),
        _ => throw new InputException("--method", $"unknown method '{q.Method}'; choose one of {string.Join(", ", Methods)}"),
    };

    // Viterbi needs the Markov property (theory.md 2.2f); k-best needs a first-order model.
    private static IFiniteContextModel Markov(ILanguageModel model, string path, Request q)
    {
        if (model is not IFiniteContextModel markov)
            throw new InputException("--method viterbi", $"{Path.GetFileName(path)} is a {Describe(model)}, which is not Markov, so Viterbi does not apply (theory.md 2.2f); use --method exact for the exact answer");
        if (q.KBest > 1 && model is not MarkovModel)
            throw new InputException("--kbest", "k-best Viterbi needs a first-order Markov model; use --method exact --kbest K");
        return markov;
    }

    private static BeamSearchOptions BeamOptions(Request q)
    {
        if (q.Beam % q.Groups != 0) throw new InputException("--groups", $"the beam width {q.Beam} must be a multiple of the number of groups {q.Groups}");
        if (q.KBest > q.Beam) throw new InputException("--kbest", $"beam search returns at most B = {q.Beam} sequences (got {q.KBest}); raise --beam or lower --kbest");
        var norm = q.LengthPenalty == 0 ? LengthNormalization.None
            : q.LengthNorm == "gnmt" ? LengthNormalization.Gnmt(q.LengthPenalty) : LengthNormalization.Power(q.LengthPenalty);
        var rule = q.Stop switch { "first-k" => StopRule.FirstK, "heuristic" => StopRule.Heuristic, _ => StopRule.Exact };
        return new BeamSearchOptions
        {
            Width = q.Beam, MaxLength = q.Length, MinLength = q.MinLength, NumReturn = q.KBest, LengthNormalization = norm, StopRule = rule,
            Groups = q.Groups, DiversityStrength = q.Diversity, NoRepeatNgramSize = q.NoRepeatNgram,
        };
    }

    private static string Describe(ILanguageModel model) => model switch
    {
        MarkovModel => "Markov model",
        PrefixTreeModel => "prefix tree",
        _ => model.GetType().Name,
    };

    // The sequence's words without the end token.
    private static string Text(ILanguageModel model, DecodedSequence s)
    {
        var words = new List<string>(s.Tokens.Length);
        foreach (int t in s.Tokens)
            if (t != model.EndToken) words.Add(model.Vocabulary[t]);
        return string.Join(' ', words);
    }

    private static void WriteJson(TextWriter output, string method, ILanguageModel model, DecodeResult r)
    {
        var sequences = new List<Dictionary<string, object>>();
        foreach (var s in r.Sequences)
            sequences.Add(new Dictionary<string, object>
            {
                ["text"] = Text(model, s),
                ["tokens"] = s.Tokens.Select(t => model.Vocabulary[t]).ToArray(),
                ["logprob"] = s.LogProbability,
                ["score"] = s.Score,
                ["token_logprobs"] = s.TokenLogProbabilities.Select(x => (double)x).ToArray(),
            });
        JsonOutput.Write(output, new Dictionary<string, object>
        {
            ["method"] = method,
            ["sequences"] = sequences,
            ["model_calls"] = r.ModelCalls,
            ["seconds"] = r.Seconds,
            ["expanded"] = r.Expanded,
            ["model_seconds"] = r.ModelSeconds,
        });
    }

    private static void WriteTable(TextWriter output, Request q, ILanguageModel model, DecodeResult r)
    {
        var c = CultureInfo.InvariantCulture;
        string what = q.Method switch
        {
            "beam" => $"beam search, B = {q.Beam}" + (q.Groups > 1 ? $", {q.Groups} groups" : ""),
            "exact" => "exact best-first search",
            "sample" => $"sampling, seed {q.Seed}",
            _ => q.Method,
        };
        output.WriteLine($"{what}: {Describe(model)} of {model.Vocabulary.Count} tokens, length ≤ {q.Length}");
        if (r.Sequences.Count == 0) output.WriteLine("  no sequence has non-zero probability");
        else output.WriteLine(string.Format(c, "  {0,10}  {1,10}  {2}", "logprob", "score", "sequence"));
        foreach (var s in r.Sequences)
        {
            string text = Text(model, s);
            output.WriteLine(string.Format(c, "  {0,10:F4}  {1,10:F4}  {2}", s.LogProbability, s.Score, text.Length == 0 ? "(empty)" : text));
        }
        output.WriteLine(string.Format(c, "{0} model calls, {1} expanded, {2:F4} s (model {3:F4} s)", r.ModelCalls, r.Expanded, r.Seconds, r.ModelSeconds));
    }
}
