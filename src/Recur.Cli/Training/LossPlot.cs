using System.Globalization;
using Recur.Plots;
using Recur.Training;

namespace Recur.Cli.Training;

/// <summary>
/// loss.png: training and validation loss against steps on a log axis (the late, small
/// improvements stay visible), with the entropy floor when known and the best validation loss
/// marked, their values in the legend.
/// </summary>
internal static class LossPlot
{
    public static void Draw(string folder, double? entropyFloor, string unit)
    {
        var c = CultureInfo.InvariantCulture;
        var (train, validation) = MetricsLog.ReadLosses(Path.Combine(folder, Checkpoint.MetricsFile));
        var series = new List<LinePlot.Series>
        {
            new("training loss", train.Select(p => p.Step).ToList(), train.Select(p => p.Loss).ToList()),
            new("validation loss", validation.Select(p => p.Step).ToList(), validation.Select(p => p.Loss).ToList(), Markers: true),
        };
        var levels = new List<LinePlot.Level>();
        if (entropyFloor is { } f) levels.Add(new(string.Create(c, $"entropy floor {f:F4}"), f));
        if (validation.Count > 0)
        {
            var best = validation.MinBy(p => p.Loss);
            string gap = entropyFloor is { } g ? string.Create(c, $", floor + {best.Loss - g:F4}") : "";
            levels.Add(new(string.Create(c, $"best validation {best.Loss:F4} (step {best.Step}{gap})"), best.Loss));
        }
        LinePlot.Save(Path.Combine(folder, Checkpoint.PlotFile), "Training", "step", $"loss (nats/{unit}, log scale)", series, levels, logY: true);
    }
}
