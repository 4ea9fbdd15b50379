using System.CommandLine;
using System.Diagnostics;
using Recur.Formats;
using System.Globalization;
using Recur.LanguageModels.NGrams;
using Recur.Text;

namespace Recur.Cli.Commands;

/// <summary>
/// `recur ngram train` (interpolated modified Kneser-Ney → ARPA) and `recur ngram eval`
/// (perplexity of an ARPA model on a corpus), docs/cli.md.
/// </summary>
internal static class NGramCommand
{
    public static Command Create()
    {
        var command = new Command("ngram", "Train and evaluate back-off n-gram language models (ARPA files).");
        command.Subcommands.Add(CreateTrain());
        command.Subcommands.Add(CreateEval());
        return command;
    }

    private static Option<FileInfo[]> Corpus() =>
        new Option<FileInfo[]>("--corpus")
        {
            Description = "UTF-8 text, one sentence per line, words separated by whitespace: one or more files (read one after the other; gzip read as it is), or - for standard input.",
            Required = true,
            Arity = ArgumentArity.OneOrMore,
            AllowMultipleArgumentsPerToken = true,
        };

    private static Command CreateTrain()
    {
        var corpus = Corpus();
        var order = new Option<int>("--order") { Description = $"The order N (longest n-gram), 1 to {NGramModel.MaxOrder}.", DefaultValueFactory = _ => 3 }.AtLeast(1);
        order.Validators.Add(r =>
        {
            if (r.Tokens.Count > 0 && int.TryParse(r.Tokens[^1].Value, out int n) && n > NGramModel.MaxOrder)
                r.AddError($"--order must be at most {NGramModel.MaxOrder} (got {n})");
        });
        var output = new Option<FileInfo>("--out") { Description = "The ARPA file to write.", Required = true };
        var fallback = new Option<double[]>("--discount-fallback")
        {
            Description = "Discounts D1 D2 D3+ for orders whose closed-form Kneser-Ney discounts fail (as KenLM; no value: 0.5 1 1.5; fewer than three: the last repeats). Off by default: such corpora are an error.",
            Arity = ArgumentArity.ZeroOrMore,
            AllowMultipleArgumentsPerToken = true,
        };
        var interpolate = new Option<bool>("--interpolate-unigrams")
        {
            Description = "Interpolate unigrams with the uniform distribution (KenLM's default); false gives the leftover unigram mass to <unk> (SRILM).",
            DefaultValueFactory = _ => true,
        };
        var kenlmBos = new Option<bool>("--kenlm-bos") { Description = "Write <s>'s unigram log-probability as 0 (KenLM) instead of -99 (SRILM)." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of the human view." };

        var command = new Command("train", "Train an interpolated modified Kneser-Ney model (Chen & Goodman 1998) and write it as ARPA.")
        {
            corpus, order, output, fallback, interpolate, kenlmBos, json,
        };
        command.SetAction(parse =>
        {
            KneserNeyDiscount? discount = parse.GetResult(fallback) is null ? null : Fallback(parse.GetValue(fallback) ?? []);
            var options = new KneserNeyOptions { Order = parse.GetValue(order), DiscountFallback = discount, InterpolateUnigrams = parse.GetValue(interpolate) };
            string[] inputs = [.. parse.GetValue(corpus)!.Select(f => f.Input())];
            OutputPaths.MustNotBeAnInput("--out", parse.GetValue(output)!.FullName, inputs);
            return Train(inputs, parse.GetValue(output)!.FullName, options, parse.GetValue(kenlmBos), parse.GetValue(json),
                parse.InvocationConfiguration.Output);
        });
        return command;
    }

    private static Command CreateEval()
    {
        var model = new Option<FileInfo>("--model") { Description = "An ARPA file.", Required = true }.MustExist();
        var corpus = Corpus();
        var lenient = new Option<bool>("--lenient") { Description = "Read the ARPA file as KenLM/SRILM tolerate (warnings on stderr) instead of strictly." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of the human view." };
        var command = new Command("eval", "Perplexity of an ARPA model on a corpus (</s> counted, <s> not, OOVs excluded, as SRILM and KenLM).")
        {
            model, corpus, lenient, json,
        };
        command.SetAction(parse => Eval(parse.GetValue(model)!.FullName, [.. parse.GetValue(corpus)!.Select(f => f.Input())], parse.GetValue(lenient), parse.GetValue(json),
            parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error));
        return command;
    }

    /// <summary>KenLM's rule: up to three values; missing ones repeat the last; none gives 0.5 1 1.5.</summary>
    private static KneserNeyDiscount Fallback(double[] values)
    {
        if (values.Length == 0) return KneserNeyDiscount.KenLmFallback;
        if (values.Length > 3) throw new InputException("--discount-fallback", $"takes at most three discounts (D1 D2 D3+), got {values.Length}");
        double At(int i) => values[Math.Min(i, values.Length - 1)];
        try
        {
            return new KneserNeyOptions { DiscountFallback = new KneserNeyDiscount(At(0), At(1), At(2)) }.DiscountFallback!.Value;
        }
        catch (ArgumentOutOfRangeException)
        {
            throw new InputException("--discount-fallback", $"D1 D2 D3+ = {string.Join(' ', values.Select(Format))} must satisfy 0 < Dk ≤ k");
        }
    }

    private static int Train(string[] corpusPaths, string outPath, KneserNeyOptions options, bool kenlmBos, bool json, TextWriter stdout)
    {
        var clock = Stopwatch.StartNew();
        var sentences = corpusPaths.SelectMany(SentenceCorpus.Read).ToList();
        KneserNeyResult result = KneserNeyTrainer.Train(sentences, options, string.Join(" + ", corpusPaths.Select(InputFile.Name)));
        result.Model.Save(outPath, new ArpaWriteOptions { KenLmBeginSentence = kenlmBos });
        double seconds = clock.Elapsed.TotalSeconds;

        if (json)
        {
            JsonOutput.Write(stdout, new Dictionary<string, object>
            {
                ["out"] = outPath,
                ["order"] = options.Order,
                ["sentences"] = result.Sentences,
                ["words"] = result.Words,
                ["vocabulary"] = result.Model.Vocabulary.Count,
                ["ngrams"] = result.Orders.Select(o => o.NGrams).ToArray(),
                ["discounts"] = result.Orders.Select(o => new Dictionary<string, object>
                {
                    ["order"] = o.Order, ["d1"] = o.Discount.D1, ["d2"] = o.Discount.D2, ["d3plus"] = o.Discount.D3Plus,
                    ["n1"] = o.N1, ["n2"] = o.N2, ["n3"] = o.N3, ["n4"] = o.N4, ["fallback"] = o.UsedFallback,
                }).ToArray(),
                ["seconds"] = seconds,
            });
            return ExitCodes.Success;
        }
        stdout.WriteLine($"wrote {outPath}: order {options.Order}, vocabulary {result.Model.Vocabulary.Count} (with <unk> <s> </s>), {result.Sentences} sentences, {result.Words} words, {seconds:F2} s");
        stdout.WriteLine("order  n-grams      n1      n2      n3      n4        D1       D2      D3+");
        foreach (KneserNeyOrderStatistics o in result.Orders)
        {
            string note = o.UsedFallback ? "  (fallback: closed form failed)" : "";
            stdout.WriteLine($"{o.Order,5} {o.NGrams,8} {o.N1,7} {o.N2,7} {o.N3,7} {o.N4,7} {Format(o.Discount.D1),9} {Format(o.Discount.D2),8} {Format(o.Discount.D3Plus),8}{note}");
        }
        return ExitCodes.Success;
    }

    private static int Eval(string modelPath, string[] corpusPaths, bool lenient, bool json, TextWriter stdout, TextWriter stderr)
    {
        var clock = Stopwatch.StartNew();
        NGramModel model = NGramModel.Load(modelPath, new ArpaReadOptions { Lenient = lenient, Warning = w => stderr.WriteLine($"warning: {w}") });
        var sentences = corpusPaths.SelectMany(SentenceCorpus.Read).ToList();
        NGramEvaluation e = model.Evaluate(sentences);
        double seconds = clock.Elapsed.TotalSeconds;
        if (json)
        {
            JsonOutput.Write(stdout, new Dictionary<string, object>
            {
                ["perplexity"] = e.Perplexity,
                ["tokens"] = e.Tokens,
                ["oov"] = e.Oov,
                ["sentences"] = e.Sentences,
                ["words"] = e.Words,
                ["zeroprobs"] = e.ZeroProbs,
                ["log10_prob"] = e.Log10Probability,
                ["bits_per_token"] = e.BitsPerToken,
                ["perplexity_with_oov"] = e.PerplexityWithOov,
                ["order"] = model.Order,
                ["vocabulary"] = model.Vocabulary.Count,
                ["open_vocabulary"] = model.IsOpenVocabulary,
                ["seconds"] = seconds,
            });
            return ExitCodes.Success;
        }
        stdout.WriteLine($"model: {modelPath} (order {model.Order}, vocabulary {model.Vocabulary.Count}, {(model.IsOpenVocabulary ? "open" : "closed")} vocabulary)");
        stdout.WriteLine($"corpus: {e.Sentences} sentences, {e.Words} words, {e.Oov} OOVs, {e.ZeroProbs} zeroprobs");
        stdout.WriteLine($"log10 prob: {Format(e.Log10Probability)} over {e.Tokens} tokens (words + </s>, without OOVs and zeroprobs)");
        stdout.WriteLine($"perplexity: {Format(e.Perplexity)} ({Format(e.BitsPerToken)} bits/token); including OOVs: {Format(e.PerplexityWithOov)}");
        return ExitCodes.Success;
    }

    private static string Format(double value) => value.ToString("G6", CultureInfo.InvariantCulture);
}
