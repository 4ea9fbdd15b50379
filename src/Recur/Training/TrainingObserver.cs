namespace Recur.Training;

/// <summary>
/// What a <see cref="Trainer"/> reports as it goes (the CLI shows it on stderr;
/// <see cref="TextProgress"/> writes it to any text writer). Every method does nothing by
/// default: implement the ones you need.
/// </summary>
public interface ITrainingObserver
{
    /// <summary>Training starts (or resumes) at <paramref name="step"/> of <paramref name="steps"/>.</summary>
    void Started(long step, long steps, int parameters, int tokensPerStep) { }

    /// <summary>A training step finished.</summary>
    void Stepped(TrainingProgress progress) { }

    /// <summary>A validation pass finished.</summary>
    void Validated(long step, double loss) { }

    /// <summary>A checkpoint was written.</summary>
    void Checkpointed(long step, string folder) { }
}

/// <summary>One training step's figures.</summary>
/// <param name="Step">Steps done (1-based).</param>
/// <param name="Steps">Steps in the run.</param>
/// <param name="Loss">This batch's mean loss (nats per token).</param>
/// <param name="LearningRate">The rate this step used.</param>
/// <param name="GradientNorm">The global gradient norm before clipping.</param>
/// <param name="Skipped">True when the step was skipped for a non-finite gradient.</param>
/// <param name="TokensPerSecond">Training throughput over the recent steps.</param>
/// <param name="Remaining">Estimated time to the end of the run.</param>
public sealed record TrainingProgress(long Step, long Steps, double Loss, double LearningRate, double GradientNorm, bool Skipped, double TokensPerSecond, TimeSpan Remaining);

/// <summary>How a run ended.</summary>
public enum TrainingStatus
{
    /// <summary>All steps done.</summary>
    Completed,
    /// <summary>Stopped on request (Ctrl-C); a checkpoint was saved.</summary>
    Interrupted,
    /// <summary>A loss was NaN or infinite; training stopped and the last good checkpoint was kept.</summary>
    NonFiniteLoss,
}

/// <summary>The outcome of <see cref="Trainer.Run"/>.</summary>
/// <param name="Status">How it ended.</param>
/// <param name="Steps">Steps done.</param>
/// <param name="TrainLoss">Mean training loss over the last steps (nats per token).</param>
/// <param name="ValidationLoss">The last validation loss, if any.</param>
/// <param name="TokensPerSecond">Training throughput of this session.</param>
/// <param name="Message">Why a run stopped early.</param>
public sealed record TrainingResult(TrainingStatus Status, long Steps, double TrainLoss, double? ValidationLoss, double TokensPerSecond, string? Message);
