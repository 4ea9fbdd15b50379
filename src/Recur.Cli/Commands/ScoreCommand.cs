using System.CommandLine;
using System.Globalization;
using System.Text;
using Recur.Formats;
using Recur.LanguageModels.NGrams;
using Recur.LanguageModels.Scoring;
using Recur.Training;

namespace Recur.Cli.Commands;

/// <summary>
/// `recur score` (as KenLM's query): the log-probability of every token and sentence of a
/// text under a checkpoint, an ARPA model, or both interpolated; or, with --nbest, a Moses
/// n-best list re-ranked by the language-model score added with a weight (docs/cli.md).
/// </summary>
internal static class ScoreCommand
{
    private static readonly double Ln10 = Math.Log(10);

    public static Command Create()
    {
        var checkpoint = new Option<DirectoryInfo>("--checkpoint") { Description = "A `recur train` run folder" }.MustBeRunFolder();
        var ngram = new Option<FileInfo>("--ngram") { Description = "An ARPA model (with --checkpoint: interpolated word by word)" }.MustExist();
        var lambda = new Option<double>("--lambda") { Description = "With both models: the checkpoint's weight λ in p = λ·p_rnn + (1 − λ)·p_ngram", DefaultValueFactory = _ => 0.5 }.InRange(0, 1);
        var files = new Argument<string[]>("FILE") { Description = "Text to score, one sentence per line (- or none: standard input)", Arity = ArgumentArity.ZeroOrMore };
        var nbest = new Option<FileInfo>("--nbest") { Description = "A Moses n-best list (id ||| hypothesis ||| features ||| score) to re-rank instead of scoring text" }.MustExist();
        var weight = new Option<double>("--weight") { Description = "With --nbest: the language model's weight; each score gains weight × ln p(hypothesis)", DefaultValueFactory = _ => 1.0 }.InRange(-1e6, 1e6);
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of the text view" };
        var cmd = new Command("score", "Log-probabilities of each token and sentence of a text under a model (as KenLM's query), or re-rank a Moses n-best list.")
        {
            checkpoint, ngram, lambda, nbest, weight, json, files,
        };
        cmd.SetAction(parse =>
        {
            var scorer = Scorer(parse.GetValue(checkpoint)?.FullName, parse.GetValue(ngram)?.FullName, parse.GetValue(lambda), parse.GetResult(lambda) is { Implicit: false });
            var output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(nbest) is { } list)
            {
                if (parse.GetValue(files) is { Length: > 0 }) throw new InputException("--nbest", "re-ranks its own file; give no text files with it");
                return Rerank(list.FullName, scorer, parse.GetValue(weight), output);
            }
            var lines = (parse.GetValue(files) is { Length: > 0 } names ? names : ["-"]).SelectMany(ReadLines).ToList();
            var sentences = scorer(lines);
            if (parse.GetValue(json)) WriteJson(output, sentences);
            else WriteText(output, sentences);
            return ExitCodes.Success;
        });
        return cmd;
    }

    /// <summary>One scored sentence: its tokens as the model sees them, ln p of each, and which were unknown.</summary>
    private sealed record Sentence(string[] Tokens, double[] LogProbs, bool[] Unknown)
    {
        public double Total => LogProbs.Sum();
    }

    // A function scoring lines, for the model(s) given.
    private static Func<IReadOnlyList<string>, List<Sentence>> Scorer(string? checkpoint, string? arpa, double lambda, bool lambdaGiven)
    {
        if (checkpoint is null && arpa is null) throw new InputException("score", "give a model: --checkpoint DIR, --ngram ARPA, or both to interpolate them");
        if (lambdaGiven && (checkpoint is null || arpa is null)) throw new InputException("--lambda", "weights two interpolated models: give both --checkpoint and --ngram");
        if (arpa is not null && checkpoint is null)
        {
            var ngram = NGramModel.Load(arpa);
            return lines => lines.Select(line => NGramSentence(ngram, line)).Where(s => s.Tokens.Length > 0).ToList();
        }
        var (model, _) = Checkpoint.LoadModel(checkpoint!);
        if (arpa is null)
        {
            var rnn = new RnnScorer(model);
            var vocabulary = model.Tokenizer.Vocabulary;
            int unknown = model.Tokenizer.UnknownToken;
            return lines => rnn.ScoreLines(lines).Where(s => s.Tokens.Length > 0)
                .Select(s => new Sentence(s.Tokens.Select(t => TokenText(vocabulary[t])).ToArray(), s.LogProbs.Select(x => (double)x).ToArray(),
                    s.Tokens.Select(t => t == unknown).ToArray()))
                .ToList();
        }
        var mix = new Interpolation(model, NGramModel.Load(arpa), checkpoint!, arpa);
        return lines =>
        {
            var (words, rnn, ngram) = mix.Score(lines);
            var result = new List<Sentence>();
            int start = 0;
            for (int i = 0; i < words.Length; i++)
                if (words[i] == Text.Tokenizer.EndOfLine)
                {
                    var range = start..(i + 1);
                    var lps = Enumerable.Range(start, i + 1 - start).Select(k => Interpolation.Mix(rnn[k], ngram[k], lambda)).ToArray();
                    result.Add(new Sentence(words[range], lps, words[range].Select(w => w == Text.Tokenizer.Unknown).ToArray()));
                    start = i + 1;
                }
            return result;
        };
    }

    private static Sentence NGramSentence(NGramModel model, string line)
    {
        var words = Text.SentenceCorpus.Tokenize(line);
        if (words.Length == 0) return new Sentence([], [], []);
        var state = model.BeginSentenceState;
        var tokens = new string[words.Length + 1];
        var lps = new double[words.Length + 1];
        var unknown = new bool[words.Length + 1];
        for (int i = 0; i <= words.Length; i++)
        {
            tokens[i] = i < words.Length ? words[i] : NGramModel.EndSentence;
            var s = model.Score(state, tokens[i], out var next);
            state = next;
            lps[i] = s.LogProbability;
            unknown[i] = s.IsOov;
        }
        return new Sentence(tokens, lps, unknown);
    }

    // A token as printed: BPE byte symbols and control characters are shown escaped.
    private static string TokenText(string token) => token switch
    {
        "\n" => "\\n",
        "\t" => "\\t",
        _ => token,
    };

    private static IEnumerable<string> ReadLines(string path) =>
        path == "-" ? ReadStandardInput() : EvalCommand.ReadLines(path);

    private static IEnumerable<string> ReadStandardInput()
    {
        using var reader = new StreamReader(Console.OpenStandardInput(), new UTF8Encoding(false, throwOnInvalidBytes: true));
        string? line;
        while ((line = reader.ReadLine()) is not null) yield return line;
    }

    private static int Rerank(string path, Func<IReadOnlyList<string>, List<Sentence>> scorer, double weight, TextWriter output)
    {
        var entries = new List<MosesNBestEntry>();
        int number = 0;
        foreach (string line in EvalCommand.ReadLines(path))
        {
            number++;
            if (line.Trim().Length > 0) entries.Add(MosesNBestEntry.Parse(line, path, number));
        }
        foreach (var group in entries.GroupBy(e => e.Id))
        {
            var reranked = group.Select(e =>
            {
                // Each hypothesis is scored on its own, from the model's start state.
                double lm = scorer([e.Hypothesis]).Sum(s => s.Total);
                string features = string.Create(CultureInfo.InvariantCulture, $"{e.Features} RecurLM= {lm:0.0#####}").Trim();
                return e with { Features = features, Score = e.Score + weight * lm };
            }).OrderByDescending(e => e.Score);
            foreach (var e in reranked) output.WriteLine(e);
        }
        return ExitCodes.Success;
    }

    private static void WriteText(TextWriter output, List<Sentence> sentences)
    {
        var c = CultureInfo.InvariantCulture;
        double total = 0;
        long tokens = 0, unknown = 0;
        foreach (var s in sentences)
        {
            var line = new StringBuilder();
            for (int i = 0; i < s.Tokens.Length; i++)
                line.Append(string.Create(c, $"{s.Tokens[i]}{(s.Unknown[i] ? "=<unk>" : "")} {s.LogProbs[i] / Ln10:F4}  "));
            output.WriteLine(string.Create(c, $"{line}\tTotal: log10 {s.Total / Ln10:F4} ln {s.Total:F4} unk: {s.Unknown.Count(u => u)}"));
            total += s.Total;
            tokens += s.Tokens.Length;
            unknown += s.Unknown.Count(u => u);
        }
        output.WriteLine(string.Create(c, $"{sentences.Count} sentences, {tokens} tokens ({unknown} unknown): log10 {total / Ln10:F4}, perplexity {Math.Exp(-total / Math.Max(1, tokens)):F2}"));
    }

    private static void WriteJson(TextWriter output, List<Sentence> sentences)
    {
        double total = sentences.Sum(s => s.Total);
        long tokens = sentences.Sum(s => (long)s.Tokens.Length);
        JsonOutput.Write(output, new Dictionary<string, object>
        {
            ["sentences"] = sentences.Select(s => new Dictionary<string, object>
            {
                ["tokens"] = s.Tokens.Select((t, i) => new Dictionary<string, object>
                {
                    ["token"] = t,
                    ["log10"] = (float)(s.LogProbs[i] / Ln10),   // single precision is what the models give
                    ["ln"] = (float)s.LogProbs[i],
                    ["unk"] = s.Unknown[i],
                }).ToArray(),
                ["log10"] = s.Total / Ln10,
                ["ln"] = s.Total,
            }).ToArray(),
            ["tokens"] = tokens,
            ["log10"] = total / Ln10,
            ["ln"] = total,
            ["perplexity"] = tokens > 0 ? Math.Exp(-total / tokens) : double.NaN,
        });
    }
}
