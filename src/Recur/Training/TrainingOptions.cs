using Recur.Optim;

namespace Recur.Training;

/// <summary>
/// How a <see cref="Trainer"/> trains: optimizer, regularization, clipping, schedule, batching
/// and bookkeeping. Defaults are those of the built-in corpus's run (PyTorch's where PyTorch
/// has the same setting, such as AdamW's decay of 0.01).
/// </summary>
public sealed record TrainingOptions
{
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Adam;

    /// <summary>η; for SGD there is no sensible default, so 1.0 as classic char-RNN SGD.</summary>
    public double LearningRate { get; init; } = 3e-3;

    /// <summary>SGD momentum μ.</summary>
    public double Momentum { get; init; }

    /// <summary>SGD Nesterov momentum.</summary>
    public bool Nesterov { get; init; }

    /// <summary>Decoupled weight decay λ (SGDW/AdamW); null = none, or 0.01 for AdamW as PyTorch.</summary>
    public double? WeightDecay { get; init; }

    /// <summary>Coupled L2 regularization γ: the gradient gets 2γθ (docs/theory.md 3.2).</summary>
    public double? L2 { get; init; }

    /// <summary>Clip the global gradient norm to this (PyTorch's clip_grad_norm_); null = no clipping.</summary>
    public double? ClipNorm { get; init; } = 1.0;

    public ScheduleKind Schedule { get; init; } = ScheduleKind.WarmupCosine;

    /// <summary>B, parallel streams per batch.</summary>
    public int Batch { get; init; } = 32;

    /// <summary>T, the truncated-BPTT length.</summary>
    public int Sequence { get; init; } = 64;

    /// <summary>Optimizer steps in the whole run.</summary>
    public int Steps { get; init; } = 1200;

    /// <summary>Validate (and checkpoint) every this many steps; 0 = only at the end.</summary>
    public int EvalEvery { get; init; } = 300;

    /// <summary>Seeds the initial weights and the dropout masks.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>
    /// Kernel threads while <see cref="Trainer.Run"/> runs (the previous setting of
    /// <see cref="Kernels.Parallelism.MaxThreads"/> is restored when it returns); null leaves
    /// the process's setting alone.
    /// </summary>
    public int? Threads { get; init; }

    /// <summary>
    /// Throws an <see cref="InputException"/> whose subject names the first bad or conflicting
    /// property (<c>TrainingOptions.LearningRate</c>) and whose message says what is wrong.
    /// </summary>
    public void Validate()
    {
        if (!(LearningRate > 0 && double.IsFinite(LearningRate))) throw Bad(nameof(LearningRate), $"must be a positive number (got {LearningRate})");
        if (!(Momentum >= 0 && Momentum < 1)) throw Bad(nameof(Momentum), $"must be in [0, 1) (got {Momentum})");
        if (Nesterov && (Optimizer != OptimizerKind.Sgd || Momentum <= 0)) throw Bad(nameof(Nesterov), "needs the sgd optimizer and a momentum above 0");
        if (Momentum > 0 && Optimizer != OptimizerKind.Sgd) throw Bad(nameof(Momentum), "applies to the sgd optimizer only (Adam keeps its own moment estimates)");
        if (WeightDecay is { } wd && !(wd >= 0 && double.IsFinite(wd))) throw Bad(nameof(WeightDecay), $"must be ≥ 0 (got {wd})");
        if (L2 is { } l2 && !(l2 >= 0 && double.IsFinite(l2))) throw Bad(nameof(L2), $"must be ≥ 0 (got {l2})");
        if (WeightDecay is > 0 && L2 is > 0) throw Bad(nameof(L2), "choose one regularization: decoupled weight decay or coupled L2, not both");
        if (Optimizer == OptimizerKind.Adam && WeightDecay is > 0) throw Bad(nameof(WeightDecay), "decoupled decay with Adam is AdamW: use the adamw optimizer (or coupled L2 with Adam)");
        if (ClipNorm is { } c && !(c > 0 && !double.IsNaN(c))) throw Bad(nameof(ClipNorm), $"must be positive (got {c})");
        if (Batch < 1) throw Bad(nameof(Batch), $"must be at least 1 (got {Batch})");
        if (Sequence < 1) throw Bad(nameof(Sequence), $"must be at least 1 (got {Sequence})");
        if (Steps < 1) throw Bad(nameof(Steps), $"must be at least 1 (got {Steps})");
        if (Steps < 2 && Schedule == ScheduleKind.WarmupCosine) throw Bad(nameof(Steps), $"must be at least 2 with the warm-up schedule, whose warm-up takes a step (got {Steps}), or the constant schedule");
        if (EvalEvery < 0) throw Bad(nameof(EvalEvery), $"must be ≥ 0 (got {EvalEvery})");
        if (Threads is < 1) throw Bad(nameof(Threads), $"must be at least 1 (got {Threads})");
    }

    /// <summary>The subject of an error about <paramref name="property"/>: "TrainingOptions.Property".</summary>
    public static string Subject(string property) => $"{nameof(TrainingOptions)}.{property}";

    private static InputException Bad(string property, string reason) => new(Subject(property), reason);

    /// <summary>The regularization of weight matrices this run uses (biases, gains and embeddings are never decayed).</summary>
    public Regularization Regularization() =>
        L2 is > 0 ? new Regularization.L2(L2.Value)
        : WeightDecay is > 0 ? new Regularization.DecoupledWeightDecay(WeightDecay.Value)
        : Optimizer == OptimizerKind.AdamW && WeightDecay is null ? new Regularization.DecoupledWeightDecay(0.01)
        : new Regularization.None();

    /// <summary>
    /// Where the run was resumed with a larger total: each extension starts at a step From, where
    /// the total had been PreviousTotal. The schedule is then re-laid from the rate it had reached
    /// (see <see cref="LearningRateSchedule.Extended"/>) instead of being stretched to the new
    /// total, which would make the rate jump. Empty for a run trained to its first total.
    /// </summary>
    public IReadOnlyList<ScheduleExtension> Extensions { get; init; } = [];

    /// <summary>
    /// The learning-rate schedule over <see cref="Steps"/>: the chosen schedule over the first
    /// total, then each extension, whose ramp back to the base rate takes 5% of its added steps.
    /// </summary>
    public LearningRateSchedule LearningRateSchedule()
    {
        long total = Extensions.Count > 0 ? Extensions[0].PreviousTotal : Steps;
        LearningRateSchedule schedule = Schedule switch
        {
            ScheduleKind.Cosine => new LearningRateSchedule.Cosine(total),
            ScheduleKind.WarmupCosine => new LearningRateSchedule.WarmupCosine(Math.Max(1, total / 20), total),
            _ => new LearningRateSchedule.Constant(),
        };
        if (Schedule == ScheduleKind.Constant) return schedule;
        for (int i = 0; i < Extensions.Count; i++)
        {
            long from = Extensions[i].From, to = i + 1 < Extensions.Count ? Extensions[i + 1].PreviousTotal : Steps;
            schedule = new LearningRateSchedule.Extended(schedule, from, to, Math.Max(1, (to - from) / 20));
        }
        return schedule;
    }

    /// <summary>This run carried on from step <paramref name="from"/> to a new total of <paramref name="steps"/> (see <see cref="Extensions"/>).</summary>
    public TrainingOptions ExtendedTo(long from, int steps) =>
        this with { Steps = steps, Extensions = [.. Extensions, new ScheduleExtension(from, Steps)] };
}

/// <summary>A resume with a larger total: from step <paramref name="From"/>, where the total had been <paramref name="PreviousTotal"/>.</summary>
public sealed record ScheduleExtension(long From, long PreviousTotal);
