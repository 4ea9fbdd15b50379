using Recur.Decoding;
using Recur.Tensors;

namespace Recur.Reproduce.Claims;

// N: vocabulary size (the begin token included); T: free positions after the begin token.

/// <summary>docs/theory.md 2.1: exhaustive search enumerates N^T sequences in time O(T·N^T) and memory that does not grow with N^T.</summary>
public static class ExhaustiveClaim
{
    /// <summary>The check.</summary>
    public static ClaimResult Check(ReproduceOptions options)
    {
        // Counts: every (N, T) with N^T small enough, on random Markov models without an end
        // token, so every string runs to T tokens.
        long limit = options.Quick ? 20_000 : 300_000;
        var rng = new Rng(21);
        int grid = 0, exact = 0;
        for (int n = 2; n <= 6; n++)
            for (int t = 1; t <= 7; t++)
            {
                double sequences = Math.Pow(n, t);
                if (sequences > limit) continue;
                var m = ClaimModels.RandomMarkov(rng, n, withEnd: false);
                var r = Exhaustive.Search(m, new ExhaustiveOptions { MaxLength = t, MaxSequences = limit });
                double calls = 0;
                for (int d = 0; d < t; d++) calls += Math.Pow(n, d);
                grid++;
                if (r.Expanded == (long)sequences && r.ModelCalls == (long)calls) exact++;
            }

        // Run time against N at fixed T, and against T at fixed N; memory against T.
        int fixedT = 3, fixedN = 4;
        int[] ns = options.Quick ? [8, 16, 32] : [16, 32, 64, 128, 256];
        int[] ts = options.Quick ? [4, 5, 6, 7] : [6, 7, 8, 9, 10, 11];
        var timeByN = Measurements.Sweep(ns.Length, i => Time(ns[i], fixedT, options), options.Passes);
        var timeByT = Measurements.Sweep(ts.Length, i => Time(fixedN, ts[i], options), options.Passes);
        var bytesByT = ts.Select(t => Allocated(fixedN, t)).ToArray();
        var nFit = Measurements.LogLogFit(ns.Select(n => (double)n).ToArray(), timeByN, last: 3);
        var tFit = Measurements.LinearFit(ts[^3..].Select(t => (double)t).ToArray(), timeByT[^3..].Select(t => Math.Log(t)).ToArray());
        double growth = Math.Exp(tFit.Slope);
        double sequencesMax = Math.Pow(fixedN, ts[^1]), sequencesMin = Math.Pow(fixedN, ts[0]);
        // Memory: T model states and a T×N table of next-token scores, nothing per sequence; only
        // each new best so far (about T·ln N of them in a random order) copies its T tokens.
        double tRatio = (double)ts[^1] / ts[0];
        bool memory = bytesByT[^1] < 64 * 1024 && bytesByT[^1] / bytesByT[0] <= tRatio * tRatio;
        bool pass = exact == grid && grid > 10 && memory;

        var xs = ns.Select(n => (double)n).ToArray();
        var txs = ts.Select(t => (double)t).ToArray();
        return new ClaimResult("2.1", "Exhaustive search",
            "There are N^T sequences of T tokens after <bos>; exhaustive search enumerates them in O(T·N^T) time and O(T) memory when it keeps only the best so far.",
            Show.Text($"sequences enumerated = N^T and model calls = Σ_{{d<T}} N^d exactly in {exact} of {grid} (N, T) pairs (N = 2 … 6, T = 1 … 7, N^T ≤ {Show.Count(limit)}); bytes allocated per search at N = {fixedN}: {Show.Count(bytesByT[0])} for T = {ts[0]} ({Show.Count(sequencesMin)} sequences), {Show.Count(bytesByT[^1])} for T = {ts[^1]} ({Show.Count(sequencesMax)} sequences)"),
            Show.Text($"every count exact; memory independent of N^T: under 64 KiB, and growing no faster than T² (×{Show.Fixed(tRatio * tRatio, 2)}) while N^T grows ×{Show.Count(sequencesMax / sequencesMin)}"),
            pass)
        {
            Notes =
            [
                Show.Text($"run time (best of several runs on a shared machine; not gated), fitted over the three largest sizes: slope of log time against log N at T = {fixedT}: {Show.Fixed(nFit.Slope, 2)} (N^T predicts {fixedT}); growth per extra position at N = {fixedN}: ×{Show.Fixed(growth, 2)} (N^T predicts ×{fixedN}). Smaller sizes sit below the law: a search also pays per call and per model step, not only per sequence."),
            ],
            Figures =
            [
                Measurements.ScalingFigure("2.1-exhaustive-vs-N", Show.Text($"Exhaustive search, T = {fixedT}: time against N"), "N (vocabulary)", xs, timeByN, nFit),
                new ClaimFigure("2.1-exhaustive-vs-T", Show.Text($"Exhaustive search, N = {fixedN}: time against T (log scale: a straight line is exponential growth)"), "T (positions)", "seconds", [
                    new ClaimSeries("measured", txs, timeByT, SeriesStyle.Markers),
                    new ClaimSeries(Show.Text($"fit (largest three): ×{Show.Fixed(growth, 2)} per position"), txs, txs.Select(t => Math.Exp(tFit.Intercept + tFit.Slope * t)).ToArray(), SeriesStyle.Dashed),
                ], LogY: true),
            ],
        };
    }

    private static double Time(int n, int t, ReproduceOptions options)
    {
        var m = ClaimModels.RandomMarkov(new Rng((ulong)(100 * n + t)), n, withEnd: false);
        var o = new ExhaustiveOptions { MaxLength = t, MaxSequences = long.MaxValue };
        return Measurements.BestSeconds(() => Exhaustive.Search(m, o), options.Repetitions(5));
    }

    private static double Allocated(int n, int t)
    {
        var m = ClaimModels.RandomMarkov(new Rng((ulong)(100 * n + t)), n, withEnd: false);
        var o = new ExhaustiveOptions { MaxLength = t, MaxSequences = long.MaxValue };
        return Measurements.AllocatedBytes(() => Exhaustive.Search(m, o));
    }
}
