using ScottPlot;

namespace Recur.Plots;

/// <summary>
/// Line charts written as PNG files (loss curves, Jacobian norms, run-time scaling). Log axes
/// are drawn by plotting log10 of the values with log-spaced tick labels, ScottPlot 5's way.
/// </summary>
internal static class LinePlot
{
    /// <summary>One named line; dashed for bounds, fits and references.</summary>
    internal sealed record Series(string Label, IReadOnlyList<double> X, IReadOnlyList<double> Y, bool Markers = false, bool Dashed = false);

    /// <summary>A horizontal reference line (e.g. the entropy floor).</summary>
    internal sealed record Level(string Label, double Y);

    /// <summary>Writes the chart to <paramref name="path"/>, creating its folder when needed.</summary>
    public static void Save(string path, string title, string xLabel, string yLabel, IReadOnlyList<Series> series,
        IReadOnlyList<Level>? levels = null, bool logX = false, bool logY = false, int width = 800, int height = 500)
    {
        var plot = new Plot();
        foreach (var s in series)
        {
            var (xs, ys) = Points(s, logX, logY);
            if (xs.Length == 0) continue;
            var scatter = plot.Add.Scatter(xs, ys);
            scatter.LegendText = s.Label;
            scatter.MarkerSize = s.Markers ? 5 : 0;
            scatter.LineWidth = 2;
            if (s.Dashed) scatter.LinePattern = LinePattern.Dashed;
        }
        foreach (var level in levels ?? [])
        {
            if (!double.IsFinite(level.Y) || logY && level.Y <= 0) continue;
            var line = plot.Add.HorizontalLine(logY ? Math.Log10(level.Y) : level.Y);
            line.LegendText = level.Label;
            line.LinePattern = LinePattern.Dashed;
        }
        if (logX) plot.Axes.Bottom.TickGenerator = LogTicks();
        if (logY) plot.Axes.Left.TickGenerator = LogTicks();
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        plot.ShowLegend();
        string? folder = Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(folder)) Directory.CreateDirectory(folder);
        plot.SavePng(path, width, height);
    }

    private static (double[] X, double[] Y) Points(Series s, bool logX, bool logY)
    {
        var xs = new List<double>();
        var ys = new List<double>();
        for (int i = 0; i < Math.Min(s.X.Count, s.Y.Count); i++)
        {
            double x = s.X[i], y = s.Y[i];
            // Points a log axis cannot show (zero, negative, non-finite) are left out, not clamped.
            if (!double.IsFinite(x) || !double.IsFinite(y) || logX && x <= 0 || logY && y <= 0) continue;
            xs.Add(logX ? Math.Log10(x) : x);
            ys.Add(logY ? Math.Log10(y) : y);
        }
        return (xs.ToArray(), ys.ToArray());
    }

    private static ScottPlot.TickGenerators.NumericAutomatic LogTicks() => new()
    {
        MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
        IntegerTicksOnly = true,
        LabelFormatter = y => $"1e{y:N0}",
    };
}
