using Recur.Kernels;
using Recur.LanguageModels.Rnn;
using Recur.Nn.Recurrent;
using Recur.Tensors;
using Recur.Text;
using TorchSharp;

namespace Recur.Bench;

/// <summary>
/// `lstm-step`: one decoding step of the whole language model (embedding → LSTM step → head
/// → log-softmax over V = 65) for B = 1 and 8 rows, the small configuration, Recur's
/// ILanguageModel.Step beside the same network in TorchSharp (no_grad, evaluation mode).
/// Figure: µs per step.
/// </summary>
internal static class LstmStepBench
{
    public static void Run(BenchOptions options)
    {
        var c = LstmTrainBench.Configs[0];
        var tokenizer = Tokenizer.Build(TokenizerKind.Char, string.Concat(Enumerable.Range(0, 65).Select(i => (char)('!' + i))));
        foreach (int threads in options.Threads)
        {
            Parallelism.MaxThreads = threads;
            torch.set_num_threads(threads);
            foreach (int batch in new[] { 1, 8 })
            {
                string config = $"{c.Name}-b{batch}";
                if (options.Filter is not null && !config.Contains(options.Filter, StringComparison.Ordinal)) continue;
                var model = new RnnLanguageModel(tokenizer, new RnnLanguageModelOptions { Cell = CellKind.Lstm, Embedding = c.E, Hidden = c.H, Layers = c.L }, new Rng(1));
                model.Training = false;
                using var peer = new LanguageModelPeer(model, 1e-3);
                peer.Eval();
                peer.ResetState(batch);
                var state = model.CreateState(batch);
                var tokens = new int[batch];
                var logProbs = new float[batch * 65];
                using var peerTokens = torch.zeros(new long[] { 1, batch }, torch.int64);
                var recur = new Measure.Impl("recur", () => model.Step(state, tokens, logProbs));
                var peerImpl = new Measure.Impl("torchsharp", () => peer.DecodeStep(peerTokens));
                Measure.Compare("lstm-step", config, threads, recur, peerImpl, s => s * 1e6, "us/step", higherIsBetter: false, options,
                    new Dictionary<string, object> { ["V"] = 65, ["E"] = c.E, ["H"] = c.H, ["L"] = c.L, ["B"] = batch });
            }
        }
    }
}
