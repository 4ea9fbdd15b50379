using System.Diagnostics;

namespace Recur.Reproduce.Claims;

// n: points of a fit.

/// <summary>
/// What the claim checks measure besides results: run time (best of several repetitions, so
/// that a busy machine inflates it as little as possible), bytes allocated (deterministic),
/// and power laws fitted on log-log axes.
/// </summary>
public static class Measurements
{
    /// <summary>
    /// Seconds per call of <paramref name="action"/>: after warming up for
    /// <paramref name="warmupSeconds"/>, the smallest of <paramref name="repetitions"/>
    /// measurements, each repeating the call until at least <paramref name="minSeconds"/> have
    /// passed (so short calls are not lost in timer resolution).
    /// </summary>
    public static double BestSeconds(Action action, int repetitions = 5, double minSeconds = 0.01, double warmupSeconds = 0.05)
    {
        ArgumentNullException.ThrowIfNull(action);
        ArgumentOutOfRangeException.ThrowIfLessThan(repetitions, 1);
        WarmUp(() => action(), warmupSeconds);
        double best = double.PositiveInfinity;
        for (int r = 0; r < repetitions; r++)
        {
            long start = Stopwatch.GetTimestamp();
            int calls = 0;
            double elapsed;
            do
            {
                action();
                calls++;
                elapsed = Stopwatch.GetElapsedTime(start).TotalSeconds;
            }
            while (elapsed < minSeconds);
            best = Math.Min(best, elapsed / calls);
        }
        return best;
    }

    /// <summary>The smallest of <paramref name="repetitions"/> values of <paramref name="measure"/> (a time the callee measures itself), after warming up as <see cref="BestSeconds"/> does.</summary>
    public static double Best(Func<double> measure, int repetitions = 5, double warmupSeconds = 0.05)
    {
        ArgumentNullException.ThrowIfNull(measure);
        WarmUp(() => measure(), warmupSeconds);
        double best = double.PositiveInfinity;
        for (int r = 0; r < repetitions; r++) best = Math.Min(best, measure());
        return best;
    }

    /// <summary>
    /// Times the <paramref name="count"/> sizes of a sweep (<paramref name="measure"/>(i) returns
    /// seconds) in <paramref name="passes"/> passes over the whole sweep, keeping each size's
    /// smallest time. The runtime compiles a method's optimized code only after it has run a
    /// while (tiered JIT), and sizes reach different code paths (vector tails, blocks), so in a
    /// single pass the first size to reach a path is timed on unoptimized code and the fitted
    /// slopes are wrong; a second pass times every size on optimized code.
    /// </summary>
    public static double[] Sweep(int count, Func<int, double> measure, int passes = 2)
    {
        ArgumentNullException.ThrowIfNull(measure);
        var best = new double[count];
        Array.Fill(best, double.PositiveInfinity);
        for (int pass = 0; pass < passes; pass++)
            for (int i = 0; i < count; i++) best[i] = Math.Min(best[i], measure(i));
        return best;
    }

    // Calls at least twice, and until the time has passed.
    private static void WarmUp(Action action, double seconds)
    {
        long start = Stopwatch.GetTimestamp();
        int calls = 0;
        while (calls < 2 || Stopwatch.GetElapsedTime(start).TotalSeconds < seconds)
        {
            action();
            calls++;
        }
    }

    /// <summary>Bytes allocated on this thread while <paramref name="action"/> runs (a warm-up call first, so that one-time JIT and static allocations are not counted; the least of five runs).</summary>
    public static long AllocatedBytes(Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        action();
        // The least of a few runs: the runtime sometimes allocates on the calling thread while it
        // recompiles a hot method (tiered compilation), which is not the code's own memory.
        long least = long.MaxValue;
        for (int run = 0; run < 5; run++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            action();
            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        return least;
    }

    /// <summary>
    /// The least-squares line through (log x, log y): y ≈ e^intercept · x^slope, over the last
    /// <paramref name="last"/> points (0: all) — the largest sizes, where a cost's leading term
    /// dominates its per-call and per-step constants. Points with x or y not positive are ignored.
    /// </summary>
    public static (double Slope, double Intercept) LogLogFit(IReadOnlyList<double> x, IReadOnlyList<double> y, int last = 0)
    {
        var lx = new List<double>();
        var ly = new List<double>();
        int count = Math.Min(x.Count, y.Count);
        for (int i = last > 0 ? Math.Max(0, count - last) : 0; i < count; i++)
            if (x[i] > 0 && y[i] > 0 && double.IsFinite(x[i]) && double.IsFinite(y[i]))
            {
                lx.Add(Math.Log(x[i]));
                ly.Add(Math.Log(y[i]));
            }
        return LinearFit(lx, ly);
    }

    /// <summary>The least-squares line y ≈ intercept + slope·x (at least two distinct x).</summary>
    public static (double Slope, double Intercept) LinearFit(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        int n = Math.Min(x.Count, y.Count);
        if (n < 2) throw new ArgumentException("A fit needs at least two points.");
        double mx = 0, my = 0;
        for (int i = 0; i < n; i++)
        {
            mx += x[i] / n;
            my += y[i] / n;
        }
        double sxy = 0, sxx = 0;
        for (int i = 0; i < n; i++)
        {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
        }
        if (sxx == 0) throw new ArgumentException("A fit needs at least two distinct x.");
        double slope = sxy / sxx;
        return (slope, my - slope * mx);
    }

    /// <summary>The fitted power law e^intercept · x^slope at each x, for drawing beside the measurements.</summary>
    public static double[] PowerLaw(IReadOnlyList<double> x, (double Slope, double Intercept) fit)
    {
        var y = new double[x.Count];
        for (int i = 0; i < y.Length; i++) y[i] = Math.Exp(fit.Intercept) * Math.Pow(x[i], fit.Slope);
        return y;
    }

    /// <summary>
    /// A log-log chart of run time against a size: the measured points, the power law fitted
    /// over the largest three (<paramref name="fit"/> from <see cref="LogLogFit"/>), and any
    /// <paramref name="extra"/> series (a competing law, for instance).
    /// </summary>
    public static ClaimFigure ScalingFigure(string name, string title, string xLabel, double[] x, double[] seconds,
        (double Slope, double Intercept) fit, params ClaimSeries[] extra) =>
        new(name, title, xLabel, "seconds", [
            new ClaimSeries("measured", x, seconds, SeriesStyle.Markers),
            new ClaimSeries(Show.Text($"fit (largest three): slope {Show.Fixed(fit.Slope, 2)}"), x, PowerLaw(x, fit), SeriesStyle.Dashed),
            .. extra,
        ], LogX: true, LogY: true);
}
