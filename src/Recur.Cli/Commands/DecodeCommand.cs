using System.CommandLine;
using System.Globalization;
using Recur.Decoding;
using Recur.LanguageModels;
using Recur.LanguageModels.Files;
using Recur.LanguageModels.Markov;
using Recur.LanguageModels.NGrams;
using Recur.LanguageModels.PrefixTrees;
using Recur.Tensors;

namespace Recur.Cli.Commands;

/// <summary>
/// `recur decode --model FILE`: decodes an explicit model (docs/cli.md) with
/// exhaustive, Viterbi, greedy, beam, exact best-first search or sampling, and prints the
/// sequences with their log-probabilities and what the search cost.
/// </summary>
internal static class DecodeCommand
{
    public static Command Create()
    {
        var model = new Option<FileInfo>("--model") { Description = $"The model to decode: {LanguageModelFiles.Formats}", Required = true }.MustExist();
        var method = ChoiceOption.Create("--method", "The search", DecodingMethod.Beam);
        var length = new Option<int>("--length") { Description = "Length limit T: the most tokens per sequence, the end token included (for a prefix tree, at most its longest sequence)", DefaultValueFactory = _ => DefaultLength }.AtLeast(1);
        var minLength = new Option<int>("--min-length") { Description = "Tokens that must precede the end token", DefaultValueFactory = _ => 0 }.AtLeast(0);
        var kbest = new Option<int>("--count", "--kbest", "--num-return") { Description = "How many sequences: the K best (exhaustive, viterbi, exact, beam with K ≤ B) or K samples", DefaultValueFactory = _ => 1 }.AtLeast(1);
        var maxSequences = new Option<long>("--max-sequences") { Description = "Exhaustive search: refuse when N^T exceeds this", DefaultValueFactory = _ => 10_000_000L }.AtLeast(1);
        var search = new SearchOptions();
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of the table" };

        var cmd = new Command("decode", "Decode an explicit model (Markov chain or prefix tree) with exhaustive, Viterbi, greedy, beam, exact or sampling search.")
        {
            model, method, length, minLength, kbest, maxSequences, json,
        };
        search.AddTo(cmd);
        cmd.SetAction(parse =>
        {
            int? explicitLength = parse.GetResult(length) is { Implicit: false } ? parse.GetValue(length) : null;
            var request = search.Read(parse, parse.GetValue(method), explicitLength, parse.GetValue(minLength), parse.GetValue(kbest), parse.GetValue(maxSequences));
            return Run(parse.GetValue(model)!.FullName, request, parse.GetValue(json), parse.InvocationConfiguration.Output);
        });
        return cmd;
    }

    /// <summary>The parsed options.</summary>
    internal sealed record Request(DecodingMethod Method, int Beam, int? Length, int MinLength, int KBest, double LengthPenalty, LengthNormalizationKind LengthNorm, StopRule Stop,
        int Groups, double Diversity, int NoRepeatNgram, double Temperature, int TopK, double TopP, ulong Seed, long MaxNodes, long MaxSequences)
    {
        /// <summary>Greedy and sampling: θ of the repetition penalty (1 = off).</summary>
        public double RepetitionPenalty { get; init; } = 1;

        /// <summary>Greedy and sampling: tokens before the sequence (a prompt) the penalty counts.</summary>
        public IReadOnlyList<int> Context { get; init; } = [];

        /// <summary>Greedy and sampling: called after every token; false ends the sequence.</summary>
        public TokenCallback? OnToken { get; init; }
    }

    private const int DefaultLength = 20;

    internal static int Run(string path, Request request, bool json, TextWriter output)
    {
        var model = LanguageModelFiles.Load(path);
        // Every sequence of a tree ends by its longest one, so that is its natural limit.
        int length = request.Length ?? (model is PrefixTreeModel tree ? Math.Min(DefaultLength, tree.LongestSequence) : DefaultLength);
        var result = Decode(model, path, request, length);
        if (json) WriteJson(output, request.Method, model, result);
        else WriteTable(output, request, length, model, result);
        return ExitCodes.Success;
    }

    internal static DecodeResult Decode(ILanguageModel model, string path, Request q, int length) => q.Method switch
    {
        DecodingMethod.Exhaustive => Exhaustive.Search(model, new ExhaustiveOptions { MaxLength = length, MinLength = q.MinLength, Count = q.KBest, MaxSequences = q.MaxSequences }),
        DecodingMethod.Viterbi => Viterbi.Decode(FiniteContext(model, path, q), new ViterbiOptions { MaxLength = length, MinLength = q.MinLength, Count = q.KBest }),
        DecodingMethod.Greedy => Greedy.Decode(model, new GreedyOptions
        {
            MaxLength = length, MinLength = q.MinLength, RepetitionPenalty = q.RepetitionPenalty, Context = q.Context, OnToken = q.OnToken,
        }),
        DecodingMethod.Beam => BeamSearch.Decode(model, BeamOptions(q, length)),
        DecodingMethod.Exact => BestFirst.Search(model, new BestFirstOptions { MaxLength = length, MinLength = q.MinLength, Count = q.KBest, MaxNodes = q.MaxNodes }),
        DecodingMethod.Sample => Sampler.Sample(model, new SamplingOptions
        {
            MaxLength = length, MinLength = q.MinLength, Count = q.KBest, Temperature = q.Temperature, TopK = q.TopK, TopP = q.TopP,
            RepetitionPenalty = q.RepetitionPenalty, Context = q.Context, OnToken = q.OnToken,
        }, new Rng(q.Seed)),
        _ => throw new ArgumentOutOfRangeException(nameof(q), q.Method, "Not a decoding method."),
    };

    // Viterbi needs the Markov property (docs/theory.md 2.2f); k-best needs a first-order model.
    private static IFiniteContextModel FiniteContext(ILanguageModel model, string path, Request q)
    {
        if (model is not IFiniteContextModel markov)
            throw new InputException("--method viterbi", $"{Path.GetFileName(path)} is a {Describe(model)}, which is not Markov, so Viterbi does not apply (docs/theory.md 2.2f); use --method exact for the exact answer");
        if (q.KBest > 1 && model is not IFirstOrderModel)
            throw new InputException("--count", "k-best Viterbi needs a first-order Markov model; use --method exact --count K");
        return markov;
    }

    private static BeamSearchOptions BeamOptions(Request q, int length)
    {
        if (q.Beam % q.Groups != 0) throw new InputException("--groups", $"the beam width {q.Beam} must be a multiple of the number of groups {q.Groups}");
        if (q.KBest > q.Beam) throw new InputException("--count", $"beam search returns at most B = {q.Beam} sequences (got {q.KBest}); raise --beam or lower --count");
        var norm = q.LengthPenalty == 0 ? LengthNormalization.None : q.LengthNorm switch
        {
            LengthNormalizationKind.Gnmt => LengthNormalization.Gnmt(q.LengthPenalty),
            LengthNormalizationKind.Power => LengthNormalization.Power(q.LengthPenalty),
            _ => LengthNormalization.None,
        };
        return new BeamSearchOptions
        {
            Width = q.Beam, MaxLength = length, MinLength = q.MinLength, Count = q.KBest, LengthNormalization = norm, StopRule = q.Stop,
            Groups = q.Groups, DiversityStrength = q.Diversity, NoRepeatNgramSize = q.NoRepeatNgram,
        };
    }

    private static string Describe(ILanguageModel model) => model switch
    {
        MarkovModel => "Markov model",
        PrefixTreeModel => "prefix tree",
        NGramModel n => $"order-{n.Order} n-gram model",
        _ => model.GetType().Name,
    };

    // The sequence's words without the end token.
    private static void WriteJson(TextWriter output, DecodingMethod method, ILanguageModel model, DecodeResult r)
    {
        var sequences = new List<Dictionary<string, object>>();
        foreach (var s in r.Sequences)
            sequences.Add(new Dictionary<string, object>
            {
                ["text"] = s.Words(model),
                ["tokens"] = s.Tokens.Select(t => model.Vocabulary[t]).ToArray(),
                ["logprob"] = (float)s.LogProbability,   // a sum of float32 log-probabilities: float32 is its precision
                ["score"] = (float)s.Score,
                ["token_logprobs"] = s.TokenLogProbabilities,   // float32, printed as float32 (-9.3, not -9.299999952316284)
            });
        JsonOutput.Write(output, new Dictionary<string, object>
        {
            ["method"] = Choice<DecodingMethod>.Name(method),
            ["sequences"] = sequences,
            ["model_calls"] = r.ModelCalls,
            ["seconds"] = r.Seconds,
            ["expanded"] = r.Expanded,
            ["model_seconds"] = r.ModelSeconds,
        });
    }

    private static void WriteTable(TextWriter output, Request q, int length, ILanguageModel model, DecodeResult r)
    {
        var c = CultureInfo.InvariantCulture;
        string what = q.Method switch
        {
            DecodingMethod.Beam => $"beam search, B = {q.Beam}" + (q.Groups > 1 ? $", {q.Groups} groups" : ""),
            DecodingMethod.Exact => "exact best-first search",
            DecodingMethod.Sample => $"sampling, seed {q.Seed}",
            _ => Choice<DecodingMethod>.Name(q.Method),
        };
        output.WriteLine($"{what}: {Describe(model)} of {model.Vocabulary.Count} tokens, length ≤ {length}");
        if (r.Sequences.Count == 0) output.WriteLine("  no sequence has non-zero probability");
        else output.WriteLine(string.Format(c, "  {0,10}  {1,10}  {2}", "logprob", "score", "sequence"));
        foreach (var s in r.Sequences)
        {
            string text = s.Words(model);
            output.WriteLine(string.Format(c, "  {0,10:F4}  {1,10:F4}  {2}", s.LogProbability, s.Score, text.Length == 0 ? "(empty)" : text));
        }
        output.WriteLine(string.Format(c, "{0} model calls, {1} expanded, {2:F4} s (model {3:F4} s)", r.ModelCalls, r.Expanded, r.Seconds, r.ModelSeconds));
    }
}
