using System.CommandLine;
using System.Globalization;
using Recur.Cli.Training;
using Recur.Kernels;
using Recur.LanguageModels.Rnn;
using Recur.Nn.Recurrent;
using Recur.Tensors;
using Recur.Text;
using Recur.Training;

namespace Recur.Cli.Commands;

/// <summary>
/// `recur train`: trains a recurrent language model on the built-in corpus (no options) or a
/// UTF-8 text, with every option of docs/cli.md; checkpoints to --out, resumes with --resume,
/// saves and exits 0 on Ctrl-C, exits 1 on a non-finite loss (keeping the last good
/// checkpoint); ends with the validation loss against the entropy floor and samples.
/// </summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var corpus = new Option<FileInfo>("--corpus") { Description = "UTF-8 text to train on (default: the built-in scene corpus, whose exact entropy is known)" };
        var tokenizer = ChoiceOption.Create<TokenizerKind>("--tokenizer", "Tokens: one per character, or one per whitespace-separated word");
        var cell = ChoiceOption.Create<CellKind>("--cell", "The recurrent unit");
        var form = ChoiceOption.Create<ElmanForm>("--rnn-form", "Where an Elman cell applies σ (docs/theory.md 1.1)");
        var activation = ChoiceOption.Create<Activation>("--activation", "σ of an Elman cell");
        var embedding = new Option<int>("--embedding") { Description = "Embedding size E" }.AtLeast(1);
        var hidden = new Option<int>("--hidden") { Description = "Hidden size H" }.AtLeast(1);
        var layers = new Option<int>("--layers") { Description = "Recurrent layers L" }.AtLeast(1);
        var dropout = new Option<double>("--dropout") { Description = "Dropout on embeddings, between layers and on the output, in [0, 1)" }.InRange(0, 0.999);
        var norm = new Option<string>("--norm") { Description = "none | layer (layer-normalized cells, Ba et al. 2016)" };
        norm.AcceptOnlyFromAmong("none", "layer");
        var optimizer = ChoiceOption.Create<OptimizerKind>("--optimizer", "The optimizer (adamw: Adam with decoupled weight decay)");
        var lr = new Option<double>("--lr") { Description = "Learning rate" }.Positive();
        var momentum = new Option<double>("--momentum") { Description = "SGD momentum μ" }.InRange(0, 0.999999);
        var nesterov = new Option<bool>("--nesterov") { Description = "Nesterov momentum (SGD)" };
        var weightDecay = new Option<double>("--weight-decay") { Description = "Decoupled weight decay λ (SGDW/AdamW; AdamW's default is 0.01)" }.InRange(0, 1e6);
        var l2 = new Option<double>("--l2") { Description = "Coupled L2 regularization γ: adds 2γθ to the gradient (docs/theory.md 3.2)" }.InRange(0, 1e6);
        var clip = new Option<double>("--clip-norm") { Description = "Clip the global gradient norm (0 = off; default 1)" }.InRange(0, 1e12);
        var schedule = ChoiceOption.Create<ScheduleKind>("--schedule", "The learning-rate schedule");
        var batch = new Option<int>("--batch") { Description = "Streams per batch B" }.AtLeast(1);
        var seq = new Option<int>("--seq") { Description = "Truncated-BPTT length T" }.AtLeast(1);
        var steps = new Option<int>("--steps") { Description = "Optimizer steps (with --resume: the new total)" }.AtLeast(1);
        var evalEvery = new Option<int>("--eval-every") { Description = "Validate and checkpoint every this many steps (0 = at the end only)" }.AtLeast(0);
        var seed = new Option<ulong>("--seed") { Description = "Seed of the initial weights and dropout masks" };
        var threads = new Option<int>("--threads") { Description = "Kernel threads (default: all cores)" }.AtLeast(1);
        var output = new Option<DirectoryInfo>("--out") { Description = "Run folder for checkpoints, metrics.jsonl and loss.png (default: runs/<time>)" };
        var resume = new Option<DirectoryInfo>("--resume") { Description = "Continue the run saved in this folder exactly" };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of the summary" };

        var cmd = new Command("train", "Train a recurrent language model (with no options: a small LSTM on the built-in corpus in about two minutes).")
        {
            corpus, tokenizer, cell, form, activation, embedding, hidden, layers, dropout, norm, optimizer, lr, momentum, nesterov,
            weightDecay, l2, clip, schedule, batch, seq, steps, evalEvery, seed, threads, output, resume, json,
        };
        cmd.SetAction(parse =>
        {
            var stdout = parse.InvocationConfiguration.Output;
            var stderr = parse.InvocationConfiguration.Error;
            bool asJson = parse.GetValue(json);
            T Or<T>(Option<T> o, T fallback) => parse.GetResult(o) is { Implicit: false } ? parse.GetValue(o)! : fallback;
            bool Given(Option o) => parse.GetResult(o) is { Implicit: false };

            if (parse.GetValue(resume) is { } resumeDir)
            {
                Option[] fixedByCheckpoint = [corpus, tokenizer, cell, form, activation, embedding, hidden, layers, dropout, norm, optimizer, lr, momentum,
                    nesterov, weightDecay, l2, clip, schedule, batch, seq, evalEvery, seed, output];
                if (fixedByCheckpoint.FirstOrDefault(Given) is { } clash)
                    throw new InputException(clash.Name, "--resume continues the saved run with its own settings; only --steps and --threads may be given with it");
                var config = Checkpoint.LoadConfig(resumeDir.FullName);
                var view = View(stderr, config.EntropyFloor, config.Tokenizer.Kind);
                var trainer = Trainer.Resume(resumeDir.FullName, Given(steps) ? parse.GetValue(steps) : null, view, Given(threads) ? parse.GetValue(threads) : null);
                return Run(trainer, resumeDir.FullName, view, asJson, stdout, stderr);
            }

            var model = new RnnLanguageModelOptions();
            model = model with
            {
                Cell = Or(cell, model.Cell),
                Form = Or(form, model.Form),
                Activation = Or(activation, model.Activation),
                Embedding = Or(embedding, model.Embedding),
                Hidden = Or(hidden, model.Hidden),
                Layers = Or(layers, model.Layers),
                Dropout = (float)Or(dropout, (double)model.Dropout),
                LayerNorm = Or(norm, "none") == "layer",
            };
            if (model.Cell != CellKind.Rnn && (Given(form) || Given(activation)))
                throw new InputException(Given(form) ? "--rnn-form" : "--activation", $"applies to --cell rnn only; {Choice<CellKind>.Name(model.Cell)} has fixed gate functions");
            var defaults = new TrainingOptions();
            var optimizerKind = Or(optimizer, defaults.Optimizer);
            var training = defaults with
            {
                Optimizer = optimizerKind,
                LearningRate = Or(lr, optimizerKind == OptimizerKind.Sgd ? 1.0 : defaults.LearningRate),
                Momentum = Or(momentum, 0.0),
                Nesterov = Or(nesterov, false),
                WeightDecay = Given(weightDecay) ? parse.GetValue(weightDecay) : null,
                L2 = Given(l2) ? parse.GetValue(l2) : null,
                ClipNorm = Given(clip) ? (parse.GetValue(clip) == 0 ? null : parse.GetValue(clip)) : defaults.ClipNorm,
                Schedule = Or(schedule, defaults.Schedule),
                Batch = Or(batch, defaults.Batch),
                Sequence = Or(seq, defaults.Sequence),
                Steps = Or(steps, defaults.Steps),
                EvalEvery = Or(evalEvery, defaults.EvalEvery),
                Seed = Or(seed, defaults.Seed),
                Threads = Or(threads, Environment.ProcessorCount),
            };
            training.Validate();
            var kind = Or(tokenizer, TokenizerKind.Char);
            var data = parse.GetValue(corpus) is { } file ? TrainingData.FromFile(file.FullName, kind) : TrainingData.BuiltIn(kind);
            string folder = (parse.GetValue(output) ?? new DirectoryInfo(Path.Combine("runs", DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)))).FullName;
            if (File.Exists(Path.Combine(folder, Checkpoint.ConfigFile)))
                throw new InputException(folder, "already holds a checkpoint; continue it with --resume, or choose another --out");
            var lm = new RnnLanguageModel(data.Tokenizer, model, new Rng(training.Seed));
            var progress = View(stderr, data.EntropyFloor, kind);
            return Run(new Trainer(lm, data, training, folder, progress), folder, progress, asJson, stdout, stderr);
        });
        return cmd;
    }

    private static ProgressView View(TextWriter stderr, double? floor, TokenizerKind kind) =>
        new(stderr, interactive: ReferenceEquals(stderr, Console.Error) && !Console.IsErrorRedirected, floor, kind == TokenizerKind.Char ? "char" : "token");

    private static int Run(Trainer trainer, string folder, ProgressView view, bool json, TextWriter stdout, TextWriter stderr)
    {
        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            // The first Ctrl-C asks the trainer to save and stop after this step; a second one kills.
            if (cancel.IsCancellationRequested) return;
            e.Cancel = true;
            cancel.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        TrainingResult result;
        try
        {
            result = trainer.Run(cancel.Token);
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
            view.EndLine();
        }
        if (result.Status == TrainingStatus.NonFiniteLoss) stderr.WriteLine($"error: training: {result.Message} (try a lower --lr or --clip-norm)");
        else if (result.Status == TrainingStatus.Interrupted) stderr.WriteLine($"{result.Message}; resume with --resume {folder}");
        if (result.Status == TrainingStatus.NonFiniteLoss) return ExitCodes.CheckFailed;
        TrainingSummary.Write(trainer, result, folder, json, stdout);
        return ExitCodes.Success;
    }
}
