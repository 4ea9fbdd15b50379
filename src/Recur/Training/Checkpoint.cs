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
/// A training checkpoint: config.json, model.safetensors (weights under PyTorch's names and
/// layouts, loadable into nn.Embedding + nn.RNN/LSTM/GRU + nn.Linear) and optimizer.safetensors
/// (optimizer state plus what resuming needs: the carried hidden state and the dropout
/// generator), in a folder of its own inside the run folder (<see cref="RunFolder"/>, which also
/// holds metrics.jsonl and loss.png). Each file records the step it belongs to, and loading
/// refuses a checkpoint whose files disagree.
/// </summary>
public static class Checkpoint
{
    public const string ConfigFile = "config.json";
    public const string ModelFile = "model.safetensors";
    public const string OptimizerFile = "optimizer.safetensors";
    public const string MetricsFile = "metrics.jsonl";
    public const string PlotFile = "loss.png";
    private const string Format = "recur.checkpoint.v1";

    /// <summary>
    /// Writes the weights under their PyTorch names at <paramref name="precision"/> (F32 by
    /// default, as training checkpoints always are), with the step in the metadata.
    /// </summary>
    public static void SaveModel(string dir, RnnLanguageModel model, long step, WeightPrecision precision = WeightPrecision.F32)
    {
        var st = new Safetensors();
        st.Metadata["format"] = "pt";
        st.Metadata["step"] = step.ToString(CultureInfo.InvariantCulture);
        foreach (var (name, p) in model.NamedTensors()) st.Add(name, p.Value.Span, precision, p.Shape.ToArray());
        st.Save(Path.Combine(dir, ModelFile));
    }

    /// <summary>
    /// Copies weights from a safetensors file into <paramref name="model"/>: every tensor of
    /// <see cref="RnnLanguageModel.NamedTensors"/> must be present with its exact shape (F32, or
    /// F16 or BF16 widened to float32),
    /// and nothing else may be; a tied weight stored under two names must hold the same values
    /// under both. Returns the file's step.
    /// </summary>
    public static long LoadWeights(string path, RnnLanguageModel model)
    {
        var st = Safetensors.Load(path);
        var names = new HashSet<string>(st.Names, StringComparer.Ordinal);
        var loaded = new Dictionary<Parameter, string>();
        foreach (var (name, p) in model.NamedTensors())
        {
            if (!st.Contains(name)) throw new InputException(path, $"has no tensor '{name}'; it does not belong to this model's architecture");
            int[] shape = st.ShapeOf(name);
            if (!shape.AsSpan().SequenceEqual(p.Shape.Dims))
                throw new InputException(path, $"'{name}' has shape [{string.Join(", ", shape)}], the model needs {p.Shape}");
            float[] values = st.GetFloat32Widened(name);
            int bad = Array.FindIndex(values, v => !float.IsFinite(v));
            if (bad >= 0) throw new InputException(path, $"'{name}' holds {values[bad]} at index {bad}; weights must be finite numbers");
            if (loaded.TryGetValue(p, out string? first))
            {
                if (!values.AsSpan().SequenceEqual(p.Value.Span))
                    throw new InputException(path, $"'{name}' and '{first}' are tied in this model but hold different values");
            }
            else values.CopyTo(p.Value.Span);
            loaded[p] = name;
            names.Remove(name);
        }
        if (names.Count > 0) throw new InputException(path, $"has tensors this model does not: {string.Join(", ", names.Order())}");
        return st.Metadata.TryGetValue("step", out string? s) && long.TryParse(s, CultureInfo.InvariantCulture, out long step) ? step : -1;
    }

    /// <summary>The model of a run folder's checkpoint (or of a checkpoint folder), in evaluation mode, with its config.</summary>
    public static (RnnLanguageModel Model, CheckpointConfig Config) LoadModel(string folder)
    {
        string dir = RunFolder.CheckpointOf(folder);
        var config = CheckpointConfig.Load(dir);
        string weights = Path.Combine(dir, ModelFile);
        if (!File.Exists(weights)) throw new InputException(weights, "is missing; the checkpoint is incomplete");
        // The config's sizes are checked against the weights file before the model is allocated.
        double needed = 2 * config.Model.WeightCount(config.Tokenizer.Vocabulary.Count);   // at least 2 bytes a weight (F16, BF16)
        long size = new FileInfo(weights).Length;
        if (needed > size)
            throw new InputException(Path.Combine(dir, ConfigFile), $"describes a model of at least {needed / 2:N0} weights, more than {ModelFile} ({size:N0} bytes) holds; the config was changed");
        var model = new RnnLanguageModel(config.Tokenizer, config.Model, new Rng(config.Training.Seed));
        long step = LoadWeights(weights, model);
        if (step >= 0 && step != config.Step)
            throw new InputException(dir, $"{ModelFile} is from step {step} but {ConfigFile} from step {config.Step}; the run was interrupted while saving — delete the folder or train again");
        model.Primer = config.Primer;
        model.Training = false;
        return (model, config);
    }

    /// <summary>
    /// The training and validation data of the run that wrote a checkpoint: its corpus read
    /// again (or the built-in corpus regenerated) with the checkpoint's tokenizer options. Throws
    /// <see cref="InputException"/> when the corpus has changed since (its vocabulary differs).
    /// </summary>
    public static TrainingData LoadData(CheckpointConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var options = config.TokenizerOptions;
        var data = config.Corpus == BuiltInCorpus.Name ? TrainingData.BuiltIn(options)
            : TrainingData.FromFiles(config.CorpusFiles.Count > 0 ? config.CorpusFiles : [config.Corpus], options, config.ValidationCorpus);
        if (!data.Tokenizer.Vocabulary.Tokens.SequenceEqual(config.Tokenizer.Vocabulary.Tokens))
            throw new InputException(config.Corpus, "has changed since the checkpoint was written (its vocabulary differs); use the original corpus");
        return data;
    }

}
