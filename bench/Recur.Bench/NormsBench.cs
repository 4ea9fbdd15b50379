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
/// beside TorchSharp on the same data and thread count, both starting each iteration with
/// cleared gradients. Batch and instance norm use 256 channels, group norm 32 groups of 8
/// channels, layer and RMS norm the last dimension (64); weight norm re-parametrizes a
/// (32, 256, 64) weight along its first dimension (the layout of a Conv1d(256→32, k = 64)
/// weight): w = g·v/‖v‖ forward, then the gradients of g and v. TorchSharp has no RMS norm or
/// weight norm module, so those two are built from tensor operations there.
/// Two configurations per norm: "&lt;norm&gt;" computes the loss sum(out·W) for a fixed random W on
/// both sides and backpropagates it (TorchSharp through autograd, Recur by passing W as the
/// output gradient); "&lt;norm&gt;:seeded" leaves the loss out and seeds the backward pass with W
/// on both sides (TorchSharp: out.backward(W)), timing the layer alone.
/// Figure: µs per forward + backward.
/// </summary>
internal static class NormsBench
{
    private const int N = 32, C = 256, L = 64, Groups = 32;
    private const double Eps = 1e-5;

    /// <summary>One norm on both sides: forward, backward given the output gradient, gradient reset, and the input-side gradient to check.</summary>
    private sealed record Case(string Name,
        Func<Tensor> RecurForward, Action<Tensor> RecurBackward, Action RecurZeroGrad, Func<Tensor> RecurGrad,
        Func<TorchTensor> PeerForward, Action PeerZeroGrad, Func<TorchTensor> PeerGrad);

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
        double sink = 0;

        foreach (int threads in options.Threads)
        {
            Parallelism.MaxThreads = threads;
            torch.set_num_threads(threads);
            foreach (var c in Cases(x, w, tx))
                foreach (bool seeded in new[] { false, true })
                {
                    string name = seeded ? c.Name + ":seeded" : c.Name;
                    if (options.Filter is not null && !name.Contains(options.Filter, StringComparison.Ordinal)) continue;
                    var recur = new Measure.Impl("recur", () =>
                    {
                        c.RecurZeroGrad();
                        var y = c.RecurForward();
                        if (!seeded) sink += Reductions.Dot(y.Span, w.Span);
                        c.RecurBackward(w);
                    });
                    var peer = new Measure.Impl("torchsharp", () =>
                    {
                        using var scope = torch.NewDisposeScope();
                        c.PeerZeroGrad();
                        var y = c.PeerForward();
                        if (seeded) y.backward([tw]);
                        else (y * tw).sum().backward();
                    });
                    double diff = Check(c, recur, peer);
                    Measure.Compare("norms", name, threads, recur, peer, s => s * 1e6, "us", higherIsBetter: false, options,
                        new Dictionary<string, object> { ["shape"] = $"({N}, {C}, {L})", ["grad_max_rel_diff"] = Math.Round(diff, 8) });
                }
        }
        GC.KeepAlive(sink);
    }

    /// <summary>Runs both once and returns the largest gradient difference relative to the largest gradient.</summary>
    private static double Check(Case c, Measure.Impl recur, Measure.Impl peer)
    {
        recur.Work();
        peer.Work();
        using var scope = torch.NewDisposeScope();
        var expected = c.PeerGrad().contiguous().data<float>().ToArray();
        var actual = c.RecurGrad().Span;
        double max = 0, scale = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            max = Math.Max(max, Math.Abs(actual[i] - expected[i]));
            scale = Math.Max(scale, Math.Abs(expected[i]));
        }
        return max / scale;
    }

    private static IEnumerable<Case> Cases(Tensor x, Tensor w, TorchTensor tx)
    {
        var bn = new BatchNorm(C);
        yield return Module("batch", bn.Forward, bn.Backward, bn.Parameters(), nn.BatchNorm1d(C, eps: Eps), x, tx);

        var ln = new LayerNorm(L);
        yield return Module("layer", ln.Forward, ln.Backward, ln.Parameters(), nn.LayerNorm(L, eps: Eps), x, tx);

        var inorm = new InstanceNorm(C);
        yield return Module("instance", inorm.Forward, inorm.Backward, inorm.Parameters(), nn.InstanceNorm1d(C, eps: Eps), x, tx);

        var gn = new GroupNorm(Groups, C);
        yield return Module("group", gn.Forward, gn.Backward, gn.Parameters(), nn.GroupNorm(Groups, C, eps: Eps), x, tx);

        var rms = new RmsNorm(L);
        var rmsGain = torch.ones(L).requires_grad_();
        Tensor? rmsDx = null;
        yield return new Case("rms",
            () => rms.Forward(x), dy => rmsDx = rms.Backward(dy), () => rms.Weight!.Grad.Clear(), () => rmsDx!,
            () => tx * torch.rsqrt(tx.pow(2).mean([-1], keepdim: true) + Eps) * rmsGain,
            () =>
            {
                tx.grad = null;
                rmsGain.grad = null;
            },
            () => tx.grad!);

        var weight = new Parameter("weight", new Shape(N, C, L), ParameterKind.Weight);
        x.Span.CopyTo(weight.Value.Span);
        var norm = new WeightNorm(weight);
        var g = torch.tensor(norm.G.Value.Span.ToArray(), [N, 1, 1]).requires_grad_();
        var v = torch.tensor(norm.V.Value.Span.ToArray(), [N, C, L]).requires_grad_();
        yield return new Case("weight",
            () =>
            {
                norm.Recompute();
                return weight.Value;
            },
            dy =>
            {
                Elementwise.AddTo(dy.Span, weight.Grad.Span);   // what the module's backward adds to the weight's gradient
                norm.Backward();
            },
            () =>
            {
                norm.G.Grad.Clear();
                norm.V.Grad.Clear();
            },
            () => norm.V.Grad,
            () => g * v / torch.linalg.vector_norm(v, 2, [1, 2], keepdim: true),
            () =>
            {
                g.grad = null;
                v.grad = null;
            },
            () => v.grad!);
    }

    private static Case Module(string name, Func<Tensor, Tensor> forward, Func<Tensor, Tensor> backward, IEnumerable<Parameter> parameters,
        nn.Module<TorchTensor, TorchTensor> peer, Tensor x, TorchTensor tx)
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
            () => forward(x), dy => dx = backward(dy),
            () =>
            {
                foreach (var p in ps) p.Grad.Clear();
            },
            () => dx!,
            () => peer.forward(tx),
            () =>
            {
                peer.zero_grad();
                tx.grad = null;
            },
            () => tx.grad!);
    }
}
