using Recur.Decoding;
using Recur.Kernels;
using TorchSharp;

namespace Recur.Bench;

/// <summary>
/// `viterbi`: Viterbi decoding of a dense first-order Markov chain, N states, T = 256 steps
/// (docs/theory.md 2.2): Recur's DenseViterbi (double sums, vectorized max-plus, back-pointers)
/// beside the vectorized TorchSharp formulation, per step scores = δ + log P broadcast and a
/// max keeping the argmax as back-pointers, then a backtrack. The peer gets the layout
/// LibTorch reduces fastest: log Pᵀ, so the max runs over the last (contiguous) dimension —
/// scores = δ[None, :] + log Pᵀ, max(1) — which measured 3 to 6 times faster here than
/// δ[:, None] + log P with max(0); float32, LibTorch's natural type. Figure: Gcells/s, T·N²/s.
/// </summary>
internal static class ViterbiBench
{
    private const int Steps = 256;
    private static readonly int[] Sizes = [64, 256, 1024, 4096];

    public static void Run(BenchOptions options)
    {
        foreach (int threads in options.Threads)
        {
            Parallelism.MaxThreads = threads;
            torch.set_num_threads(threads);
            foreach (int n in Sizes)
            {
                string config = $"n{n}_t{Steps}";
                if (options.Filter is not null && !config.Contains(options.Filter, StringComparison.Ordinal)) continue;
                var (start, logP) = RandomChain(n, new Recur.Tensors.Rng(7));
                var viterbi = new DenseViterbi(start, logP, n, -1);
                var path = new int[Steps];
                using var tStart = torch.tensor(start);
                using var tLogP = torch.tensor(logP, [n, n]);
                using var tTransposed = tLogP.t().contiguous();
                var peerPath = new long[Steps];
                CheckAgreement(viterbi, path, tStart, tTransposed, peerPath, logP, n);
                double cells = (double)Steps * n * n;
                var recur = new Measure.Impl("recur", () => viterbi.Decode(Steps, 0, path));
                var peer = new Measure.Impl("torchsharp", () => TorchViterbi(tStart, tTransposed, peerPath));
                Measure.Compare("viterbi", config, threads, recur, peer, s => cells / s / 1e9, "Gcells/s", higherIsBetter: true, options);
            }
        }
    }

    // The peer: one broadcast add and one max per step, back-pointers kept as tensors, backtrack
    // at the end. As a careful LibTorch user writes it, the N × N scores live in one buffer
    // reused by every step (in-place copy and add: no N × N allocation per step, which measured
    // 2–3 times slower here when each step's scores were allocated and freed), and each step's
    // small temporaries are disposed with it: only δ and the back-pointers (N each) outlive it.
    private static void TorchViterbi(torch.Tensor start, torch.Tensor transposed, long[] path)
    {
        using var scope = torch.NewDisposeScope();
        var delta = start;
        var back = new torch.Tensor[Steps];
        var scores = torch.empty_like(transposed);
        for (int t = 1; t < Steps; t++)
        {
            using var step = torch.NewDisposeScope();
            scores.copy_(transposed).add_(delta.unsqueeze(0));   // (N, N): [j, i] = δ(i) + log P[i, j]
            var (best, argmax) = scores.max(1);                  // over i
            delta = best.MoveToOuterDisposeScope();
            back[t] = argmax.MoveToOuterDisposeScope();
        }
        path[Steps - 1] = delta.argmax().item<long>();
        for (int t = Steps - 1; t > 0; t--) path[t - 1] = back[t][path[t]].item<long>();
    }

    // Both sides must find a path of the same probability before they are timed.
    private static void CheckAgreement(DenseViterbi viterbi, int[] path, torch.Tensor start, torch.Tensor transposed, long[] peerPath, float[] p, int n)
    {
        viterbi.Decode(Steps, 0, path);
        TorchViterbi(start, transposed, peerPath);
        double mine = PathScore(path.Select(x => (long)x).ToArray(), start, p, n), theirs = PathScore(peerPath, start, p, n);
        if (Math.Abs(mine - theirs) > 1e-3 * Math.Abs(mine)) throw new InvalidOperationException($"viterbi n={n}: Recur's path scores {mine}, TorchSharp's {theirs}");
    }

    private static double PathScore(long[] path, torch.Tensor start, float[] p, int n)
    {
        double s = start[path[0]].item<float>();
        for (int t = 1; t < path.Length; t++) s += p[path[t - 1] * n + path[t]];
        return s;
    }

    // A random dense chain: each row a log-softmax of uniform logits.
    private static (float[] Start, float[] LogP) RandomChain(int n, Recur.Tensors.Rng rng)
    {
        var logP = new float[(long)n * n];
        var start = new float[n];
        var logits = new double[n];
        for (int i = 0; i <= n; i++)
        {
            double z = 0;
            for (int j = 0; j < n; j++) z += Math.Exp(logits[j] = 4 * rng.NextDouble());
            var row = i < n ? logP.AsSpan(i * n, n) : start;
            for (int j = 0; j < n; j++) row[j] = (float)(logits[j] - Math.Log(z));
        }
        return (start, logP);
    }
}
