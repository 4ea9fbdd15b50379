using System.CommandLine;
using System.Globalization;
using Recur.LanguageModels.NGrams;
using Recur.LanguageModels.Rnn;
using Recur.LanguageModels.Scoring;
using Recur.Text;
using Recur.Training;

namespace Recur.Cli.Commands;

/// <summary>
/// `recur eval --checkpoint DIR --corpus FILE…`: how well a trained model predicts held-out
/// text (perplexity per token and per word, bits per character, &lt;unk&gt; counted and
/// reported), optionally mixed word by word with an ARPA n-gram model (docs/cli.md).
/// </summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var checkpoint = new Option<DirectoryInfo>("--checkpoint") { Description = "A `recur train` run folder", Required = true }.MustBeRunFolder();
        var corpus = new Option<FileInfo[]>("--corpus")
        {
            Description = "UTF-8 text to score, one sentence per line; several files are read as one stream",
            Required = true,
            AllowMultipleArgumentsPerToken = true,
        };
        var ngram = new Option<FileInfo>("--ngram") { Description = "An ARPA model over the same words to interpolate with: p = λ·p_rnn + (1 − λ)·p_ngram" }.MustExist();
        var lambda = new Option<string>("--lambda") { Description = "λ, the recurrent model's weight in [0, 1], or auto: chosen by EM on --dev" }.ShowsDefault(0.5);
        var dev = new Option<FileInfo>("--dev") { Description = "With --lambda auto: the development text λ is fitted on (never the evaluation text)" }.MustExist();
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of the table" };
        var cmd = new Command("eval", "Perplexity of a trained model on held-out text, alone or interpolated with an n-gram model.")
        {
            checkpoint, corpus, ngram, lambda, dev, json,
        };
        cmd.SetAction(parse =>
        {
            string dir = parse.GetValue(checkpoint)!.FullName;
            var files = parse.GetValue(corpus)!;
            string? arpa = parse.GetValue(ngram)?.FullName;
            string? lambdaText = parse.GetValue(lambda);
            string? devFile = parse.GetValue(dev)?.Input();
            if (arpa is null && (lambdaText is not null || devFile is not null))
                throw new InputException(lambdaText is not null ? "--lambda" : "--dev", "applies to interpolation: give --ngram ARPA");
            bool auto = lambdaText == "auto";
            if (auto && devFile is null) throw new InputException("--lambda", "auto fits λ on a development text: give --dev FILE");
            if (!auto && devFile is not null) throw new InputException("--dev", "is the text --lambda auto fits λ on; give --lambda auto with it");
            double fixedLambda = 0.5;
            if (lambdaText is not null && !auto &&
                !(double.TryParse(lambdaText, NumberStyles.Float, CultureInfo.InvariantCulture, out fixedLambda) && fixedLambda is >= 0 and <= 1))
                throw new InputException("--lambda", $"'{lambdaText}' is neither a number in [0, 1] nor auto");
            var (model, _) = Checkpoint.LoadModel(dir);
            var lines = files.SelectMany(f => ReadLines(f.Input())).ToList();
            var report = new Report(dir, string.Join(" ", files.Select(f => f.Name)), model, new RnnScorer(model).Evaluate(lines));
            if (arpa is not null)
            {
                var mix = new Interpolation(model, NGramModel.Load(arpa), dir, arpa);
                double chosen = auto ? FitLambda(mix, devFile!) : fixedLambda;
                report = report with { Mixed = Mixed(mix, lines, chosen, auto, arpa) };
            }
            if (parse.GetValue(json)) WriteJson(parse.InvocationConfiguration.Output, report);
            else WriteTable(parse.InvocationConfiguration.Output, report);
            return ExitCodes.Success;
        });
        return cmd;
    }

    /// <summary>The lines of a text file (without a final empty line after the last newline).</summary>
    internal static IEnumerable<string> ReadLines(string path)
    {
        string text = TextFile.Read(path);
        var lines = text.Split('\n');
        return text.EndsWith('\n') ? lines[..^1] : lines;
    }

    private static double FitLambda(Interpolation mix, string dev)
    {
        var (_, rnn, ngram) = mix.Score([.. ReadLines(dev)]);
        return Interpolation.BestLambda(rnn, ngram);
    }

    private static MixedScore Mixed(Interpolation mix, IReadOnlyList<string> lines, double lambda, bool fitted, string arpa)
    {
        var (words, rnn, ngram) = mix.Score(lines);
        double mixed = 0, alone = 0;
        for (int i = 0; i < words.Length; i++)
        {
            mixed += Interpolation.Mix(rnn[i], ngram[i], lambda);
            alone += ngram[i];
        }
        return new MixedScore(arpa, lambda, fitted, words.Length, Math.Exp(-mixed / words.Length), Math.Exp(-alone / words.Length));
    }

    private sealed record MixedScore(string Arpa, double Lambda, bool Fitted, long Tokens, double Perplexity, double NGramPerplexity);

    private sealed record Report(string Checkpoint, string Corpus, RnnLanguageModel Model, TextScore Score)
    {
        public MixedScore? Mixed { get; init; }
    }

    private static void WriteTable(TextWriter output, Report r)
    {
        var s = r.Score;
        var c = CultureInfo.InvariantCulture;
        var t = r.Model.Tokenizer;
        output.WriteLine(string.Create(c, $"{r.Checkpoint} ({Choice<TokenizerKind>.Name(t.Kind)} model, {t.Vocabulary.Count:N0} tokens) on {r.Corpus}:"));
        output.WriteLine(string.Create(c, $"  {s.Tokens:N0} tokens in {s.Sentences:N0} sentences, {s.Words:N0} words, {s.Characters:N0} characters"));
        output.WriteLine(string.Create(c, $"  perplexity per token   {s.Perplexity,10:F2}   (<unk> counted: {s.Unknown:N0} tokens)"));
        if (t.Kind == TokenizerKind.Word) output.WriteLine(string.Create(c, $"  without <unk>          {s.PerplexityWithoutUnknown,10:F2}"));
        if (t.Kind != TokenizerKind.Word) output.WriteLine(string.Create(c, $"  perplexity per word    {s.PerplexityPerWord,10:F2}"));
        output.WriteLine(string.Create(c, $"  bits per character     {s.BitsPerCharacter,10:F4}"));
        if (r.Mixed is { } m)
        {
            output.WriteLine(string.Create(c, $"interpolated with {m.Arpa}, λ = {m.Lambda:F4}{(m.Fitted ? " (EM on the development text)" : "")}:"));
            output.WriteLine(string.Create(c, $"  perplexity per token   {m.Perplexity,10:F2}   (n-gram alone {m.NGramPerplexity:F2})"));
        }
    }

    private static void WriteJson(TextWriter output, Report r)
    {
        var s = r.Score;
        var json = new Dictionary<string, object?>
        {
            ["checkpoint"] = r.Checkpoint,
            ["tokenizer"] = Choice<TokenizerKind>.Name(r.Model.Tokenizer.Kind),
            ["sentences"] = s.Sentences,
            ["tokens"] = s.Tokens,
            ["words"] = s.Words,
            ["characters"] = s.Characters,
            ["unk"] = s.Unknown,
            ["log_prob"] = s.LogProbability,
            ["perplexity"] = s.Perplexity,
            ["perplexity_per_word"] = s.PerplexityPerWord,
            ["perplexity_without_unk"] = s.PerplexityWithoutUnknown,
            ["bits_per_char"] = s.BitsPerCharacter,
        };
        if (r.Mixed is { } m)
            json["interpolated"] = new Dictionary<string, object>
            {
                ["ngram"] = m.Arpa,
                ["lambda"] = m.Lambda,
                ["lambda_fitted"] = m.Fitted,
                ["tokens"] = m.Tokens,
                ["perplexity"] = m.Perplexity,
                ["ngram_perplexity"] = m.NGramPerplexity,
            };
        JsonOutput.Write(output, json);
    }
}
