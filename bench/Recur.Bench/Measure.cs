using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Recur.Bench;

/// <summary>
/// Runs Recur and its TorchSharp peer on the same configuration, alternating repetitions so
/// that machine noise falls on both alike, and prints JSON lines (design.md "Measuring speed").
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
        recur.Work();
        peer.Work();
        int itersRecur = Calibrate(recur.Work, options.MinSeconds);
        int itersPeer = Calibrate(peer.Work, options.MinSeconds);
        var tr = new List<double>();
        var tp = new List<double>();
        for (int r = 0; r < options.Repetitions; r++)
        {
            tr.Add(Time(recur.Work, itersRecur));
            tp.Add(Time(peer.Work, itersPeer));
        }
        double fr = toFigure(Median(tr)), fp = toFigure(Median(tp));
        Emit(new Dictionary<string, object> { ["bench"] = bench, ["config"] = config, ["threads"] = threads, ["impl"] = recur.Name, ["figure"] = Round(fr), ["unit"] = unit }, extra);
        Emit(new Dictionary<string, object> { ["bench"] = bench, ["config"] = config, ["threads"] = threads, ["impl"] = peer.Name, ["figure"] = Round(fp), ["unit"] = unit }, null);
        double ratio = higherIsBetter ? fr / fp : fp / fr;
        Emit(new Dictionary<string, object> { ["bench"] = bench, ["config"] = config, ["threads"] = threads, ["ratio"] = Math.Round(ratio, 3) }, null);
        return ratio;
    }

    /// <summary>Prints one JSON object on its own line.</summary>
    public static void Emit(Dictionary<string, object> fields, IReadOnlyDictionary<string, object>? extra)
    {
        if (extra is not null) foreach (var (k, v) in extra) fields[k] = v;
        Console.WriteLine(JsonSerializer.Serialize(fields));
        Console.Out.Flush();
    }

    private static double Round(double x) => Math.Abs(x) >= 100 ? Math.Round(x, 1) : Math.Round(x, 4);

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
