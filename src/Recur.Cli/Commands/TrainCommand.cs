using System.CommandLine;
using System.Globalization;
using Recur.Cli.Training;
using Recur.Formats;
using Recur.Kernels;
using Recur.LanguageModels.Rnn;
using Recur.Nn.Output;
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
    // The library's defaults, shown in help; an option left out keeps them (or a checkpoint's values).
    private static readonly RnnLanguageModelOptions Model = new();
    private static readonly TrainingOptions Defaults = new();

    public static Command Create()
    {
        var corpus = new Option<FileInfo[]>("--corpus")
        {
            Description = "UTF-8 text to train on: one file, several (read one after the other), or - for standard input (kept in the run folder as corpus.txt, so that --resume can read it again); gzip-compressed files are read as they are",
            Arity = ArgumentArity.OneOrMore,
            AllowMultipleArgumentsPerToken = true,
        }.ShowsDefault("the built-in scene corpus, whose exact entropy is known");
        var validation = new Option<FileInfo>("--validation") { Description = "UTF-8 text to validate on (- for standard input)" }.ShowsDefault("the corpus's last tenth");
        var tokenizer = ChoiceOption.Create<TokenizerKind>("--tokenizer", "Tokens: characters, whitespace-separated words, or byte-pair-encoded subwords").ShowsDefault(Choice<TokenizerKind>.Name(new TokenizerOptions().Kind));
        var minCount = new Option<int>("--min-count") { Description = "Word tokenizer: keep words seen at least this often in the training text; the rest become <unk>" }.AtLeast(1).ShowsDefault(new TokenizerOptions().MinCount);
        var maxVocab = new Option<int>("--max-vocab") { Description = "Word tokenizer: keep at most this many tokens, <eos> and <unk> included, the most frequent first" }.AtLeast(3).ShowsDefault("all");
        var bpeMerges = new Option<int>("--bpe-merges") { Description = "BPE tokenizer: merges learned on the training text, on top of the 256 bytes" }.AtLeast(0).ShowsDefault(new TokenizerOptions().BpeMerges);
        var cell = ChoiceOption.Create<CellKind>("--cell", "The recurrent unit").ShowsDefault(Choice<CellKind>.Name(Model.Cell));
        var form = ChoiceOption.Create<ElmanForm>("--rnn-form", "Where an Elman cell applies σ (docs/theory.md 1.1)").ShowsDefault(Choice<ElmanForm>.Name(Model.Form));
        var activation = ChoiceOption.Create<Activation>("--activation", "σ of an Elman cell").ShowsDefault(Choice<Activation>.Name(Model.Activation));
        var embedding = new Option<int>("--embedding") { Description = "Embedding size E" }.AtLeast(1).ShowsDefault(Model.Embedding);
        var hidden = new Option<int>("--hidden") { Description = "Hidden size H" }.AtLeast(1).ShowsDefault(Model.Hidden);
        var layers = new Option<int>("--layers") { Description = "Recurrent layers L" }.AtLeast(1).ShowsDefault(Model.Layers);
        var dropout = new Option<double>("--dropout") { Description = "Dropout on embeddings, between layers and on the output, in [0, 1)" }.InRange(0, 0.999).ShowsDefault(Model.Dropout);
        var lockedDropout = new Option<bool>("--locked-dropout") { Description = "One dropout mask per sequence and feature, shared by the time steps of a window (variational dropout, Gal & Ghahramani 2016)" };
        var norm = new Option<string>("--norm") { Description = "none | layer (layer-normalized cells, Ba et al. 2016)" }.ShowsDefault("none");
        norm.AcceptOnlyFromAmong("none", "layer");
        var softmax = ChoiceOption.Create<SoftmaxKind>("--softmax", "The output layer: a full softmax, or an adaptive softmax over frequency clusters (Grave et al. 2017) for large vocabularies").ShowsDefault(Choice<SoftmaxKind>.Name(Model.Softmax));
        var cutoffs = new Option<int[]>("--cutoffs")
        {
            Description = "Adaptive softmax: token ids where tail clusters start, increasing (ids follow training frequency; those below the vocabulary size are kept)",
            CustomParser = CutoffList,
        }.ShowsDefault("2000,10000");
        var tieWeights = new Option<bool>("--tie-weights") { Description = "Share the embedding and output matrices (needs --embedding = --hidden and the full softmax)" };
        var optimizer = ChoiceOption.Create<OptimizerKind>("--optimizer", "The optimizer (adamw: Adam with decoupled weight decay)").ShowsDefault(Choice<OptimizerKind>.Name(Defaults.Optimizer));
        var lr = new Option<double>("--lr") { Description = "Learning rate" }.Positive().ShowsDefault(Defaults.LearningRate);
        var momentum = new Option<double>("--momentum") { Description = "SGD momentum μ" }.InRange(0, 0.999999).ShowsDefault(Defaults.Momentum);
        var nesterov = new Option<bool>("--nesterov") { Description = "Nesterov momentum (SGD)" };
        var weightDecay = new Option<double>("--weight-decay") { Description = "Decoupled weight decay λ (SGDW/AdamW)" }.InRange(0, 1e6).ShowsDefault("0.01 with adamw, else 0");
        var l2 = new Option<double>("--l2") { Description = "Coupled L2 regularization γ: adds 2γθ to the gradient (docs/theory.md 3.2)" }.InRange(0, 1e6).ShowsDefault(0);
        var clip = new Option<double>("--clip-norm") { Description = "Clip the global gradient norm (0 = off)" }.InRange(0, 1e12).ShowsDefault(Defaults.ClipNorm ?? 0);
        var schedule = ChoiceOption.Create<ScheduleKind>("--schedule", "The learning-rate schedule").ShowsDefault(Choice<ScheduleKind>.Name(Defaults.Schedule));
        var batch = new Option<int>("--batch") { Description = "Streams per batch B" }.AtLeast(1).ShowsDefault(Defaults.Batch);
        var seq = new Option<int>("--seq") { Description = "Truncated-BPTT length T" }.AtLeast(1).ShowsDefault(Defaults.Sequence);
        var steps = new Option<int>("--steps") { Description = "Optimizer steps (with --resume: a new total; the learning rate then continues from where it was, ramps back to --lr over 5% of the added steps and decays to 0 at the new total)" }.AtLeast(1).ShowsDefault(Defaults.Steps);
        var evalEvery = new Option<int>("--eval-every") { Description = "Validate and checkpoint every this many steps (0 = at the end only)" }.AtLeast(0).ShowsDefault(Defaults.EvalEvery);
        var seed = new Option<ulong>("--seed") { Description = "Seed of the initial weights and dropout masks" }.ShowsDefault(Defaults.Seed);
        var threads = new Option<int>("--threads") { Description = "Kernel threads" }.AtLeast(1).ShowsDefault("all cores");
        var output = new Option<DirectoryInfo>("--out") { Description = "Run folder for checkpoints, metrics.jsonl and loss.png" }.ShowsDefault("runs/<time>");
        var resume = new Option<DirectoryInfo>("--resume") { Description = "Continue the run saved in this folder exactly" }.MustBeRunFolder();
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of the summary" };

        var cmd = new Command("train", "Train a recurrent language model (with no options: a small LSTM on the built-in corpus, about 20 s on 2 cores).")
        {
            corpus, validation, tokenizer, minCount, maxVocab, bpeMerges, cell, form, activation, embedding, hidden, layers, dropout, lockedDropout, norm,
            softmax, cutoffs, tieWeights, optimizer, lr, momentum, nesterov,
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
                Option[] fixedByCheckpoint = [corpus, validation, tokenizer, minCount, maxVocab, bpeMerges, cell, form, activation, embedding, hidden, layers,
                    dropout, lockedDropout, norm, softmax, cutoffs, tieWeights, optimizer, lr, momentum, nesterov, weightDecay, l2, clip, schedule, batch, seq, evalEvery, seed, output];
                if (fixedByCheckpoint.FirstOrDefault(Given) is { } clash)
                    throw new InputException(clash.Name, "--resume continues the saved run with its own settings; only --steps and --threads may be given with it");
                var config = CheckpointConfig.Load(resumeDir.FullName);
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
                LockedDropout = Or(lockedDropout, false),
                LayerNorm = Or(norm, "none") == "layer",
                Softmax = Or(softmax, model.Softmax),
                Cutoffs = Given(cutoffs) ? parse.GetValue(cutoffs) : null,
                TieWeights = Or(tieWeights, false),
            };
            if (Given(cutoffs) && model.Softmax != SoftmaxKind.Adaptive) throw new InputException("--cutoffs", "applies to --softmax adaptive only");
            model.Validate();
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
            if (kind != TokenizerKind.Word && (Given(minCount) || Given(maxVocab)))
                throw new InputException(Given(minCount) ? "--min-count" : "--max-vocab", "applies to --tokenizer word only");
            if (kind != TokenizerKind.Bpe && Given(bpeMerges)) throw new InputException("--bpe-merges", "applies to --tokenizer bpe only");
            var vocabulary = new TokenizerOptions
            {
                Kind = kind,
                MinCount = Or(minCount, 1),
                MaxVocabulary = Given(maxVocab) ? parse.GetValue(maxVocab) : null,
                BpeMerges = Or(bpeMerges, new TokenizerOptions().BpeMerges),
            };
            var files = parse.GetValue(corpus) ?? [];
            if (parse.GetValue(validation) is { } v && files.Length == 0) throw new InputException("--validation", "needs --corpus (the built-in corpus has its own validation sample)");
            string folder = (parse.GetValue(output) ?? new DirectoryInfo(Path.Combine("runs", DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)))).FullName;
            if (RunFolder.HasCheckpoint(folder))
                throw new InputException(folder, "already holds a checkpoint; continue it with --resume, or choose another --out");
            if (Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder).Any(e => !RunFolder.IsRunFile(e)))
                throw new InputException(folder, "is not empty and holds no checkpoint; give an empty or new folder to --out, so that no file in it is overwritten");
            var paths = files.Select(f => KeepStandardInput(f.Input(), folder, "corpus.txt")).ToArray();
            string? validationPath = parse.GetValue(validation) is { } vf ? KeepStandardInput(vf.Input(), folder, "validation.txt") : null;
            var data = paths.Length > 0 ? TrainingData.FromFiles(paths, vocabulary, validationPath) : TrainingData.BuiltIn(vocabulary);
            Trainer.CheckMemory(model, data.Tokenizer.Vocabulary.Count, training);
            var lm = new RnnLanguageModel(data.Tokenizer, model, new Rng(training.Seed));
            var progress = View(stderr, data.EntropyFloor, kind);
            return Run(new Trainer(lm, data, training, folder, progress), folder, progress, asJson, stdout, stderr);
        });
        return cmd;
    }

    // Standard input is read once: its text is kept in the run folder and trained on from there,
    // so that --resume and `recur eval` read the same text again.
    private static string KeepStandardInput(string path, string folder, string name)
    {
        if (path != InputFile.StandardInputPath) return path;
        string text = TextFile.Read(path);
        Directory.CreateDirectory(folder);
        string kept = Path.Combine(folder, name);
        AtomicFile.WriteText(kept, text);
        return kept;
    }

    // "2000,10000" → [2000, 10000]; the model checks order and range against the vocabulary.
    private static int[]? CutoffList(System.CommandLine.Parsing.ArgumentResult result)
    {
        string text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
        var parts = text.Split(',', StringSplitOptions.TrimEntries);
        var values = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out values[i]))
            {
                result.AddError($"--cutoffs: '{text}' is not a comma-separated list of token ids (e.g. 2000,10000)");
                return null;
            }
        return values;
    }

    private static ProgressView View(TextWriter stderr, double? floor, TokenizerKind kind) =>
        new(stderr, interactive: ReferenceEquals(stderr, Console.Error) && !Console.IsErrorRedirected, floor, kind == TokenizerKind.Char ? "char" : "token");

    private static int Run(Trainer trainer, string folder, ProgressView view, bool json, TextWriter stdout, TextWriter stderr)
    {
        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            // The first Ctrl-C asks the trainer to save and stop after this step; a second one
            // kills, except while a checkpoint is being written, which it lets finish.
            if (cancel.IsCancellationRequested && !trainer.IsSaving) return;
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
