using Recur.Kernels;
using TorchSharp;

namespace Recur.Bench;

/// <summary>
/// `gemm`: C = A·B for square sizes and the recurrent-gate shapes (B×H)·(H×4H), Recur's
/// Gemm.Multiply beside torch.mm on the same data and thread count. Figure: GFLOP/s.
/// </summary>
internal static class GemmBench
{
    private static readonly (string Name, int M, int K, int N)[] Configs =
    [
        ("n256", 256, 256, 256),
        ("n512", 512, 512, 512),
        ("n1024", 1024, 1024, 1024),
        ("n2048", 2048, 2048, 2048),
        ("gate32x256x1024", 32, 256, 1024),
        ("gate32x512x2048", 32, 512, 2048),
    ];

    public static void Run(BenchOptions options)
    {
        foreach (int threads in options.Threads)
        {
            Parallelism.MaxThreads = threads;
            torch.set_num_threads(threads);
            foreach (var (name, m, k, n) in Configs)
            {
                if (options.Filter is not null && !name.Contains(options.Filter, StringComparison.Ordinal)) continue;
                var rng = new Recur.Tensors.Rng(42);
                var a = new float[m * k];
                var b = new float[k * n];
                var c = new float[m * n];
                rng.FillUniform(a, -1, 1);
                rng.FillUniform(b, -1, 1);
                using var ta = torch.tensor(a, [m, k]);
                using var tb = torch.tensor(b, [k, n]);
                using var tc = torch.empty(m, n);
                double flops = 2.0 * m * n * k;
                var recur = new Measure.Impl("recur", () => Gemm.Multiply(a, b, c, m, n, k));
                var peer = new Measure.Impl("torchsharp", () => tc.addmm_(ta, tb, beta: 0, alpha: 1));
                double peak = Machine.PeakGflops(threads);
                Measure.Compare("gemm", name, threads, recur, peer, s => flops / s / 1e9, "GFLOP/s", higherIsBetter: true, options,
                    new Dictionary<string, object> { ["peak_gflops"] = Math.Round(peak, 1) });
            }
        }
    }
}
