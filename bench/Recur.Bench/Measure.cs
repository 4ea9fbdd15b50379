using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Recur.Bench;

/// <summary>
/// Runs Recur and its TorchSharp peer on the same configuration, alternating repetitions so
/// that machine noise falls on both alike, and prints JSON lines (bench/README.md).
/// Each repetition repeats the work until it has run for a minimum time; the figure is the
/// median over repetitions.
/// </summary>
internal static class Measure
{
    /// <summary>One side of a comparison: a name and an action doing one unit of work.</summary>
    internal sealed record Impl(string Name, Action Work);

    /// <summary>
    /// Times both implementations and prints one line per implementation and a ratio line.
    /// <paramref name="toFigure"/> turns seconds per unit of work into the reported figure;
    /// <paramref name="higherIsBetter"/> says which way the ratio goes (it is always oriented
    /// so that above 1 means Recur is better).
    /// </summary>
    public static double Compare(string bench, string config, int threads, Impl recur, Impl peer,
        Func<double, double> toFigure, string unit, bool higherIsBetter, BenchOptions options,
        IReadOnlyDictionary<string, object>? extra = null)
    {
        WarmUp(recur.Work);
        WarmUp(peer.Work);
        int itersRecur = Calibrate(recur.Work, options.MinSeconds);
        int itersPeer = Calibrate(peer.Work, options.MinSeconds);
        var (tr, tp, mr, mp) = Alternate(() => Time(recur.Work, itersRecur), () => Time(peer.Work, itersPeer), options.Repetitions);
        return Report(bench, config, threads, recur.Name, peer.Name, tr, tp, toFigure, unit, higherIsBetter, extra, mr, mp);
    }

    /// <summary>
    /// Like <see cref="Compare"/>, for benches that measure each repetition themselves (e.g. a
    /// search's own time without its model's): each function runs one repetition and returns
    /// seconds per unit of work. They alternate, Recur first, after the same warm-up as
    /// <see cref="Compare"/>: one warm-up call left the first configuration of a run measuring
    /// code that tiered compilation had not yet optimized (the beam search's scan, 33× slower).
    /// </summary>
    public static double CompareMeasured(string bench, string config, int threads, string recurName, Func<double> recur,
        string peerName, Func<double> peer, Func<double, double> toFigure, string unit, bool higherIsBetter, BenchOptions options,
        IReadOnlyDictionary<string, object>? extra = null)
    {
        WarmUp(() => recur());
        WarmUp(() => peer());
        var (tr, tp, mr, mp) = Alternate(recur, peer, options.Repetitions);
        return Report(bench, config, threads, recurName, peerName, tr, tp, toFigure, unit, higherIsBetter, extra, mr, mp);
    }

    // Repetitions alternating Recur and peer, each returning seconds per unit of work: the
    // median of each side and the largest memory growth of its repetitions.
    private static (double Recur, double Peer, double? RecurMiB, double? PeerMiB) Alternate(Func<double> recur, Func<double> peer, int repetitions)
    {
        var tr = new List<double>();
        var tp = new List<double>();
        var (mr, mp) = (new Peak(), new Peak());
        for (int r = 0; r < repetitions; r++)
        {
            mr.Around(() => tr.Add(recur()));
            mp.Around(() => tp.Add(peer()));
        }
        return (Median(tr), Median(tp), mr.MiB, mp.MiB);
    }

    // The largest memory growth over one side's repetitions (see PeakMemory).
    private sealed class Peak
    {
        public double? MiB { get; private set; }

        public void Around(Action repetition)
        {
            long? start = PeakMemory.Start();
            repetition();
            if (PeakMemory.Since(start) is { } grown) MiB = Math.Max(MiB ?? 0, grown);
        }
    }

    private static double Report(string bench, string config, int threads, string recurName, string peerName, double recurSeconds, double peerSeconds,
        Func<double, double> toFigure, string unit, bool higherIsBetter, IReadOnlyDictionary<string, object>? extra, double? recurMiB, double? peerMiB)
    {
        double fr = toFigure(recurSeconds), fp = toFigure(peerSeconds);
        Dictionary<string, object> Line(string impl, double figure, double? mib)
        {
            var line = new Dictionary<string, object> { ["bench"] = bench, ["config"] = config, ["threads"] = threads, ["impl"] = impl, ["figure"] = Round(figure), ["unit"] = unit };
            if (mib is { } m) line["peak_mib"] = Math.Round(m, 1);
            return line;
        }
        Emit(Line(recurName, fr, recurMiB), extra);
        Emit(Line(peerName, fp, peerMiB), null);
        double ratio = higherIsBetter ? fr / fp : fp / fr;
        Emit(new Dictionary<string, object> { ["bench"] = bench, ["config"] = config, ["threads"] = threads, ["ratio"] = Math.Round(ratio, 3) }, null);
        return ratio;
    }

    /// <summary>
    /// Runs <paramref name="work"/> for at least half a second and 60 calls, or 5 seconds when
    /// calls are slow: tiered compilation promotes hot methods only after a few dozen calls, and
    /// timing before that would measure unoptimized code, while a call of seconds (the peer's
    /// Viterbi at N = 4096) has its loops promoted within the call by on-stack replacement.
    /// </summary>
    public static void WarmUp(Action work)
    {
        var sw = Stopwatch.StartNew();
        for (int calls = 0; (calls < 60 && sw.Elapsed.TotalSeconds < 5) || sw.Elapsed.TotalSeconds < 0.5; calls++) work();
    }

    /// <summary>Prints one JSON object on its own line.</summary>
    public static void Emit(Dictionary<string, object> fields, IReadOnlyDictionary<string, object>? extra)
    {
        if (extra is not null) foreach (var (k, v) in extra) fields[k] = v;
        Console.WriteLine(JsonSerializer.Serialize(fields));
        Console.Out.Flush();
    }

    // Four significant digits: enough for ratios of noisy timings, short enough to read.
    private static double Round(double x) =>
        x == 0 || !double.IsFinite(x) ? x : Math.Round(x, Math.Clamp(3 - (int)Math.Floor(Math.Log10(Math.Abs(x))), 0, 15));

    private static int Calibrate(Action work, double minSeconds)
    {
        int iters = 1;
        while (true)
        {
            double t = Time(work, iters) * iters;
            if (t >= minSeconds || iters >= 1 << 20) return iters;
            iters = t <= 0 ? iters * 10 : Math.Max(iters + 1, (int)Math.Ceiling(iters * minSeconds * 1.2 / t));
        }
    }

    /// <summary>Seconds per call of <paramref name="work"/>, over <paramref name="iters"/> calls.</summary>
    private static double Time(Action work, int iters)
    {
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < iters; i++) work();
        return sw.Elapsed.TotalSeconds / iters;
    }

    private static double Median(List<double> xs)
    {
        var s = xs.OrderBy(x => x).ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : 0.5 * (s[s.Length / 2 - 1] + s[s.Length / 2]);
    }

    public static string F(double x) => x.ToString("G6", CultureInfo.InvariantCulture);
}
