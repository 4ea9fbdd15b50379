using Recur.Optim;

namespace Recur.LanguageModels;

/// <summary>The optimizer `recur train` builds.</summary>
public enum OptimizerKind
{
    /// <summary>SGD with PyTorch's momentum form.</summary>
    Sgd,
    /// <summary>Adam (Kingma &amp; Ba 2015).</summary>
    Adam,
    /// <summary>Adam with decoupled weight decay (Loshchilov &amp; Hutter 2019); default decay 0.01 as PyTorch.</summary>
    AdamW,
}

/// <summary>The learning-rate schedule `recur train` builds.</summary>
public enum ScheduleKind
{
    /// <summary>η_t = η.</summary>
    Constant,
    /// <summary>Cosine annealing to 0 over the run.</summary>
    Cosine,
    /// <summary>Linear warm-up over the first 5% of steps, then cosine annealing to 0.</summary>
    WarmupCosine,
}

/// <summary>
/// How `recur train` trains: optimizer, regularization, clipping, schedule, batching and
/// bookkeeping. Defaults are those of the built-in corpus's run; every field has a
/// command-line option of the same name (design.md).
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

    /// <summary>Coupled L2 regularization γ: the gradient gets 2γθ (theory.md 3.2).</summary>
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

    /// <summary>Threads for kernels.</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>Throws ArgumentOutOfRangeException or InputException naming the first bad or conflicting value.</summary>
    public void Validate()
    {
        if (!(LearningRate > 0 && double.IsFinite(LearningRate))) throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "--lr must be a positive number.");
        if (!(Momentum >= 0 && Momentum < 1)) throw new ArgumentOutOfRangeException(nameof(Momentum), Momentum, "--momentum must be in [0, 1).");
        if (Nesterov && (Optimizer != OptimizerKind.Sgd || Momentum <= 0)) throw new InputException("--nesterov", "needs --optimizer sgd and --momentum > 0");
        if (Momentum > 0 && Optimizer != OptimizerKind.Sgd) throw new InputException("--momentum", "applies to --optimizer sgd only (Adam keeps its own moment estimates)");
        if (WeightDecay is { } wd && !(wd >= 0 && double.IsFinite(wd))) throw new ArgumentOutOfRangeException(nameof(WeightDecay), wd, "--weight-decay must be ≥ 0.");
        if (L2 is { } l2 && !(l2 >= 0 && double.IsFinite(l2))) throw new ArgumentOutOfRangeException(nameof(L2), l2, "--l2 must be ≥ 0.");
        if (WeightDecay is > 0 && L2 is > 0) throw new InputException("--l2", "choose one regularization: --weight-decay (decoupled) or --l2 (coupled), not both");
        if (Optimizer == OptimizerKind.Adam && WeightDecay is > 0) throw new InputException("--weight-decay", "decoupled decay with Adam is AdamW: use --optimizer adamw (or --l2 for coupled L2 with Adam)");
        if (ClipNorm is { } c && !(c > 0)) throw new ArgumentOutOfRangeException(nameof(ClipNorm), c, "--clip-norm must be positive.");
        ArgumentOutOfRangeException.ThrowIfLessThan(Batch, 1, nameof(Batch));
        ArgumentOutOfRangeException.ThrowIfLessThan(Sequence, 1, nameof(Sequence));
        ArgumentOutOfRangeException.ThrowIfLessThan(Steps, 1, nameof(Steps));
        ArgumentOutOfRangeException.ThrowIfNegative(EvalEvery, nameof(EvalEvery));
        ArgumentOutOfRangeException.ThrowIfLessThan(Threads, 1, nameof(Threads));
    }

    /// <summary>The regularization of weight matrices this run uses (biases, gains and embeddings are never decayed).</summary>
    public Regularization Regularization() =>
        L2 is > 0 ? new Regularization.L2(L2.Value)
        : WeightDecay is > 0 ? new Regularization.DecoupledWeightDecay(WeightDecay.Value)
        : Optimizer == OptimizerKind.AdamW && WeightDecay is null ? new Regularization.DecoupledWeightDecay(0.01)
        : new Regularization.None();

    /// <summary>The learning-rate schedule over <see cref="Steps"/>.</summary>
    public LearningRateSchedule LearningRateSchedule() => Schedule switch
    {
        ScheduleKind.Cosine => new LearningRateSchedule.Cosine(Steps),
        ScheduleKind.WarmupCosine => new LearningRateSchedule.WarmupCosine(Math.Max(1, Steps / 20), Steps),
        _ => new LearningRateSchedule.Constant(),
    };
}
