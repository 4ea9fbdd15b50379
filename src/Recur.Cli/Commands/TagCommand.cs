using System.CommandLine;
using System.Globalization;
using System.Text;
using Recur.Formats;
using Recur.Tagging;
using Recur.Text;

namespace Recur.Cli.Commands;

/// <summary>
/// `recur tag train` (a TnT-style HMM tagger from word/TAG corpora), `recur tag eval` (accuracy
/// overall, on known and on unknown words, and speed) and `recur tag --model MODEL [FILE]`
/// (plain text in, word/TAG out), docs/cli.md.
/// </summary>
internal static class TagCommand
{
    private const int ShownTags = 20, ShownConfusions = 15, JsonConfusions = 100;
    private static readonly HmmTaggerOptions Defaults = new();

    public static Command Create()
    {
        var model = new Option<FileInfo>("--model") { Description = "A tagger written by `recur tag train`." }.MustExist();
        var file = new Argument<FileInfo?>("FILE")
        {
            Description = "UTF-8 text to tag: one sentence per line, words separated by white space (absent: standard input).",
            Arity = ArgumentArity.ZeroOrOne,
            // Hidden from the help's generated lists, which would show it under `tag train` and
            // `tag eval` too; the description below gives it.
            Hidden = true,
        };
        var prune = PruneWidth();
        var pretokenized = new Option<bool>("--pretokenized") { Description = "The words are already separated by white space (as in Brown); without it punctuation is split off words as Brown does (\"city.\" → city .; quotes → `` '')." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object per sentence, {\"words\":[…],\"tags\":[…]} (JSON Lines, as sentences stream)." };
        var command = new Command("tag", "Tag plain text with a part-of-speech tagger: `recur tag --model TAGGER [FILE]` reads FILE (or standard input, also as -), each line a sentence, and writes it back as word/TAG.")
        {
            model, file, prune, pretokenized, json,
        };
        command.Subcommands.Add(CreateTrain());
        command.Subcommands.Add(CreateEval());
        command.SetAction(parse =>
        {
            FileInfo m = parse.GetValue(model) ?? throw new InputException("--model", "is required: give a tagger written by `recur tag train` (or use `recur tag train` / `recur tag eval`)");
            return Tag(m.FullName, parse.GetValue(file)?.Input(), parse.GetValue(prune) ?? TagDecoder.DefaultPruneWidth,
                !parse.GetValue(pretokenized), parse.GetValue(json), parse.InvocationConfiguration.Output);
        });
        return command;
    }

    private static Option<double?> PruneWidth() =>
        new Option<double?>("--prune-width")
        {
            Description = "Beam: drop tag states scoring this many nats below the step's best (TnT's; a large value searches exactly).",
        }.InRange(0, double.PositiveInfinity).ShowsDefault("ln 1000 = 6.908");

    private static Option<FileInfo[]> Corpus(string what) =>
        new("--corpus")
        {
            Description = $"{what}: Brown-format files (word/TAG tokens, the tag after the last '/', a sentence per line), or a folder of them such as ../shared/data/brown or NLTK's ~/nltk_data/corpora/brown (see --split).",
            Required = true,
            Arity = ArgumentArity.OneOrMore,
            AllowMultipleArgumentsPerToken = true,
        };

    private static Command CreateTrain()
    {
        var corpus = Corpus("Training data");
        var split = BrownFiles.SplitOption();
        var output = new Option<FileInfo>("--out") { Description = "The tagger file to write.", Required = true };
        var order = new Option<int>("--order") { Description = "Tag n-gram order: 3 (trigram, TnT) or 2 (bigram).", DefaultValueFactory = _ => Defaults.Order };
        order.Validators.Add(r =>
        {
            if (r.Tokens.Count > 0 && int.TryParse(r.Tokens[^1].Value, out int n) && n is not (2 or 3)) r.AddError($"--order must be 2 or 3 (got {n})");
        });
        var suffix = new Option<int>("--suffix-length") { Description = "Longest word ending the unknown-word model uses (TnT: 10).", DefaultValueFactory = _ => Defaults.SuffixLength }.AtLeast(0);
        var rare = new Option<int>("--rare-word-count") { Description = "Words seen at most this often train the unknown-word model (TnT: 10).", DefaultValueFactory = _ => Defaults.RareWordCount }.AtLeast(1);
        var caps = new Option<bool>("--capitalization") { Description = "Condition tag transitions on capitalization (TnT); false: on the tags alone.", DefaultValueFactory = _ => Defaults.Capitalization };
        var theta = new Option<double?>("--suffix-theta") { Description = "θ of the suffix model's successive abstraction (absent: chosen by cross-validation over the rare words; TnT: the standard deviation of the tag probabilities)." };
        theta.Validators.Add(r =>
        {
            if (r.Tokens.Count > 0 && double.TryParse(r.Tokens[^1].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) && !(v >= 0 && double.IsFinite(v)))
                r.AddError($"--suffix-theta must be a finite number ≥ 0 (got {v})");
        });
        var baseForms = new Option<bool>("--base-forms") { Description = "Guess unknown words' tags from a known lower-case form or last hyphen part (false: TnT's suffixes only).", DefaultValueFactory = _ => Defaults.BaseForms };
        var smoothing = new Option<double>("--rare-word-smoothing") { Description = "β: rare known words may take unseen tags, P(t|w) = (f(w,t) + β P_suffix(t|w))/(f(w) + β) (0: TnT, only seen tags).", DefaultValueFactory = _ => Defaults.RareWordSmoothing }.InRange(0, 1e6);
        var suffixWeight = new Option<double>("--base-form-suffix-weight") { Description = "w: an unknown word with a known base form takes P_base^(1−w)·P_suffix^w (0: the base form alone).", DefaultValueFactory = _ => Defaults.BaseFormSuffixWeight }.InRange(0, 1);
        var gamma = new Option<double>("--unknown-prior-exponent") { Description = "γ: an unknown word's score is log P(t|w) − γ log P(t) (1: Bayes' rule, TnT).", DefaultValueFactory = _ => Defaults.UnknownPriorExponent }.InRange(0, 2);
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of the human view." };
        var command = new Command("train", "Train a TnT-style trigram HMM tagger (Brants 2000) on tagged corpora.")
        {
            corpus, split, output, order, suffix, rare, caps, theta, baseForms, smoothing, suffixWeight, gamma, json,
        };
        command.SetAction(parse =>
        {
            var options = new HmmTaggerOptions
            {
                Order = parse.GetValue(order), SuffixLength = parse.GetValue(suffix),
                RareWordCount = parse.GetValue(rare), Capitalization = parse.GetValue(caps),
                SuffixTheta = parse.GetValue(theta), BaseForms = parse.GetValue(baseForms), RareWordSmoothing = parse.GetValue(smoothing),
                BaseFormSuffixWeight = parse.GetValue(suffixWeight), UnknownPriorExponent = parse.GetValue(gamma),
            };
            var inputs = BrownFiles.Resolve(Paths(parse.GetValue(corpus)), parse.GetValue(split)!);
            OutputPaths.MustNotBeAnInput("--out", parse.GetValue(output)!.FullName, inputs);
            return Train(inputs, parse.GetValue(output)!.FullName, options, parse.GetValue(json), parse.InvocationConfiguration.Output);
        });
        return command;
    }

    private static Command CreateEval()
    {
        var model = new Option<FileInfo>("--model") { Description = "A tagger written by `recur tag train`.", Required = true }.MustExist();
        var corpus = Corpus("Gold-tagged test data");
        var split = BrownFiles.SplitOption();
        var prune = PruneWidth();
        var baseline = new Option<bool>("--most-frequent") { Description = "Score the baseline instead: each known word's most frequent tag, an unknown word's most probable tag given its suffix." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of the human view." };
        var command = new Command("eval", "Tagging accuracy (overall, known and unknown words) and speed on gold-tagged corpora; tags them twice and reports the second, warm pass's speed beside the first's.")
        {
            model, corpus, split, prune, baseline, json,
        };
        command.SetAction(parse => Eval(parse.GetValue(model)!.FullName, BrownFiles.Resolve(Paths(parse.GetValue(corpus)), parse.GetValue(split)!), parse.GetValue(prune) ?? TagDecoder.DefaultPruneWidth, parse.GetValue(baseline),
            parse.GetValue(json), parse.InvocationConfiguration.Output));
        return command;
    }

    private static string[] Paths(FileInfo[]? files) => files is null ? [] : Array.ConvertAll(files, f => f.Input());

    private static int Train(string[] corpus, string outPath, HmmTaggerOptions options, bool json, TextWriter stdout)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        List<TaggedSentence> sentences = TaggedCorpus.Read(corpus);
        HmmTagger tagger = HmmTagger.Train(sentences, options);
        tagger.Save(outPath);
        double seconds = clock.Elapsed.TotalSeconds;
        var (s, words) = tagger.TrainingSize;
        var w = tagger.Weights;
        if (json)
        {
            JsonOutput.Write(stdout, new Dictionary<string, object>
            {
                ["out"] = outPath, ["order"] = options.Order, ["sentences"] = s, ["words"] = words, ["tags"] = tagger.Tags.Count,
                ["vocabulary"] = tagger.VocabularySize, ["lambdas"] = new[] { w.Unigram, w.Bigram, w.Trigram },
                ["suffix_theta"] = tagger.Options.SuffixTheta!.Value, ["seconds"] = seconds,
            });
            return ExitCodes.Success;
        }
        stdout.WriteLine($"wrote {outPath}: order {options.Order}, {tagger.Tags.Count} tags, {tagger.VocabularySize} word types, {s} sentences, {words} words, {seconds:F2} s");
        stdout.WriteLine($"deleted interpolation λ1 {Format(w.Unigram)}, λ2 {Format(w.Bigram)}, λ3 {Format(w.Trigram)}; suffix θ {Format(tagger.Options.SuffixTheta!.Value)}");
        return ExitCodes.Success;
    }

    private static int Eval(string modelPath, string[] corpus, double pruneWidth, bool mostFrequent, bool json, TextWriter stdout)
    {
        HmmTagger tagger = HmmTagger.Load(modelPath);
        List<TaggedSentence> gold = TaggedCorpus.Read(corpus);
        var decoder = new TagDecoder(tagger, pruneWidth);
        TaggingEvaluation e = TaggingEvaluation.Run(decoder, gold, mostFrequent);
        string method = mostFrequent ? "most-frequent" : $"viterbi-order{tagger.Options.Order}";
        if (json)
        {
            JsonOutput.Write(stdout, new Dictionary<string, object>
            {
                ["accuracy"] = e.Accuracy, ["known_accuracy"] = e.KnownAccuracy, ["unknown_accuracy"] = e.UnknownAccuracy,
                ["tokens"] = e.Tokens, ["tokens_per_s"] = e.TokensPerSecond,
                ["known_tokens"] = e.KnownTokens, ["unknown_tokens"] = e.UnknownTokens, ["sentences"] = e.Sentences,
                ["first_pass_tokens_per_s"] = e.FirstPassTokensPerSecond, ["fallbacks"] = e.Fallbacks, ["seconds"] = e.Seconds,
                ["first_pass_seconds"] = e.FirstPassSeconds, ["method"] = method, ["prune_width"] = pruneWidth,
                ["per_tag"] = e.PerTag.Select(t => new Dictionary<string, object>
                {
                    ["tag"] = t.Tag, ["tokens"] = t.Tokens, ["correct"] = t.Correct, ["predicted"] = t.Predicted,
                    ["accuracy"] = t.Accuracy, ["precision"] = t.Precision,
                }).ToArray(),
                ["confusions"] = e.Confusions.Take(JsonConfusions).Select(c => new Dictionary<string, object>
                {
                    ["gold"] = c.Gold, ["predicted"] = c.Predicted, ["count"] = c.Count, ["unknown"] = c.Unknown,
                }).ToArray(),
            });
            return ExitCodes.Success;
        }
        stdout.WriteLine($"model: {modelPath} ({method}, {tagger.Tags.Count} tags); corpus: {e.Sentences} sentences, {e.Tokens} words, {e.UnknownTokens} unknown");
        stdout.WriteLine($"accuracy {Percent(e.Accuracy)}  known {Percent(e.KnownAccuracy)}  unknown {Percent(e.UnknownAccuracy)}");
        stdout.WriteLine($"speed {e.TokensPerSecond:F0} words/s single-threaded ({e.Seconds:F2} s; first pass with JIT warm-up {e.FirstPassTokensPerSecond:F0} words/s; model loading excluded)");
        stdout.WriteLine($"sentences decoded by a fallback (no path through seen tag pairs): {e.Fallbacks}");
        stdout.WriteLine();
        stdout.WriteLine($"the {Math.Min(ShownTags, e.PerTag.Count)} most frequent gold tags (of {e.PerTag.Count}):");
        stdout.WriteLine($"{"tag",-10} {"words",8} {"accuracy",9} {"precision",9}");
        foreach (var t in e.PerTag.Take(ShownTags))
            stdout.WriteLine($"{t.Tag,-10} {t.Tokens,8} {Percent(t.Accuracy),9} {(t.Predicted > 0 ? Percent(t.Precision) : "—"),9}");
        stdout.WriteLine();
        long errors = e.Tokens - e.Correct;
        stdout.WriteLine($"the {Math.Min(ShownConfusions, e.Confusions.Count)} most frequent confusions (of {errors} errors; --json lists {JsonConfusions}):");
        stdout.WriteLine($"{"gold",-10} {"tagged",-10} {"count",7} {"unknown",8}");
        foreach (var c in e.Confusions.Take(ShownConfusions))
            stdout.WriteLine($"{c.Gold,-10} {c.Predicted,-10} {c.Count,7} {c.Unknown,8}");
        return ExitCodes.Success;
    }

    private static int Tag(string modelPath, string? input, double pruneWidth, bool tokenize, bool json, TextWriter stdout)
    {
        HmmTagger tagger = HmmTagger.Load(modelPath);
        var decoder = new TagDecoder(tagger, pruneWidth);
        var tags = new int[64];
        var line = new StringBuilder();
        foreach (string text in input is null or InputFile.StandardInputPath ? ReadStdin() : Lines(input))
        {
            string[] words = tokenize ? BrownTokenizer.Tokenize(text, tagger.IsKnown) : SentenceCorpus.Tokenize(text);
            if (tags.Length < words.Length) tags = new int[Math.Max(words.Length, 2 * tags.Length)];
            if (words.Length > 0) decoder.Tag(words, tags);
            if (json)
            {
                JsonOutput.Write(stdout, new Dictionary<string, object>
                {
                    ["words"] = words,
                    ["tags"] = tags.Take(words.Length).Select(t => tagger.Tags[t]).ToArray(),
                });
                continue;
            }
            line.Clear();
            for (int i = 0; i < words.Length; i++) line.Append(i == 0 ? "" : " ").Append(words[i]).Append('/').Append(tagger.Tags[tags[i]]);
            stdout.WriteLine(line);
        }
        return ExitCodes.Success;
    }

    private static IEnumerable<string> Lines(string path) => TextFile.Read(path).TrimEnd('\n').Split('\n');

    private static IEnumerable<string> ReadStdin()
    {
        string? text;
        while ((text = Console.In.ReadLine()) is not null) yield return text;
    }

    private static string Percent(double v) => (100 * v).ToString("F2", CultureInfo.InvariantCulture) + "%";

    private static string Format(double v) => v.ToString("G6", CultureInfo.InvariantCulture);
}
