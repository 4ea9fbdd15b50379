namespace Recur.Training;

/// <summary>The learning-rate schedule a <see cref="Trainer"/> builds.</summary>
[ChoiceName("schedule")]
public enum ScheduleKind
{
    /// <summary>η_t = η.</summary>
    Constant,
    /// <summary>Cosine annealing to 0 over the run.</summary>
    Cosine,
    /// <summary>Linear warm-up over the first 5% of steps, then cosine annealing to 0.</summary>
    [ChoiceName("warmup-cosine")]
    WarmupCosine,
}
