using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Recur.Formats;
using Recur.Kernels;
using Recur.LanguageModels.Rnn;
using Recur.Nn.Recurrent;
using Recur.Tensors;
using Recur.Text;

namespace Recur.Training;

/// <summary>
/// What a checkpoint folder says about its model and run: config.json (docs/formats.md, Run folders). The
/// vocabulary is stored with the model, so it always decodes with the tokens it learned.
/// </summary>
/// <param name="Corpus">The training corpus (a path, or the built-in corpus's name).</param>
/// <param name="Tokenizer">Char or word, and the vocabulary.</param>
/// <param name="Model">The architecture.</param>
/// <param name="Training">The run's options.</param>
/// <param name="Step">Optimizer steps taken when the checkpoint was written.</param>
/// <param name="EntropyFloor">The corpus's exact entropy per token, when known.</param>
/// <param name="Primer">What the model reads before decoding (see <see cref="RnnLanguageModel.Primer"/>).</param>
public sealed record CheckpointConfig(string Corpus, Tokenizer Tokenizer, RnnLanguageModelOptions Model, TrainingOptions Training, long Step, double? EntropyFloor, int[] Primer);

/// <summary>
/// A training run's folder: config.json, model.safetensors (weights under PyTorch's names and
/// layouts, loadable into nn.Embedding + nn.RNN/LSTM/GRU + nn.Linear), optimizer.safetensors
/// (optimizer state plus what resuming needs: the carried hidden state and the dropout
/// generator), metrics.jsonl and loss.png. Every file is written atomically (temporary file,
/// flush, rename); each records the step it belongs to, and loading refuses a folder whose
/// files disagree (a crash between two writes).
/// </summary>
public static class Checkpoint
{
    public const string ConfigFile = "config.json";
    public const string ModelFile = "model.safetensors";
    public const string OptimizerFile = "optimizer.safetensors";
    public const string MetricsFile = "metrics.jsonl";
    public const string PlotFile = "loss.png";
    private const string Format = "recur.checkpoint.v1";

    /// <summary>Writes config.json.</summary>
    public static void SaveConfig(string dir, CheckpointConfig c)
    {
        var m = c.Model;
        var t = c.Training;
        var json = new JsonObject
        {
            ["format"] = Format,
            ["step"] = c.Step,
            ["corpus"] = c.Corpus,
            ["entropy_floor"] = c.EntropyFloor,
            ["tokenizer"] = Choice<TokenizerKind>.Name(c.Tokenizer.Kind),
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
                ["norm"] = m.LayerNorm ? "layer" : "none",
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
            },
        };
        AtomicFile.WriteText(Path.Combine(dir, ConfigFile), json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }

    /// <summary>Reads config.json; every problem is an InputException naming the file and key.</summary>
    public static CheckpointConfig LoadConfig(string dir)
    {
        string path = Path.Combine(dir, ConfigFile);
        if (!Directory.Exists(dir)) throw new InputException(dir, "checkpoint folder not found");
        if (!File.Exists(path)) throw new InputException(dir, $"is not a checkpoint folder (no {ConfigFile}); give the folder a training run saved its checkpoint in");
        JsonObject root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new InputException(path, "is not a JSON object");
        }
        catch (JsonException e)
        {
            throw new InputException(path, $"is not valid JSON ({e.Message})");
        }
        string format = Get<string>(root, "format", path);
        if (format != Format) throw new InputException(path, $"format '{format}' is not '{Format}'; this Recur cannot read it");
        var kind = ChoiceAt<TokenizerKind>(root, "tokenizer", path);
        var tokens = (root["tokens"] as JsonArray ?? throw new InputException(path, "\"tokens\" is missing or not an array"))
            .Select(n => n?.GetValue<string>() ?? throw new InputException(path, "a token is null")).ToArray();
        Vocabulary vocabulary;
        try { vocabulary = new Vocabulary(tokens); }
        catch (ArgumentException e) { throw new InputException(path, e.Message); }
        var m = root["model"] as JsonObject ?? throw new InputException(path, "\"model\" is missing");
        var t = root["training"] as JsonObject ?? throw new InputException(path, "\"training\" is missing");
        try
        {
            var model = new RnnLanguageModelOptions
            {
                Cell = ChoiceAt<CellKind>(m, "cell", path),
                Form = ChoiceAt<ElmanForm>(m, "rnn_form", path),
                Activation = ChoiceAt<Activation>(m, "activation", path),
                Embedding = Get<int>(m, "embedding", path),
                Hidden = Get<int>(m, "hidden", path),
                Layers = Get<int>(m, "layers", path),
                Dropout = Get<float>(m, "dropout", path),
                LayerNorm = Get<string>(m, "norm", path) == "layer",
            };
            model.Validate();
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
            };
            var primer = (root["primer"] as JsonArray ?? throw new InputException(path, "\"primer\" is missing or not an array"))
                .Select(n => vocabulary.IndexOf(n?.GetValue<string>() ?? "")).ToArray();
            if (primer.Any(id => id < 0)) throw new InputException(path, "\"primer\" holds a token that is not in \"tokens\"");
            return new CheckpointConfig(Get<string>(root, "corpus", path), Tokenizer.FromVocabulary(kind, vocabulary), model, training,
                Get<long>(root, "step", path), root["entropy_floor"]?.GetValue<double>(), primer);
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or ArgumentOutOfRangeException)
        {
            throw new InputException(path, $"has an invalid value ({e.Message})");
        }
    }

    /// <summary>Writes the weights under their PyTorch names (F32), with the step in the metadata.</summary>
    public static void SaveModel(string dir, RnnLanguageModel model, long step)
    {
        var st = new Safetensors();
        st.Metadata["format"] = "pt";
        st.Metadata["step"] = step.ToString(CultureInfo.InvariantCulture);
        foreach (var p in model.Parameters()) st.Add(p.Name, p.Value.Span, p.Shape.ToArray());
        st.Save(Path.Combine(dir, ModelFile));
    }

    /// <summary>
    /// Copies weights from a safetensors file into <paramref name="model"/>: every parameter
    /// must be present with its exact shape (F32), and nothing else may be; returns the file's step.
    /// </summary>
    public static long LoadWeights(string path, RnnLanguageModel model)
    {
        var st = Safetensors.Load(path);
        var names = new HashSet<string>(st.Names, StringComparer.Ordinal);
        foreach (var p in model.Parameters())
        {
            if (!st.Contains(p.Name)) throw new InputException(path, $"has no tensor '{p.Name}'; it does not belong to this model's architecture");
            int[] shape = st.ShapeOf(p.Name);
            if (!shape.AsSpan().SequenceEqual(p.Shape.Dims))
                throw new InputException(path, $"'{p.Name}' has shape [{string.Join(", ", shape)}], the model needs {p.Shape}");
            st.GetFloat32(p.Name).CopyTo(p.Value.Span);
            names.Remove(p.Name);
        }
        if (names.Count > 0) throw new InputException(path, $"has tensors this model does not: {string.Join(", ", names.Order())}");
        return st.Metadata.TryGetValue("step", out string? s) && long.TryParse(s, CultureInfo.InvariantCulture, out long step) ? step : -1;
    }

    /// <summary>The model of a checkpoint folder, in evaluation mode, with its config.</summary>
    public static (RnnLanguageModel Model, CheckpointConfig Config) LoadModel(string dir)
    {
        var config = LoadConfig(dir);
        var model = new RnnLanguageModel(config.Tokenizer, config.Model, new Rng(config.Training.Seed));
        long step = LoadWeights(Path.Combine(dir, ModelFile), model);
        if (step >= 0 && step != config.Step)
            throw new InputException(dir, $"{ModelFile} is from step {step} but {ConfigFile} from step {config.Step}; the run was interrupted while saving — delete the folder or train again");
        model.Primer = config.Primer;
        model.Training = false;
        return (model, config);
    }

    /// <summary>
    /// The training and validation data of the run that wrote a checkpoint: its corpus read
    /// again (or the built-in corpus regenerated) with the checkpoint's tokenizer kind. Throws
    /// <see cref="InputException"/> when the corpus has changed since (its vocabulary differs).
    /// </summary>
    public static TrainingData LoadData(CheckpointConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var kind = config.Tokenizer.Kind;
        var data = config.Corpus == BuiltInCorpus.Name ? TrainingData.BuiltIn(kind) : TrainingData.FromFile(config.Corpus, kind);
        if (!data.Tokenizer.Vocabulary.Tokens.SequenceEqual(config.Tokenizer.Vocabulary.Tokens))
            throw new InputException(config.Corpus, "has changed since the checkpoint was written (its vocabulary differs); use the original corpus");
        return data;
    }

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
