using Recur.Kernels;
using Recur.Nn.Recurrent;
using TorchSharp;

namespace Recur.Bench;

// Dimension glossary: T steps, B batch, E input features, H hidden units, L layers.

/// <summary>
/// `lstm-layer`: the LSTM stack alone, Recur's RecurrentStack beside TorchSharp's nn.LSTM on the
/// same shapes and thread count. "train": forward over (T, B, E) from a given state, then
/// backward of L = Σ out ⊙ W with ∂L/∂x (as an embedding below it needs) and zeroed gradients;
/// figure tokens (T·B) per second. "step": one evaluation-mode step for B = 1 (greedy
/// decoding), figure steps per second. The full language-model benches (lstm-train, lstm-step)
/// add the embedding and the head.
/// </summary>
internal static class LstmLayerBench
{
    public static void Run(BenchOptions options)
    {
        foreach (int threads in options.Threads)
        {
            Parallelism.MaxThreads = threads;
            torch.set_num_threads(threads);
            foreach (var c in LstmTrainBench.Configs.Where(c => !c.Words))   // the layers of the character lstm-train configurations
            {
                if (Wanted(options, c.Name + "-train")) Train(options, threads, c);
                if (Wanted(options, c.Name + "-step")) Step(options, threads, c);
            }
        }
    }

    private static bool Wanted(BenchOptions options, string name) => options.Filter is null || name.Contains(options.Filter, StringComparison.Ordinal);

    private static void Train(BenchOptions options, int threads, LstmTrainBench.Config c)
    {
        var rng = new Recur.Tensors.Rng(1);
        var stack = new RecurrentStack(new RecurrentOptions(CellKind.Lstm, c.E, c.H) { Layers = c.L }, rng);
        float[] x = Uniform(rng, c.T * c.B * c.E), w = Uniform(rng, c.T * c.B * c.H);
        float[] y = new float[w.Length], dx = new float[x.Length];
        var initial = stack.CreateState(c.B);
        rng.FillUniform(initial.Hidden.Span, -1, 1);
        rng.FillUniform(initial.Cell!.Span, -1, 1);
        var recur = new Measure.Impl("recur", () =>
        {
            foreach (var p in stack.Parameters()) p.Grad.Clear();
            stack.Forward(x, y, c.T, c.B, initial);
            stack.Backward(w, dx);
        });

        var lstm = torch.nn.LSTM(c.E, c.H, numLayers: c.L);
        var tx = torch.tensor(x, [c.T, c.B, c.E]).requires_grad_(true);
        var tw = torch.tensor(w, [c.T, c.B, c.H]);
        var th = torch.tensor(initial.Hidden.Span.ToArray(), [c.L, c.B, c.H]);
        var tc = torch.tensor(initial.Cell.Span.ToArray(), [c.L, c.B, c.H]);
        var peer = new Measure.Impl("torchsharp", () =>
        {
            using var scope = torch.NewDisposeScope();
            lstm.zero_grad();
            tx.grad?.zero_();
            var (output, _, _) = lstm.forward(tx, (th, tc));
            output.mul(tw).sum().backward();
        });
        double tokens = (double)c.T * c.B;
        Measure.Compare("lstm-layer", c.Name + "-train", threads, recur, peer, s => tokens / s, "tokens/s", higherIsBetter: true, options,
            new Dictionary<string, object> { ["E"] = c.E, ["H"] = c.H, ["L"] = c.L, ["B"] = c.B, ["T"] = c.T });
    }

    private static void Step(BenchOptions options, int threads, LstmTrainBench.Config c)
    {
        const int batch = 1;
        var rng = new Recur.Tensors.Rng(2);
        var stack = new RecurrentStack(new RecurrentOptions(CellKind.Lstm, c.E, c.H) { Layers = c.L }, rng) { Training = false };
        float[] x = Uniform(rng, batch * c.E), y = new float[batch * c.H];
        var state = stack.CreateState(batch);
        var recur = new Measure.Impl("recur", () => stack.Step(x, y, state));

        var lstm = torch.nn.LSTM(c.E, c.H, numLayers: c.L);
        lstm.eval();
        var tx = torch.tensor(x, [1, batch, c.E]);
        var th = torch.zeros(c.L, batch, c.H);
        var tc = torch.zeros(c.L, batch, c.H);
        var peer = new Measure.Impl("torchsharp", () =>
        {
            using var scope = torch.NewDisposeScope();
            using var noGrad = torch.no_grad();
            var (_, h, cell) = lstm.forward(tx, (th, tc));
            th.Dispose();
            tc.Dispose();
            th = h.MoveToOuterDisposeScope();
            tc = cell.MoveToOuterDisposeScope();
        });
        Measure.Compare("lstm-layer", c.Name + "-step", threads, recur, peer, s => 1 / s, "steps/s", higherIsBetter: true, options,
            new Dictionary<string, object> { ["E"] = c.E, ["H"] = c.H, ["L"] = c.L, ["B"] = batch });
    }

    private static float[] Uniform(Recur.Tensors.Rng rng, int n)
    {
        var a = new float[n];
        rng.FillUniform(a, -1, 1);
        return a;
    }
}
