using Recur.Plots;
using Recur.Training;

namespace Recur.Cli.Training;

/// <summary>loss.png: training and validation loss against steps, with the entropy floor when known.</summary>
internal static class LossPlot
{
    public static void Draw(string folder, double? entropyFloor, string unit)
    {
        var (train, validation) = MetricsLog.ReadLosses(Path.Combine(folder, Checkpoint.MetricsFile));
        var series = new List<LinePlot.Series>
        {
            new("training loss", train.Select(p => p.Step).ToList(), train.Select(p => p.Loss).ToList()),
            new("validation loss", validation.Select(p => p.Step).ToList(), validation.Select(p => p.Loss).ToList(), Markers: true),
        };
        var levels = entropyFloor is { } f ? new List<LinePlot.Level> { new("entropy floor", f) } : null;
        LinePlot.Save(Path.Combine(folder, Checkpoint.PlotFile), "Training", "step", $"loss (nats/{unit})", series, levels);
    }
}
