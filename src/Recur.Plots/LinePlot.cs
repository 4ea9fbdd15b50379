using ScottPlot;

namespace Recur.Plots;

/// <summary>
/// Line charts written as PNG files (loss curves, Jacobian norms, run-time scaling), drawn to be
/// read: the title wrapped to the width, the legend beside the data rather than on it, fonts
/// chosen for the characters used (ℓ, ‖, γ), and log axes labelled at several ticks. Log axes
/// are drawn by plotting log10 of the values with log-spaced tick labels, ScottPlot 5's way.
/// </summary>
internal static class LinePlot
{
    /// <summary>One named line; dashed for bounds, fits and references.</summary>
    internal sealed record Series(string Label, IReadOnlyList<double> X, IReadOnlyList<double> Y, bool Markers = false, bool Dashed = false);

    /// <summary>A horizontal reference line (e.g. the entropy floor).</summary>
    internal sealed record Level(string Label, double Y);

    private const int TitleCharactersPer100Pixels = 9;   // at ScottPlot's default title size

    /// <summary>Writes the chart to <paramref name="path"/>, creating its folder when needed.</summary>
    public static void Save(string path, string title, string xLabel, string yLabel, IReadOnlyList<Series> series,
        IReadOnlyList<Level>? levels = null, bool logX = false, bool logY = false, int width = 900, int height = 500)
    {
        var plot = new Plot();
        var xs = new List<double>();
        var ys = new List<double>();
        foreach (var s in series)
        {
            var (x, y) = Points(s, logX, logY);
            if (x.Length == 0) continue;
            xs.AddRange(x);
            ys.AddRange(y);
            var scatter = plot.Add.Scatter(x, y);
            scatter.LegendText = s.Label;
            scatter.MarkerSize = s.Markers ? 5 : 0;
            scatter.LineWidth = 2;
            if (s.Dashed) scatter.LinePattern = LinePattern.Dashed;
        }
        foreach (var level in levels ?? [])
        {
            if (!double.IsFinite(level.Y) || logY && level.Y <= 0) continue;
            double y = logY ? Math.Log10(level.Y) : level.Y;
            ys.Add(y);
            var line = plot.Add.HorizontalLine(y);
            line.LegendText = level.Label;
            line.LinePattern = LinePattern.Dashed;
        }
        if (logX) plot.Axes.Bottom.TickGenerator = LogTicks.For(xs);
        if (logY) plot.Axes.Left.TickGenerator = LogTicks.For(ys);
        plot.Title(Wrap(title, width * TitleCharactersPer100Pixels / 100));
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        plot.ShowLegend(Edge.Bottom);
        UseFontFor(plot, [title, xLabel, yLabel, .. series.Select(x => x.Label), .. (levels ?? []).Select(l => l.Label)]);
        PngFile.Save(plot, path, width, height);
    }

    // Sans-serif fonts that hold ℓ, ‖, ∂, γ and the other symbols of our labels on common systems.
    private static readonly string[] PreferredFonts = ["DejaVu Sans", "Segoe UI", "Noto Sans", "Liberation Sans", "Arial", "Helvetica"];

    /// <summary>The first preferred font that has a glyph for every character of <paramref name="texts"/>, else ScottPlot's per-character detection: never a box for ℓ.</summary>
    private static void UseFontFor(Plot plot, IEnumerable<string> texts)
    {
        string all = string.Concat(texts).Replace("\n", "");
        foreach (var name in PreferredFonts)
        {
            using var typeface = SkiaSharp.SKTypeface.FromFamilyName(name);
            if (typeface is not null && typeface.FamilyName == name && typeface.ContainsGlyphs(all))
            {
                plot.Font.Set(name);
                return;
            }
        }
        plot.Font.Automatic();
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

    /// <summary>Breaks <paramref name="text"/> at spaces into lines of at most <paramref name="columns"/> characters.</summary>
    internal static string Wrap(string text, int columns)
    {
        var lines = new List<string>();
        var line = new System.Text.StringBuilder();
        foreach (var word in text.Split(' '))
        {
            if (line.Length > 0 && line.Length + 1 + word.Length > columns)
            {
                lines.Add(line.ToString());
                line.Clear();
            }
            if (line.Length > 0) line.Append(' ');
            line.Append(word);
        }
        lines.Add(line.ToString());
        return string.Join('\n', lines);
    }
}
