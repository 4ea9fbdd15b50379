using System.Globalization;

namespace Recur.Training;

/// <summary>
/// A ready-made <see cref="ITrainingObserver"/>: one line every <paramref name="every"/> steps
/// (step, loss, learning rate, tokens per second, time left) and one per validation, written to
/// <paramref name="output"/> (for example <c>Console.Error</c>).
/// </summary>
public sealed class TextProgress(TextWriter output, int every = 100) : ITrainingObserver
{
    private readonly TextWriter _output = output ?? throw new ArgumentNullException(nameof(output));
    private readonly int _every = every >= 1 ? every : throw new ArgumentOutOfRangeException(nameof(every), every, "Report every one step or more.");

    /// <inheritdoc/>
    public void Started(long step, long steps, int parameters, int tokensPerStep) =>
        _output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"training {parameters:N0} parameters from step {step} to {steps}, {tokensPerStep:N0} tokens per step"));

    /// <inheritdoc/>
    public void Stepped(TrainingProgress p)
    {
        if (p.Step % _every != 0 && p.Step != p.Steps) return;
        _output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"step {p.Step}/{p.Steps}  loss {p.Loss:F4}  lr {p.LearningRate:0.00e+00}  {p.TokensPerSecond:N0} tokens/s  {p.Remaining:hh\\:mm\\:ss} left"));
    }

    /// <inheritdoc/>
    public void Validated(long step, double loss) =>
        _output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"step {step}: validation loss {loss:F4} (perplexity {Math.Exp(loss):F2})"));
}
