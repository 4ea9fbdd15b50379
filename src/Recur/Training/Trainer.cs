using System.Diagnostics;
using System.Text.Json.Nodes;
using Recur.Formats;
using Recur.Kernels;
using Recur.LanguageModels.Rnn;
using Recur.Nn.Recurrent;
using Recur.Optim;
using Recur.Tensors;
using Recur.Text;

namespace Recur.Training;

/// <summary>
/// Trains an <see cref="RnnLanguageModel"/> with truncated BPTT on contiguous token streams
/// (char-rnn style: the hidden state carries across batches, and resets at each epoch),
/// validates periodically, and checkpoints atomically. A resumed run continues exactly: its
/// losses equal those of an uninterrupted run with the same seed, because the checkpoint
/// holds the weights, the optimizer state, the carried hidden state and the dropout
/// generator, and the data position follows from the step. A non-finite loss stops training
/// and keeps the last good checkpoint; cancellation saves one and stops. Without a folder the
/// run stays in memory: no checkpoints and no metrics file, only the observer's reports.
/// </summary>
public sealed class Trainer
{
    private readonly RnnLanguageModel _model;
    private readonly TrainingData _data;
    private readonly TrainingOptions _options;
    private readonly string? _folder;
    private readonly ITrainingObserver? _observer;
    private readonly ParameterStore _store;
    private readonly Optimizer _optimizer;
    private readonly StreamBatches _batches;
    private readonly RecurrentState _state;
    private long _step;
    private double? _validationLoss;

    /// <summary>
    /// A new run of a fresh model with <paramref name="architecture"/> for <paramref name="data"/>'s
    /// tokenizer, its weights drawn from <see cref="TrainingOptions.Seed"/>; with a
    /// <paramref name="folder"/> it writes checkpoints and metrics.jsonl there, without one it
    /// keeps everything in memory.
    /// </summary>
    public Trainer(TrainingData data, RnnLanguageModelOptions architecture, TrainingOptions options, string? folder = null, ITrainingObserver? observer = null)
        : this(new RnnLanguageModel(data?.Tokenizer ?? throw new ArgumentNullException(nameof(data)), architecture, new Rng(options?.Seed ?? 1)), data, options!, folder, observer)
    {
    }

    /// <summary>
    /// A new run of <paramref name="model"/> (initialized by the caller); its dropout masks are
    /// drawn from <see cref="TrainingOptions.Seed"/>. With a <paramref name="folder"/> it writes
    /// checkpoints and metrics.jsonl there (see <see cref="Checkpoint"/>), without one it keeps
    /// everything in memory.
    /// </summary>
    public Trainer(RnnLanguageModel model, TrainingData data, TrainingOptions options, string? folder = null, ITrainingObserver? observer = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        if (folder is { Length: 0 }) throw new ArgumentException("The folder is empty; pass null to train in memory.", nameof(folder));
        options.Validate();
        _model = model;
        _data = data;
        _options = options;
        _folder = folder;
        _observer = observer;
        CheckMemory(model.Options, model.Tokenizer.Vocabulary.Count, options);
        _store = new ParameterStore(model.Parameters());
        _optimizer = CreateOptimizer(_store, options);
        _batches = new StreamBatches(data.Train, options.Batch, options.Sequence);
        _state = model.Rnn.CreateState(options.Batch);
        model.Primer = data.Primer();
        model.DropoutRng = new Rng(options.Seed).Fork();
    }

    /// <summary>
    /// Continues the run saved in <paramref name="folder"/>, optionally to a new total of
    /// <paramref name="steps"/>: the learning rate then continues from where it was, ramps back
    /// to the base rate over 5% of the added steps and decays to 0 at the new total (see
    /// <see cref="TrainingOptions.Extensions"/>); with the same total the run continues exactly. On
    /// <paramref name="threads"/> kernel threads when given (the saved count otherwise).
    /// </summary>
    public static Trainer Resume(string folder, int? steps = null, ITrainingObserver? observer = null, int? threads = null)
    {
        string checkpoint = RunFolder.CheckpointOf(folder);
        var (model, config) = Checkpoint.LoadModel(checkpoint);
        var options = steps is { } s && s != config.Training.Steps ? config.Training.ExtendedTo(config.Step, s) : config.Training;
        if (threads is { } n) options = options with { Threads = n };
        if (options.Steps <= config.Step)
            throw new InputException(TrainingOptions.Subject(nameof(TrainingOptions.Steps)), $"the checkpoint in {folder} has already done {config.Step} steps; give a larger total to train on");
        var data = Checkpoint.LoadData(config);
        model.Training = true;
        var trainer = new Trainer(model, data, options, folder, observer);
        trainer.LoadState(Path.Combine(checkpoint, Checkpoint.OptimizerFile), config.Step);
        return trainer;
    }

    /// <summary>The model being trained.</summary>
    public RnnLanguageModel Model => _model;

    /// <summary>The run's options.</summary>
    public TrainingOptions Options => _options;

    /// <summary>Steps done so far.</summary>
    public long Step => _step;

    /// <summary>The parameters, packed.</summary>
    public ParameterStore Store => _store;

    /// <summary>The optimizer.</summary>
    public Optimizer Optimizer => _optimizer;

    /// <summary>The data.</summary>
    public TrainingData Data => _data;

    /// <summary>
    /// Runs to the end, or until <paramref name="cancel"/> fires or a loss is not finite; on
    /// <see cref="TrainingOptions.Threads"/> kernel threads when set (the process's setting is
    /// restored on return). The model trains in training mode (dropout on) and is left in
    /// evaluation mode, ready to decode; a later Run switches it back.
    /// </summary>
    public TrainingResult Run(CancellationToken cancel = default)
    {
        using var runLock = _folder is null ? null : RunLock.Acquire(_folder);
        if (_folder is not null)
        {
            if (_step == 0 && RunFolder.HasCheckpoint(_folder))
                throw new InputException(_folder, "already holds a checkpoint; continue it with Trainer.Resume, or train into another folder");
            RunFolder.CleanUp(_folder);
        }
        int threadsBefore = Parallelism.MaxThreads;
        if (_options.Threads is { } threads) Parallelism.MaxThreads = threads;
        _model.Training = true;
        try
        {
            return RunSteps(cancel);
        }
        finally
        {
            Parallelism.MaxThreads = threadsBefore;
            _model.Training = false;
        }
    }

    private TrainingResult RunSteps(CancellationToken cancel)
    {
        if (_folder is not null) Directory.CreateDirectory(_folder);
        int b = _options.Batch, t = _options.Sequence, tokens = b * t;
        var inputs = new int[tokens];
        var targets = new int[tokens];
        using var metrics = _folder is null ? null : new MetricsLog(Path.Combine(_folder, Checkpoint.MetricsFile), _step == 0 ? null : _step);
        _observer?.Started(_step, _options.Steps, _store.Count, tokens);
        var clock = Stopwatch.StartNew();
        long firstStep = _step;
        var recent = new Queue<(long Step, double Seconds)>();
        double lossWindow = 0;
        var losses = new Queue<double>();
        while (_step < _options.Steps)
        {
            if (_batches.StartsEpoch(_step)) _state.Clear();
            _batches.Fill(_step, inputs, targets);
            double lr = _optimizer.LearningRate();
            double loss = _model.Forward(inputs, targets, t, b, _state);
            if (!double.IsFinite(loss))
            {
                metrics?.Flush();
                string kept = _folder is null ? "" : " and the last good checkpoint was kept";
                return Result(TrainingStatus.NonFiniteLoss, clock, firstStep, lossWindow, losses.Count,
                    $"the loss at step {_step + 1} is {loss}; training stopped{kept}");
            }
            _model.Backward();
            var report = _optimizer.ClipAndStep(_options.ClipNorm ?? double.PositiveInfinity);
            _optimizer.ZeroGrad();
            _step++;

            losses.Enqueue(loss);
            lossWindow += loss;
            if (losses.Count > 50) lossWindow -= losses.Dequeue();
            double now = clock.Elapsed.TotalSeconds;
            recent.Enqueue((_step, now));
            while (recent.Count > 20) recent.Dequeue();
            var (oldStep, oldTime) = recent.Peek();
            // The rate over the last training steps (validation excluded: the window restarts after
            // it); the time left from the session's mean step, validation included.
            double tokensPerSecond = now > oldTime ? (_step - oldStep) * tokens / (now - oldTime) : (_step - firstStep) * tokens / Math.Max(now, 1e-9);
            var remaining = TimeSpan.FromSeconds(now / (_step - firstStep) * (_options.Steps - _step));
            metrics?.Write(new JsonObject
            {
                ["step"] = _step,
                ["train_loss"] = loss,
                ["lr"] = MetricsLog.Number(lr),
                ["grad_norm"] = MetricsLog.Number(report.GradientNorm),
                ["skipped"] = report.Skipped ? true : null,
                ["tokens_per_s"] = Math.Round(tokensPerSecond),
            });
            _observer?.Stepped(new TrainingProgress(_step, _options.Steps, loss, lr, report.GradientNorm, report.Skipped, tokensPerSecond, remaining));

            bool last = _step == _options.Steps;
            if (last || _options.EvalEvery > 0 && _step % _options.EvalEvery == 0)
            {
                double validation = Evaluate();
                if (!double.IsFinite(validation))
                {
                    metrics?.Flush();
                    string kept = _folder is null ? "" : " and the last good checkpoint was kept";
                    return Result(TrainingStatus.NonFiniteLoss, clock, firstStep, lossWindow, losses.Count,
                        $"the validation loss at step {_step} is {validation}; training stopped{kept}");
                }
                _validationLoss = validation;
                metrics?.Write(new JsonObject { ["step"] = _step, ["val_loss"] = validation, ["val_ppl"] = MetricsLog.Number(Math.Exp(validation)) });
                _observer?.Validated(_step, _validationLoss.Value);
                SaveCheckpoint(metrics);
                recent.Clear();
                recent.Enqueue((_step, clock.Elapsed.TotalSeconds));
            }
            if (cancel.IsCancellationRequested && !last)
            {
                SaveCheckpoint(metrics);
                return Result(TrainingStatus.Interrupted, clock, firstStep, lossWindow, losses.Count, $"interrupted at step {_step}");
            }
        }
        return Result(TrainingStatus.Completed, clock, firstStep, lossWindow, losses.Count, null);
    }

    /// <summary>
    /// The mean loss (nats per token) over the whole validation stream, in evaluation mode,
    /// carrying the state across windows as training does.
    /// </summary>
    public double Evaluate()
    {
        int t = _options.Sequence;
        int b = Math.Max(1, Math.Min(_options.Batch, (_data.Validation.Length - 1) / t));
        if (_data.Validation.Length < t + 1) t = _data.Validation.Length - 1;
        var batches = new StreamBatches(_data.Validation, b, t);
        var inputs = new int[b * t];
        var targets = new int[b * t];
        var state = _model.Rnn.CreateState(b);
        bool training = _model.Training;
        _model.Training = false;
        double total = 0;
        for (int k = 0; k < batches.Count; k++)
        {
            batches.Fill(k, inputs, targets);
            total += _model.Forward(inputs, targets, t, b, state);
        }
        _model.Training = training;
        return total / batches.Count;
    }

    private TrainingResult Result(TrainingStatus status, Stopwatch clock, long firstStep, double lossWindow, int count, string? message)
    {
        double seconds = clock.Elapsed.TotalSeconds;
        double tokensPerSecond = seconds > 0 ? (_step - firstStep) * (double)_options.Batch * _options.Sequence / seconds : 0;
        return new TrainingResult(status, _step, count > 0 ? lossWindow / count : double.NaN, _validationLoss, tokensPerSecond, message);
    }

    /// <summary>
    /// Whether a checkpoint is being written at this moment; a front end that stops the process on
    /// a second interrupt waits while this is true.
    /// </summary>
    public bool IsSaving => _saving;

    private volatile bool _saving;

    /// <summary>
    /// Publishes the checkpoint as a whole (<see cref="RunFolder.Publish"/>): the optimizer and
    /// trainer state, the weights and the config in a new folder, then <c>latest</c> names it.
    /// </summary>
    private void SaveCheckpoint(MetricsLog? metrics)
    {
        if (_folder is null || metrics is null) return;
        metrics.Flush();
        _saving = true;
        try
        {
            RunFolder.Publish(_folder, _step, WriteCheckpoint);
        }
        finally
        {
            _saving = false;
        }
        _observer?.Checkpointed(_step, _folder);
    }

    private void WriteCheckpoint(string dir)
    {
        var st = new Safetensors();
        st.Metadata["step"] = _step.ToString(System.Globalization.CultureInfo.InvariantCulture);
        _optimizer.WriteState(st);
        st.Add("trainer.step", [_step], 1);
        st.Add("trainer.hidden", _state.Hidden.Span, _state.Hidden.Shape.ToArray());
        if (_state.Cell is { } cell) st.Add("trainer.cell", cell.Span, cell.Shape.ToArray());
        ulong[] rng = _model.DropoutRng.GetState();
        st.Add("trainer.dropout_rng", Array.ConvertAll(rng, x => unchecked((long)x)), rng.Length);
        st.Save(Path.Combine(dir, Checkpoint.OptimizerFile));
        Checkpoint.SaveModel(dir, _model, _step);
        CheckpointConfig.Save(dir, new CheckpointConfig(_data.Corpus, _data.Tokenizer, _model.Options, _options, _step, _data.EntropyFloor, _model.Primer)
        {
            TokenizerOptions = _data.TokenizerOptions,
            ValidationCorpus = _data.ValidationCorpus,
            CorpusFiles = _data.CorpusFiles,
        });
    }

    private void LoadState(string path, long step)
    {
        if (!File.Exists(path)) throw new InputException(path, "is missing; the checkpoint cannot be resumed");
        var st = Safetensors.Load(path);
        long saved = Words(st, "trainer.step", 1, path)[0];
        if (saved != step) throw new InputException(path, $"is from step {saved} but the checkpoint's config from step {step}; the run was interrupted while saving");
        _optimizer.ReadState(st, path);
        if (_optimizer.StepCount + _optimizer.SkippedSteps != step)
            throw new InputException(path, $"the optimizer has taken {_optimizer.StepCount} steps and skipped {_optimizer.SkippedSteps}, which is not the checkpoint's step {step}; the file was changed");
        Restore(st, "trainer.hidden", _state.Hidden.Span, path);
        if (_state.Cell is { } cell) Restore(st, "trainer.cell", cell.Span, path);
        _model.DropoutRng = Rng.FromState(Array.ConvertAll(Words(st, "trainer.dropout_rng", 6, path), x => unchecked((ulong)x)));
        _step = step;
    }

    // An I64 tensor of exactly `count` values.
    private static long[] Words(Safetensors st, string name, int count, string path)
    {
        if (!st.Contains(name) || st.DTypeOf(name) != "I64" || st.GetInt64(name) is not { } words || words.Length != count)
            throw new InputException(path, $"has no I64 tensor '{name}' of {count} value{(count == 1 ? "" : "s")}; the file is damaged or was not written by `recur train`");
        return words;
    }

    private static void Restore(Safetensors st, string name, Span<float> destination, string path)
    {
        if (!st.Contains(name) || st.DTypeOf(name) != "F32")
            throw new InputException(path, $"has no F32 tensor '{name}'; the file is damaged or was not written by `recur train`");
        float[] values = st.GetFloat32(name);
        if (!Array.TrueForAll(values, float.IsFinite)) throw new InputException(path, $"'{name}' holds a value that is not finite (NaN or ±∞)");
        if (values.Length != destination.Length) throw new InputException(path, $"'{name}' holds {values.Length} values; this run needs {destination.Length}");
        values.CopyTo(destination);
    }

    // Training holds the weights and gradients (the model's), the optimizer's state (up to two
    // buffers the size of the weights) and each step's activations (a few gate-sized vectors per
    // token and layer, and the output rows).
    /// <summary>
    /// Refuses, with an <see cref="InputException"/>, a training run whose weights, gradients,
    /// optimizer state and activations would not fit in this machine's memory; call it before
    /// building a large model (the constructor calls it too).
    /// </summary>
    public static void CheckMemory(RnnLanguageModelOptions o, int vocabulary, TrainingOptions options)
    {
        ArgumentNullException.ThrowIfNull(o);
        ArgumentNullException.ThrowIfNull(options);
        double weights = o.WeightCount(vocabulary);
        double tokens = (double)options.Batch * options.Sequence;
        double activations = tokens * (8.0 * o.Hidden * o.Layers + o.Embedding + 2.0 * Math.Min(vocabulary, 1 << 16)) * 4;
        double bytes = 16 * weights + activations;
        if (bytes > MachineMemory.AvailableBytes)
            throw new InputException(TrainingOptions.Subject(nameof(TrainingOptions.Batch)),
                $"training {weights:N0} weights on {tokens:N0} tokens a step needs about {MachineMemory.Describe(bytes)}; this machine has {MachineMemory.Describe(MachineMemory.AvailableBytes)}: use a smaller model, batch or sequence");
    }

    private static Optimizer CreateOptimizer(ParameterStore store, TrainingOptions o)
    {
        var regularization = o.Regularization();
        Optimizer optimizer = o.Optimizer switch
        {
            OptimizerKind.Sgd => new Sgd(store, new SgdOptions(o.LearningRate) { Momentum = o.Momentum, Nesterov = o.Nesterov, Regularization = regularization }),
            _ => new Adam(store, new AdamOptions { LearningRate = o.LearningRate, Regularization = regularization }),
        };
        optimizer.Schedule = o.LearningRateSchedule();
        return optimizer;
    }
}
