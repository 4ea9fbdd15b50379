using System.Globalization;
using Recur.Training;

namespace Recur.Cli.Training;

/// <summary>
/// Live training progress on stderr (docs/cli.md: progress never goes to stdout): one line
/// rewritten in place on a terminal, or a line every tenth of the run when stderr is a file
/// or pipe; validation losses and checkpoints on their own lines. Redraws loss.png at each
/// checkpoint.
/// </summary>
internal sealed class ProgressView(TextWriter error, bool interactive, double? entropyFloor, string unit) : ITrainingObserver
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;
    private long _steps;
    private long _lastPrinted = -1;
    private DateTime _lastDraw = DateTime.MinValue;
    private bool _lineOpen;

    public void Started(long step, long steps, int parameters, int tokensPerStep)
    {
        _steps = steps;
        string from = step == 0 ? "" : $" from step {step}";
        error.WriteLine(string.Create(C, $"training {parameters:N0} parameters for {steps} steps of {tokensPerStep} tokens{from}"));
    }

    public void Stepped(TrainingProgress p)
    {
        string line = string.Create(C,
            $"step {p.Step,6}/{p.Steps}  loss {p.Loss:F4}  lr {Numbers.Rate(p.LearningRate)}  {p.TokensPerSecond,8:N0} tok/s  ETA {Format(p.Remaining)}{(p.Skipped ? "  (skipped: non-finite gradient)" : "")}");
        if (interactive)
        {
            if ((DateTime.UtcNow - _lastDraw).TotalMilliseconds < 100 && p.Step != p.Steps && !p.Skipped) return;
            _lastDraw = DateTime.UtcNow;
            error.Write("\r" + line + "   ");
            _lineOpen = true;
        }
        else if (p.Step == p.Steps || p.Skipped || _lastPrinted < 0 || p.Step - _lastPrinted >= Math.Max(1, _steps / 10))
        {
            _lastPrinted = p.Step;
            error.WriteLine(line);
        }
    }

    public void Validated(long step, double loss)
    {
        EndLine();
        string floor = entropyFloor is { } f ? string.Create(C, $" (floor {f:F4}, +{loss - f:F4})") : "";
        error.WriteLine(string.Create(C, $"step {step,6}: validation loss {loss:F4} nats/{unit}{floor}"));
    }

    public void Checkpointed(long step, string folder)
    {
        LossPlot.Draw(folder, entropyFloor, unit);
        error.WriteLine(string.Create(C, $"step {step,6}: checkpoint saved to {folder}"));
    }

    /// <summary>Ends a progress line left open on a terminal.</summary>
    public void EndLine()
    {
        if (!_lineOpen) return;
        error.WriteLine();
        _lineOpen = false;
    }

    private static string Format(TimeSpan t) => t.TotalHours >= 1 ? t.ToString(@"h\:mm\:ss", C) : t.ToString(@"m\:ss", C);
}
