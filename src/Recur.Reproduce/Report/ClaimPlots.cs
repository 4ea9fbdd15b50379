using Recur.Plots;
using Recur.Reproduce.Claims;

namespace Recur.Reproduce.Report;

/// <summary>Draws a claim's figures and tree into a folder; returns the files written, by name.</summary>
internal static class ClaimPlots
{
    public static IReadOnlyList<(string Title, string File)> Draw(ClaimResult claim, string folder)
    {
        var files = new List<(string, string)>();
        foreach (var f in claim.Figures)
        {
            string file = f.Name + ".png";
            var series = f.Series.Select(s => new LinePlot.Series(s.Label, s.X, s.Y, Markers: s.Style == SeriesStyle.Markers, Dashed: s.Style == SeriesStyle.Dashed)).ToList();
            LinePlot.Save(Path.Combine(folder, file), f.Title, f.XLabel, f.YLabel, series, logX: f.LogX, logY: f.LogY);
            files.Add((f.Title, file));
        }
        if (claim.Tree is { } tree)
        {
            string file = tree.Name + ".png";
            TreePlot.Save(Path.Combine(folder, file), tree);
            files.Add((tree.Title, file));
        }
        return files;
    }
}
