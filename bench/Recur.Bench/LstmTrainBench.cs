using System.Diagnostics;
using Recur.Kernels;
using Recur.LanguageModels.Rnn;
using Recur.Nn.Output;
using Recur.Nn.Recurrent;
using Recur.Optim;
using Recur.Tensors;
using Recur.Text;
using Recur.Training;
using TorchSharp;

namespace Recur.Bench;

// Dimension glossary: T steps, B batch, V vocabulary, E embedding, H hidden, L layers.

/// <summary>
/// `lstm-train`: training steps of the whole language model (embedding → LSTM → output layer,
/// cross-entropy, backward, clipping at 1, Adam) for the bench/README.md configurations,
/// Recur beside its TorchSharp twin started from the same weights on the same batches:
/// character models (V = 65, uniform tokens) and word models (V = 28,000, tokens drawn from a
/// Zipf law over frequency-ordered ids, as a word corpus gives them) with a full softmax or an
/// adaptive softmax (cutoffs 2,000 and 10,000, divisor 4). Figure: tokens/s. With --data FILE
/// (e.g. ../shared/data/tinyshakespeare.txt) it also trains both character models for --steps
/// steps (default 300) on that text and reports their validation losses, which must agree
/// (the same network, the same data, two implementations).
/// </summary>
internal static class LstmTrainBench
{
    /// <summary>A configuration: vocabulary V, embedding E, hidden H, layers L, batch B, steps T, output layer.</summary>
    internal sealed record Config(string Name, int V, int E, int H, int L, int B, int T, SoftmaxKind Softmax = SoftmaxKind.Full)
    {
        public bool Words => V > 65;
    }

    internal static readonly Config[] Configs =
    [
        new("small", 65, 64, 256, 1, 32, 64),
        new("medium", 65, 128, 512, 2, 32, 128),
        new("word256-full", 28_000, 256, 256, 1, 32, 35),
        new("word256-adaptive", 28_000, 256, 256, 1, 32, 35, SoftmaxKind.Adaptive),
        new("word512-full", 28_000, 512, 512, 1, 32, 35),
        new("word512-adaptive", 28_000, 512, 512, 1, 32, 35, SoftmaxKind.Adaptive),
    ];

    private const double LearningRate = 2e-3, Clip = 1.0;

    public static void Run(BenchOptions options)
    {
        foreach (int threads in options.Threads)
        {
            Parallelism.MaxThreads = threads;
            torch.set_num_threads(threads);
            foreach (var c in Configs)
            {
                if (options.Filter is not null && !c.Name.Contains(options.Filter, StringComparison.Ordinal)) continue;
                if (options.Data is { } path)
                {
                    if (!c.Words) Parity(options, threads, c, path);
                }
                else Speed(options, threads, c);
            }
        }
    }

    private static (RnnLanguageModel Model, Optimizer Optimizer) Recur(Tokenizer tokenizer, Config c)
    {
        var options = new RnnLanguageModelOptions { Cell = CellKind.Lstm, Embedding = c.E, Hidden = c.H, Layers = c.L, Softmax = c.Softmax };
        var model = new RnnLanguageModel(tokenizer, options, new Rng(1));
        var optimizer = new Adam(new ParameterStore(model.Parameters()), new AdamOptions { LearningRate = LearningRate });
        return (model, optimizer);
    }

    private static void Speed(BenchOptions options, int threads, Config c)
    {
        var tokenizer = c.Words
            ? Tokenizer.FromVocabulary(TokenizerKind.Word, new Vocabulary(Enumerable.Range(0, c.V - 2).Select(i => $"w{i}").Append(Tokenizer.EndOfLine).Append(Tokenizer.Unknown)))
            : Tokenizer.Build(TokenizerKind.Char, string.Concat(Enumerable.Range(0, 65).Select(i => (char)('!' + i))));
        var rng = new Rng(3);
        var tokens = new int[c.B * c.T * 16 + 1];
        var zipf = c.Words ? Zipf(c.V) : null;
        for (int i = 0; i < tokens.Length; i++) tokens[i] = zipf is null ? rng.NextInt(65) : Sample(zipf, rng.NextDouble());
        var batches = new StreamBatches(tokens, c.B, c.T);
        var (model, optimizer) = Recur(tokenizer, c);
        using var peer = new LanguageModelPeer(model, LearningRate);
        var state = model.Rnn.CreateState(c.B);
        peer.ResetState(c.B);
        int[] x = new int[c.B * c.T], y = new int[c.B * c.T];
        long stepRecur = 0, stepPeer = 0;
        var recurImpl = new Measure.Impl("recur", () =>
        {
            batches.Fill(stepRecur++, x, y);
            model.Forward(x, y, c.T, c.B, state);
            model.Backward();
            optimizer.ClipAndStep(Clip);
            optimizer.ZeroGrad();
        });
        var peerImpl = new Measure.Impl("torchsharp", () =>
        {
            batches.Fill(stepPeer++, x, y);
            peer.TrainStep(x, y, c.T, c.B, LearningRate, Clip);
        });
        double tokensPerStep = (double)c.B * c.T;
        Measure.Compare("lstm-train", c.Name, threads, recurImpl, peerImpl, s => tokensPerStep / s, "tokens/s", higherIsBetter: true, options,
            new Dictionary<string, object> { ["V"] = c.V, ["E"] = c.E, ["H"] = c.H, ["L"] = c.L, ["B"] = c.B, ["T"] = c.T, ["softmax"] = c.Softmax.ToString().ToLowerInvariant() });
    }

    // The cumulative distribution of a Zipf law p(k) ∝ 1/(k + 1) over ids 0 … V − 1.
    private static double[] Zipf(int v)
    {
        var cdf = new double[v];
        double total = 0;
        for (int k = 0; k < v; k++) cdf[k] = total += 1.0 / (k + 1);
        for (int k = 0; k < v; k++) cdf[k] /= total;
        return cdf;
    }

    private static int Sample(double[] cdf, double u)
    {
        int i = Array.BinarySearch(cdf, u);
        return Math.Min(i < 0 ? ~i : i, cdf.Length - 1);
    }

    private static void Parity(BenchOptions options, int threads, Config c, string path)
    {
        var data = TrainingData.FromFile(path, TokenizerKind.Char);
        int steps = options.Steps ?? 300;
        var (model, optimizer) = Recur(data.Tokenizer, c);
        using var peer = new LanguageModelPeer(model, LearningRate);
        var batches = new StreamBatches(data.Train, c.B, c.T);
        var state = model.Rnn.CreateState(c.B);
        int[] x = new int[c.B * c.T], y = new int[c.B * c.T];
        double recurSeconds = 0, peerSeconds = 0, lastRecur = 0, lastPeer = 0;
        for (long s = 0; s < steps; s++)
        {
            if (batches.StartsEpoch(s))
            {
                state.Clear();
                peer.ResetState(c.B);
            }
            batches.Fill(s, x, y);
            var clock = Stopwatch.StartNew();
            lastRecur = model.Forward(x, y, c.T, c.B, state);
            model.Backward();
            optimizer.ClipAndStep(Clip);
            optimizer.ZeroGrad();
            recurSeconds += clock.Elapsed.TotalSeconds;
            clock.Restart();
            lastPeer = peer.TrainStep(x, y, c.T, c.B, LearningRate, Clip);
            peerSeconds += clock.Elapsed.TotalSeconds;
            if ((s + 1) % 50 == 0) Console.Error.WriteLine($"lstm-train {c.Name} on {Path.GetFileName(path)}: step {s + 1}/{steps}, loss recur {lastRecur:F4} torchsharp {lastPeer:F4}");
        }
        // Validation: the held-out tenth, windows of T over B streams, from a zero state, evaluation mode.
        model.Training = false;
        peer.Eval();
        var val = new StreamBatches(data.Validation, c.B, c.T);
        var vstate = model.Rnn.CreateState(c.B);
        peer.ResetState(c.B);
        double recurVal = 0, peerVal = 0;
        for (int k = 0; k < val.Count; k++)
        {
            val.Fill(k, x, y);
            recurVal += model.Forward(x, y, c.T, c.B, vstate);
            peerVal += peer.Loss(x, y, c.T, c.B);
        }
        recurVal /= val.Count;
        peerVal /= val.Count;
        string config = c.Name + "-" + Path.GetFileNameWithoutExtension(path);
        double tokens = (double)steps * c.B * c.T;
        Measure.Emit(new() { ["bench"] = "lstm-train", ["config"] = config, ["threads"] = threads, ["impl"] = "recur", ["figure"] = Math.Round(recurVal, 4), ["unit"] = "val nats/char",
            ["steps"] = steps, ["train_loss"] = Math.Round(lastRecur, 4), ["tokens_per_s"] = Math.Round(tokens / recurSeconds) }, null);
        Measure.Emit(new() { ["bench"] = "lstm-train", ["config"] = config, ["threads"] = threads, ["impl"] = "torchsharp", ["figure"] = Math.Round(peerVal, 4), ["unit"] = "val nats/char",
            ["steps"] = steps, ["train_loss"] = Math.Round(lastPeer, 4), ["tokens_per_s"] = Math.Round(tokens / peerSeconds) }, null);
        Measure.Emit(new() { ["bench"] = "lstm-train", ["config"] = config, ["threads"] = threads, ["val_difference"] = Math.Round(recurVal - peerVal, 4),
            ["ratio"] = Math.Round(peerSeconds / recurSeconds, 3) }, null);
    }
}
