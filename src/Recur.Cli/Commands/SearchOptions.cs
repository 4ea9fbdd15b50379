using System.CommandLine;
using Recur.Decoding;

namespace Recur.Cli.Commands;

/// <summary>
/// The search settings `recur decode` and `recur generate` share (beam, length normalization,
/// stop rule, diverse groups, n-gram blocking, sampling, the exact search's budget): declared
/// once so that the two commands cannot drift apart.
/// </summary>
internal sealed class SearchOptions
{
    private readonly Option<int> _beam = new Option<int>("--beam") { Description = "Beam width B (beam)", DefaultValueFactory = _ => 4 }.AtLeast(1);
    private readonly Option<double> _lengthPenalty = new Option<double>("--length-penalty") { Description = "Beam length-normalization exponent α (0 = none; > 0 favours longer sequences)", DefaultValueFactory = _ => 0.0 }.InRange(-100, 100);
    private readonly Option<LengthNormalizationKind> _lengthNorm = ChoiceOption.Create("--length-norm", "power: log p / len^α; gnmt: log p / ((5+len)/6)^α (len counts generated tokens, the end token included); none: log p", LengthNormalizationKind.Power);
    private readonly Option<StopRule> _stop = ChoiceOption.Create("--stop", "Beam stop rule: exact (no open beam can still win), first-k (B finished), heuristic (Hugging Face's default)", StopRule.Exact);
    private readonly Option<int> _groups = new Option<int>("--groups") { Description = "Diverse beam search groups G (B must be a multiple)", DefaultValueFactory = _ => 1 }.AtLeast(1);
    private readonly Option<double> _diversity = new Option<double>("--diversity") { Description = "Hamming diversity penalty λ between groups", DefaultValueFactory = _ => 0.0 }.InRange(0, 1e6);
    private readonly Option<int> _noRepeat = new Option<int>("--no-repeat-ngram") { Description = "Ban repeating any n-gram of this size in a beam (0 = off)", DefaultValueFactory = _ => 0 }.AtLeast(0);
    private readonly Option<double> _temperature = new Option<double>("--temperature") { Description = "Sampling temperature τ > 0", DefaultValueFactory = _ => 1.0 }.Positive();
    private readonly Option<int> _topK = new("--top-k") { Description = "Sample among the k most likely tokens (≤ 0 = off)", DefaultValueFactory = _ => 0 };
    private readonly Option<double> _topP = new Option<double>("--top-p") { Description = "Sample within the smallest set of probability ≥ p (1 = off)", DefaultValueFactory = _ => 1.0 }.AboveAndAtMost(0, 1);
    private readonly Option<ulong> _seed = new("--seed") { Description = "Random seed for sampling", DefaultValueFactory = _ => 0UL };
    private readonly Option<long> _maxNodes = new Option<long>("--max-nodes") { Description = "Exact search: give up after queuing this many prefixes", DefaultValueFactory = _ => 2_000_000L }.AtLeast(1);

    /// <summary>Adds the shared options to <paramref name="command"/>.</summary>
    public void AddTo(Command command)
    {
        Option[] all = [_beam, _lengthPenalty, _lengthNorm, _stop, _groups, _diversity, _noRepeat, _temperature, _topK, _topP, _seed, _maxNodes];
        foreach (var option in all) command.Options.Add(option);
    }

    /// <summary>The request for <paramref name="method"/> with the command's own length, count and exhaustive-search settings.</summary>
    public DecodeCommand.Request Read(ParseResult parse, DecodingMethod method, int? length, int minLength, int count, long maxSequences) =>
        new(method, parse.GetValue(_beam), length, minLength, count, parse.GetValue(_lengthPenalty), parse.GetValue(_lengthNorm),
            parse.GetValue(_stop), parse.GetValue(_groups), parse.GetValue(_diversity), parse.GetValue(_noRepeat),
            parse.GetValue(_temperature), parse.GetValue(_topK), parse.GetValue(_topP), parse.GetValue(_seed),
            parse.GetValue(_maxNodes), maxSequences);
}
