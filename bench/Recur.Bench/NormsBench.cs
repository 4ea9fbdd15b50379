using Recur.Kernels;
using Recur.Nn.Normalization;
using Recur.Tensors;
using TorchSharp;
using static TorchSharp.torch;
using Tensor = Recur.Tensors.Tensor;
using TorchTensor = TorchSharp.torch.Tensor;

namespace Recur.Bench;

/// <summary>
/// `norms`: forward + backward of each normalization at input (32, 256, 64) = (N, C, L), Recur
/// beside TorchSharp on the same data and thread count. The output gradient is a fixed random
/// W (the gradient of sum(out·W)); both sides start each iteration with cleared gradients.
/// Batch and instance norm use 256 channels, group norm 32 groups of 8 channels, layer and RMS
/// norm the last dimension (64); weight norm re-parametrizes a (32, 256, 64) weight along its
/// first dimension (the layout of a Conv1d(256→32, k = 64) weight): w = g·v/‖v‖ forward, then
/// the gradients of g and v. TorchSharp has no RMS norm or weight norm module, so those two
/// are built from tensor operations there. Figure: µs per forward + backward.
/// </summary>
internal static class NormsBench
{
    private const int N = 32, C = 256, L = 64, Groups = 32;
    private const double Eps = 1e-5;

    private sealed record Case(string Name, Action Recur, Func<TorchTensor> Peer, Func<ReadOnlySpan<float>> RecurGrad, Func<TorchTensor> PeerGrad);

    public static void Run(BenchOptions options)
    {
        var rng = new Rng(42);
        var xs = new float[N * C * L];
        var ws = new float[N * C * L];
        rng.FillNormal(xs, 1, 2);
        rng.FillUniform(ws, -1, 1);
        var x = Tensor.FromSpan(xs, N, C, L);
        var w = Tensor.FromSpan(ws, N, C, L);
        using var tx = torch.tensor(xs, [N, C, L]).requires_grad_();
        using var tw = torch.tensor(ws, [N, C, L]);

        foreach (int threads in options.Threads)
        {
            Parallelism.MaxThreads = threads;
            torch.set_num_threads(threads);
            foreach (var c in Cases(x, w, tx, tw))
            {
                if (options.Filter is not null && !c.Name.Contains(options.Filter, StringComparison.Ordinal)) continue;
                double diff = Check(c);
                var recur = new Measure.Impl("recur", c.Recur);
                var peer = new Measure.Impl("torchsharp", () =>
                {
                    using var scope = torch.NewDisposeScope();
                    c.Peer();
                });
                Measure.Compare("norms", c.Name, threads, recur, peer, s => s * 1e6, "us", higherIsBetter: false, options,
                    new Dictionary<string, object> { ["shape"] = $"({N}, {C}, {L})", ["grad_max_rel_diff"] = Math.Round(diff, 8) });
            }
        }
    }

    /// <summary>Runs both once and returns the largest gradient difference relative to the largest gradient.</summary>
    private static double Check(Case c)
    {
        c.Recur();
        using var scope = torch.NewDisposeScope();
        c.Peer();
        var expected = c.PeerGrad().contiguous().data<float>().ToArray();
        var actual = c.RecurGrad();
        double max = 0, scale = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            max = Math.Max(max, Math.Abs(actual[i] - expected[i]));
            scale = Math.Max(scale, Math.Abs(expected[i]));
        }
        return max / scale;
    }

    private static IEnumerable<Case> Cases(Tensor x, Tensor w, TorchTensor tx, TorchTensor tw)
    {
        var bn = new BatchNorm(C);
        var tbn = nn.BatchNorm1d(C, eps: Eps);
        yield return Module("batch", bn.Forward, bn.Backward, bn.Parameters(), tbn, x, w, tx, tw);

        var ln = new LayerNorm(L);
        var tln = nn.LayerNorm(L, eps: Eps);
        yield return Module("layer", ln.Forward, ln.Backward, ln.Parameters(), tln, x, w, tx, tw);

        var inorm = new InstanceNorm(C);
        var tin = nn.InstanceNorm1d(C, eps: Eps);
        yield return Module("instance", inorm.Forward, inorm.Backward, inorm.Parameters(), tin, x, w, tx, tw);

        var gn = new GroupNorm(Groups, C);
        var tgn = nn.GroupNorm(Groups, C, eps: Eps);
        yield return Module("group", gn.Forward, gn.Backward, gn.Parameters(), tgn, x, w, tx, tw);

        var rms = new RmsNorm(L);
        var rmsGain = torch.ones(L).requires_grad_();
        Tensor? rmsDx = null;
        yield return new Case("rms",
            () => { rms.Weight!.Grad.Clear(); rms.Forward(x); rmsDx = rms.Backward(w); },
            () =>
            {
                tx.grad = null;
                rmsGain.grad = null;
                var y = tx * torch.rsqrt(tx.pow(2).mean([-1], keepdim: true) + Eps) * rmsGain;
                y.backward([tw]);
                return y;
            },
            () => rmsDx!.Span, () => tx.grad!);

        var weight = new Parameter("weight", new Shape(N, C, L), ParameterKind.Weight);
        x.Span.CopyTo(weight.Value.Span);
        var norm = new WeightNorm(weight);
        using var g = torch.tensor(norm.G.Value.Span.ToArray(), [N, 1, 1]).requires_grad_();
        using var v = torch.tensor(norm.V.Value.Span.ToArray(), [N, C, L]).requires_grad_();
        yield return new Case("weight",
            () =>
            {
                norm.G.Grad.Clear();
                norm.V.Grad.Clear();
                norm.Recompute();
                Elementwise.AddTo(w.Span, weight.Grad.Span);   // what the module's backward of sum(w·W) adds
                norm.Backward();
            },
            () =>
            {
                g.grad = null;
                v.grad = null;
                var wt = g * v / torch.linalg.vector_norm(v, 2, [1, 2], keepdim: true);
                wt.backward([tw]);
                return wt;
            },
            () => norm.V.Grad.Span, () => v.grad!);
    }

    private static Case Module(string name, Func<Tensor, Tensor> forward, Func<Tensor, Tensor> backward, IEnumerable<Parameter> parameters,
        nn.Module<TorchTensor, TorchTensor> peer, Tensor x, Tensor w, TorchTensor tx, TorchTensor tw)
    {
        var ps = parameters.ToArray();
        peer.train();
        // TorchSharp 0.107's GroupNorm leaves its weight and bias uninitialized: start every peer
        // from PyTorch's initial values, as Recur's layers do.
        using (torch.no_grad())
            foreach (var (pname, p) in peer.named_parameters())
                if (pname == "weight") p.fill_(1); else p.zero_();
        Tensor? dx = null;
        return new Case(name,
            () =>
            {
                foreach (var p in ps) p.Grad.Clear();
                forward(x);
                dx = backward(w);
            },
            () =>
            {
                peer.zero_grad();
                tx.grad = null;
                var y = peer.forward(tx);
                y.backward([tw]);
                return y;
            },
            () => dx!.Span, () => tx.grad!);
    }
}
