using System.Text.Json;
using System.Text.Json.Nodes;
using Recur.Formats;
using Recur.Kernels;
using Recur.LanguageModels.Rnn;
using Recur.Nn.Output;
using Recur.Nn.Recurrent;
using Recur.Text;

namespace Recur.Training;

/// <summary>
/// What a checkpoint folder says about its model and run: config.json (docs/formats.md, Run
/// folders). The vocabulary (and a BPE tokenizer's merges) is stored with the model, so it
/// always decodes with the tokens it learned.
/// </summary>
/// <param name="Corpus">The training corpus (a path, or the built-in corpus's name).</param>
/// <param name="Tokenizer">Char, word or BPE, with the vocabulary.</param>
/// <param name="Model">The architecture.</param>
/// <param name="Training">The run's options.</param>
/// <param name="Step">Optimizer steps taken when the checkpoint was written.</param>
/// <param name="EntropyFloor">The corpus's exact entropy per token, when known.</param>
/// <param name="Primer">What the model reads before decoding (see <see cref="RnnLanguageModel.Primer"/>).</param>
public sealed record CheckpointConfig(string Corpus, Tokenizer Tokenizer, RnnLanguageModelOptions Model, TrainingOptions Training, long Step, double? EntropyFloor, int[] Primer)
{
    private const string Format = "recur.checkpoint.v1";

    /// <summary>How the tokenizer was built from the corpus (so that resuming rebuilds the same one).</summary>
    public TokenizerOptions TokenizerOptions { get; init; } = new() { Kind = Tokenizer.Kind };

    /// <summary>The corpus files, in order (empty for the built-in corpus).</summary>
    public IReadOnlyList<string> CorpusFiles { get; init; } = [];

    /// <summary>The validation file, when it was not the corpus's last tenth.</summary>
    public string? ValidationCorpus { get; init; }

    /// <summary>Writes config.json into <paramref name="dir"/>, atomically.</summary>
    public static void Save(string dir, CheckpointConfig c)
    {
        ArgumentNullException.ThrowIfNull(c);
        var m = c.Model;
        var t = c.Training;
        var o = c.TokenizerOptions;
        var json = new JsonObject
        {
            ["format"] = Format,
            ["step"] = c.Step,
            ["corpus"] = c.CorpusFiles.Count > 1 ? new JsonArray([.. c.CorpusFiles.Select(f => (JsonNode?)JsonValue.Create(f))]) : c.Corpus,
            ["validation_corpus"] = c.ValidationCorpus,
            ["entropy_floor"] = c.EntropyFloor,
            ["tokenizer"] = Choice<TokenizerKind>.Name(c.Tokenizer.Kind),
            ["min_count"] = o.MinCount,
            ["max_vocab"] = o.MaxVocabulary,
            ["bpe_merge_count"] = c.Tokenizer.Kind == TokenizerKind.Bpe ? o.BpeMerges : null,
            ["bpe_merges"] = c.Tokenizer.Kind == TokenizerKind.Bpe
                ? new JsonArray(c.Tokenizer.Merges.Select(p => (JsonNode?)new JsonArray(p.Left, p.Right)).ToArray())
                : null,
            ["tokens"] = new JsonArray(c.Tokenizer.Vocabulary.Tokens.Select(s => (JsonNode?)JsonValue.Create(s)).ToArray()),
            ["primer"] = new JsonArray(c.Primer.Select(id => (JsonNode?)JsonValue.Create(c.Tokenizer.Vocabulary[id])).ToArray()),
            ["model"] = new JsonObject
            {
                ["cell"] = Choice<CellKind>.Name(m.Cell),
                ["rnn_form"] = Choice<ElmanForm>.Name(m.Form),
                ["activation"] = Choice<Activation>.Name(m.Activation),
                ["embedding"] = m.Embedding,
                ["hidden"] = m.Hidden,
                ["layers"] = m.Layers,
                ["dropout"] = m.Dropout,
                ["locked_dropout"] = m.LockedDropout,
                ["norm"] = m.LayerNorm ? "layer" : "none",
                ["softmax"] = Choice<SoftmaxKind>.Name(m.Softmax),
                ["cutoffs"] = m.Softmax == SoftmaxKind.Adaptive
                    ? new JsonArray(m.CutoffsFor(c.Tokenizer.Vocabulary.Count).Select(x => (JsonNode?)x).ToArray())
                    : null,
                ["cutoff_divisor"] = m.Softmax == SoftmaxKind.Adaptive ? m.CutoffDivisor : null,
                ["tie_weights"] = m.TieWeights,
            },
            ["training"] = new JsonObject
            {
                ["optimizer"] = Choice<OptimizerKind>.Name(t.Optimizer),
                ["lr"] = t.LearningRate,
                ["momentum"] = t.Momentum,
                ["nesterov"] = t.Nesterov,
                ["weight_decay"] = t.WeightDecay,
                ["l2"] = t.L2,
                ["clip_norm"] = t.ClipNorm,
                ["schedule"] = Choice<ScheduleKind>.Name(t.Schedule),
                ["batch"] = t.Batch,
                ["seq"] = t.Sequence,
                ["steps"] = t.Steps,
                ["eval_every"] = t.EvalEvery,
                ["seed"] = t.Seed,
                ["threads"] = t.Threads,
                ["schedule_extensions"] = new JsonArray(t.Extensions.Select(e => (JsonNode?)new JsonArray(e.From, e.PreviousTotal)).ToArray()),
            },
        };
        AtomicFile.WriteText(Path.Combine(dir, Checkpoint.ConfigFile), json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }

    /// <summary>
    /// Reads the config.json of a run folder's checkpoint (or of a checkpoint folder); every
    /// problem is an InputException naming the file and key.
    /// </summary>
    public static CheckpointConfig Load(string folder)
    {
        string dir = RunFolder.CheckpointOf(folder);
        string path = Path.Combine(dir, Checkpoint.ConfigFile);
        JsonObject root;
        try
        {
            string text = System.Text.Encoding.UTF8.GetString(InputFile.ReadAllBytes(path, MaxConfigBytes));
            root = JsonNode.Parse(text, documentOptions: ModelJson.NoDuplicateKeys) as JsonObject
                ?? throw new InputException(path, "is not a JSON object");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new InputException(path, $"is not valid JSON ({e.Message})");
        }
        string format = Get<string>(root, "format", path);
        if (format != Format) throw new InputException(path, $"format '{format}' is not '{Format}'; this Recur cannot read it");
        var m = root["model"] as JsonObject ?? throw new InputException(path, "\"model\" is missing");
        var t = root["training"] as JsonObject ?? throw new InputException(path, "\"training\" is missing");
        try
        {
            var (tokenizer, tokenizerOptions) = ReadTokenizer(root, path);
            var model = new RnnLanguageModelOptions
            {
                Cell = ChoiceAt<CellKind>(m, "cell", path),
                Form = ChoiceAt<ElmanForm>(m, "rnn_form", path),
                Activation = ChoiceAt<Activation>(m, "activation", path),
                Embedding = Get<int>(m, "embedding", path),
                Hidden = Get<int>(m, "hidden", path),
                Layers = Get<int>(m, "layers", path),
                Dropout = Get<float>(m, "dropout", path),
                LockedDropout = m["locked_dropout"]?.GetValue<bool>() ?? false,
                LayerNorm = Get<string>(m, "norm", path) switch
                {
                    "layer" => true,
                    "none" => false,
                    var other => throw new InputException(path, $"\"norm\": '{other}' is not a norm; use none or layer"),
                },
                Softmax = m["softmax"] is null ? SoftmaxKind.Full : ChoiceAt<SoftmaxKind>(m, "softmax", path),
                Cutoffs = (m["cutoffs"] as JsonArray)?.Select(n => n?.GetValue<int>() ?? throw new InputException(path, "\"cutoffs\" holds a null")).ToArray(),
                CutoffDivisor = m["cutoff_divisor"]?.GetValue<double>() ?? 4.0,
                TieWeights = m["tie_weights"]?.GetValue<bool>() ?? false,
            };
            model.Validate(tokenizer.Vocabulary.Count);
            var training = new TrainingOptions
            {
                Optimizer = ChoiceAt<OptimizerKind>(t, "optimizer", path),
                LearningRate = Get<double>(t, "lr", path),
                Momentum = Get<double>(t, "momentum", path),
                Nesterov = Get<bool>(t, "nesterov", path),
                WeightDecay = t["weight_decay"]?.GetValue<double>(),
                L2 = t["l2"]?.GetValue<double>(),
                ClipNorm = t["clip_norm"]?.GetValue<double>(),
                Schedule = ChoiceAt<ScheduleKind>(t, "schedule", path),
                Batch = Get<int>(t, "batch", path),
                Sequence = Get<int>(t, "seq", path),
                Steps = Get<int>(t, "steps", path),
                EvalEvery = Get<int>(t, "eval_every", path),
                Seed = Get<ulong>(t, "seed", path),
                Threads = t["threads"]?.GetValue<int>(),
                Extensions = t["schedule_extensions"] is JsonArray { Count: > 0 } extensions ? extensions.Select(ReadExtension).ToArray() : [],
            };
            training.Validate();
            var vocabulary = tokenizer.Vocabulary;
            var primer = (root["primer"] as JsonArray ?? throw new InputException(path, "\"primer\" is missing or not an array"))
                .Select(n => vocabulary.IndexOf(n?.GetValue<string>() ?? "")).ToArray();
            if (primer.Any(id => id < 0)) throw new InputException(path, "\"primer\" holds a token that is not in \"tokens\"");
            // One corpus file is a string; several an array of them.
            string[] files = root["corpus"] is JsonArray many ? [.. many.Select(n => n?.GetValue<string>() ?? throw new InputException(path, "\"corpus\" holds a null"))] : [];
            string corpus = files.Length > 0 ? string.Join(" + ", files) : Get<string>(root, "corpus", path);
            return new CheckpointConfig(corpus, tokenizer, model, training,
                Get<long>(root, "step", path), root["entropy_floor"]?.GetValue<double>(), primer)
            {
                CorpusFiles = files.Length > 0 ? files : corpus == Text.BuiltInCorpus.Name ? [] : [corpus],
                TokenizerOptions = tokenizerOptions,
                ValidationCorpus = root["validation_corpus"]?.GetValue<string>(),
            };
        }
        catch (InputException e) when (!e.Subject.StartsWith(path, StringComparison.Ordinal))
        {
            throw new InputException(path, $"{JsonKey(e.Subject)}: {e.Message}");
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or ArgumentException)
        {
            throw new InputException(path, $"has an invalid value ({e.Message})");
        }
    }

    // The tokenizer kind, its options, the vocabulary and (BPE) the merges.
    private static (Tokenizer, TokenizerOptions) ReadTokenizer(JsonObject root, string path)
    {
        var kind = ChoiceAt<TokenizerKind>(root, "tokenizer", path);
        var tokens = (root["tokens"] as JsonArray ?? throw new InputException(path, "\"tokens\" is missing or not an array"))
            .Select((n, i) => n is JsonValue v && v.TryGetValue(out string? token) ? token : throw new InputException(path, $"\"tokens\"[{i}] is not a string")).ToArray();
        var merges = (root["bpe_merges"] as JsonArray)?.Select(ReadMerge).ToArray();
        if (kind == TokenizerKind.Bpe && merges is null) throw new InputException(path, "\"bpe_merges\" is missing for a bpe tokenizer");
        var options = new TokenizerOptions
        {
            Kind = kind,
            MinCount = root["min_count"]?.GetValue<int>() ?? 1,
            MaxVocabulary = root["max_vocab"]?.GetValue<int>(),
            BpeMerges = root["bpe_merge_count"]?.GetValue<int>() ?? merges?.Length ?? 0,
        };
        options.Validate();
        return (Tokenizer.FromVocabulary(kind, new Vocabulary(tokens), merges), options);

        (string, string) ReadMerge(JsonNode? node) =>
            node is JsonArray { Count: 2 } pair ? (pair[0]!.GetValue<string>(), pair[1]!.GetValue<string>())
            : throw new InputException(path, "\"bpe_merges\" holds an entry that is not a pair of strings");
    }

    /// <summary>The largest config.json read (64 MiB: a word vocabulary of a million tokens fits many times).</summary>
    private const long MaxConfigBytes = 64L << 20;

    // A library subject such as "RnnLanguageModelOptions.Hidden" as the key of config.json that
    // holds it ("model.hidden"), so that a bad value in the file is not reported as a flag.
    private static string JsonKey(string subject)
    {
        int dot = subject.IndexOf('.', StringComparison.Ordinal);
        if (dot < 0) return subject;
        string section = subject[..dot] switch
        {
            nameof(RnnLanguageModelOptions) => "model.",
            nameof(TrainingOptions) => "training.",
            _ => "",
        };
        string property = subject[(dot + 1)..] switch
        {
            nameof(TrainingOptions.LearningRate) => "lr",
            nameof(TrainingOptions.Sequence) => "seq",
            nameof(RnnLanguageModelOptions.Form) => "rnn_form",
            nameof(RnnLanguageModelOptions.LayerNorm) => "norm",
            nameof(TokenizerOptions.MaxVocabulary) => "max_vocab",
            nameof(TokenizerOptions.BpeMerges) => "bpe_merge_count",
            var name => System.Text.RegularExpressions.Regex.Replace(name, "(?<=[a-z])([A-Z])", "_$1").ToLowerInvariant(),
        };
        return $"\"{section}{property}\"";
    }

    private static ScheduleExtension ReadExtension(JsonNode? node) =>
        node is JsonArray { Count: 2 } pair ? new ScheduleExtension(pair[0]!.GetValue<long>(), pair[1]!.GetValue<long>())
        : throw new FormatException("\"schedule_extensions\" holds an entry that is not a pair [from, previous total]");

    private static T Get<T>(JsonObject o, string key, string path)
    {
        var node = o[key] ?? throw new InputException(path, $"\"{key}\" is missing");
        try { return node.GetValue<T>(); }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            throw new InputException(path, $"\"{key}\" is not a {typeof(T).Name}");
        }
    }

    // A choice (cell, optimizer…) stored by its name (see Choice<T>).
    private static T ChoiceAt<T>(JsonObject o, string key, string path) where T : struct, Enum
    {
        string name = Get<string>(o, key, path);
        return Choice<T>.TryParse(name, out T value) ? value : throw new InputException(path, $"\"{key}\": {Choice<T>.Unknown(name)}");
    }
}
