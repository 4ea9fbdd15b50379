using System.Globalization;
using ScottPlot;

namespace Recur.Plots;

/// <summary>
/// Tick marks for an axis that plots log10 of its values, labelled in the values themselves, with
/// several labels whatever the range: every decade (or every k-th when there are many) over two
/// decades or more; 1, 2, 5 per decade over one to two; "nice" linear steps (1.2, 1.4, …) within
/// less than a decade, where decade ticks alone would leave one label or none.
/// </summary>
internal static class LogTicks
{
    /// <summary>A generator for data whose log10 values are <paramref name="logValues"/>.</summary>
    public static ITickGenerator For(IReadOnlyCollection<double> logValues)
    {
        var manual = new ScottPlot.TickGenerators.NumericManual();
        if (logValues.Count == 0) return manual;
        foreach (var (position, label) in Ticks(logValues.Min(), logValues.Max()))
        {
            if (label is null) manual.AddMinor(position);
            else manual.AddMajor(position, label);
        }
        return manual;
    }

    /// <summary>Ticks as (log10 position, label), a null label for a minor tick, covering [lo, hi] with a margin.</summary>
    internal static IEnumerable<(double Position, string? Label)> Ticks(double lo, double hi)
    {
        double span = hi - lo;
        if (span < 1)
        {
            // Within a decade: linear steps in the values, about five labels.
            double vlo = Math.Pow(10, lo - Math.Max(span, 0.02) * 0.1), vhi = Math.Pow(10, hi + Math.Max(span, 0.02) * 0.1);
            double step = NiceStep((vhi - vlo) / 5);
            for (double v = Math.Ceiling(vlo / step) * step; v <= vhi + step * 1e-9; v += step)
                yield return (Math.Log10(v), Format(v));
            yield break;
        }
        int first = (int)Math.Floor(lo) - 1, last = (int)Math.Ceiling(hi) + 1;
        int decadeStep = new[] { 1, 2, 5, 10, 20, 50, 100, 200, 500 }.FirstOrDefault(d => d >= span / 8, 1000);
        int[] labelled = span >= 2 ? [1] : [1, 2, 5];
        for (int k = first; k <= last; k++)
            for (int m = 1; m <= 9; m++)
            {
                bool major = labelled.Contains(m) && (m != 1 || k % decadeStep == 0);
                double position = k + Math.Log10(m);
                if (major) yield return (position, Format(m * Math.Pow(10, k)));
                else if (decadeStep == 1) yield return (position, null);
            }
    }

    private static double NiceStep(double raw)
    {
        double decade = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double f = raw / decade;
        return (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * decade;
    }

    /// <summary>A value as people write it: 0.002, 150, 1.25; 1e-05 and 2e+06 outside [0.001, 100000).</summary>
    internal static string Format(double v)
    {
        double rounded = double.Parse(v.ToString("G6", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        return rounded is >= 1e-3 and < 1e5
            ? rounded.ToString("0.######", CultureInfo.InvariantCulture)
            : rounded.ToString("0.##e+00", CultureInfo.InvariantCulture);
    }
}
