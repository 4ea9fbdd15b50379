namespace Recur.Optim;

/// <summary>
/// A learning-rate schedule: η_t as a pure function of the step index t (0 for the first
/// optimizer step) and the group's base rate η_0. The values equal PyTorch's schedulers read
/// from <c>param_groups[i]["lr"]</c> before the (t+1)-th <c>optimizer.step()</c>, i.e. after t
/// calls to <c>scheduler.step()</c>. Being stateless, a schedule resumes exactly from the
/// optimizer's saved step count.
/// </summary>
public abstract record LearningRateSchedule
{
    private LearningRateSchedule() { }

    /// <summary>η_t for step index <paramref name="step"/> ≥ 0 given the base rate η_0.</summary>
    public double LearningRate(long step, double baseLearningRate)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        return At(step, baseLearningRate);
    }

    private protected abstract double At(long t, double baseRate);

    /// <summary>Cosine annealing from η_0 down to η_min over <paramref name="period"/> steps of phase <paramref name="t"/> (Loshchilov &amp; Hutter 2017, eq. 5).</summary>
    private static double CosineBetween(double baseRate, double minRate, long t, long period) =>
        minRate + (baseRate - minRate) * (1 + Math.Cos(Math.PI * t / period)) / 2;

    private static double CheckedMin(double value) => value >= 0 && double.IsFinite(value) ? value
        : throw new ArgumentOutOfRangeException("MinLearningRate", value, "The minimum learning rate must be finite and ≥ 0.");

    /// <summary>η_t = η_0 (no schedule).</summary>
    public sealed record Constant : LearningRateSchedule
    {
        private protected override double At(long t, double baseRate) => baseRate;
    }

    /// <summary>
    /// η_t = η_0·γ^⌊t / StepSize⌋, as <c>torch.optim.lr_scheduler.StepLR(step_size, gamma=0.1)</c>.
    /// </summary>
    public sealed record StepDecay(int StepSize, double Gamma = 0.1) : LearningRateSchedule
    {
        /// <summary>Steps between decays (PyTorch's step_size), ≥ 1.</summary>
        public int StepSize { get; } = StepSize >= 1 ? StepSize
            : throw new ArgumentOutOfRangeException(nameof(StepSize), StepSize, "The step size must be ≥ 1.");

        /// <summary>The factor γ ≥ 0 applied every <see cref="StepSize"/> steps.</summary>
        public double Gamma { get; } = Gamma >= 0 && double.IsFinite(Gamma) ? Gamma
            : throw new ArgumentOutOfRangeException(nameof(Gamma), Gamma, "The decay factor γ must be finite and ≥ 0.");

        private protected override double At(long t, double baseRate) => baseRate * Math.Pow(Gamma, t / StepSize);
    }

    /// <summary>
    /// η_t = η_min + (η_0 − η_min)·(1 + cos(π t / Steps))/2, as
    /// <c>torch.optim.lr_scheduler.CosineAnnealingLR(T_max = Steps, eta_min)</c>. As in PyTorch the
    /// cosine continues past <see cref="Steps"/> (the rate rises again), so set Steps to the run length.
    /// </summary>
    public sealed record Cosine(long Steps, double MinLearningRate = 0) : LearningRateSchedule
    {
        /// <summary>Steps from η_0 to η_min (PyTorch's T_max), ≥ 1.</summary>
        public long Steps { get; } = Steps >= 1 ? Steps
            : throw new ArgumentOutOfRangeException(nameof(Steps), Steps, "The cosine period must be ≥ 1 step.");

        /// <summary>η_min (PyTorch's eta_min), an absolute rate.</summary>
        public double MinLearningRate { get; } = CheckedMin(MinLearningRate);

        private protected override double At(long t, double baseRate) => CosineBetween(baseRate, MinLearningRate, t, Steps);
    }

    /// <summary>
    /// Linear warm-up then cosine annealing: for t &lt; W, η_t = η_0·(s + (1 − s)·t/W); from W on,
    /// η_t = η_min + (η_0 − η_min)·(1 + cos(π (t − W)/(Total − W)))/2. With s &gt; 0 this equals
    /// PyTorch's <c>SequentialLR([LinearLR(start_factor = s, total_iters = W),
    /// CosineAnnealingLR(T_max = Total − W, eta_min)], milestones = [W])</c>. The default s = 0
    /// (which LinearLR cannot express) warms up from 0, as Hugging Face's
    /// <c>get_cosine_schedule_with_warmup</c> and Goyal et al. 2017 do.
    /// </summary>
    public sealed record WarmupCosine(long WarmupSteps, long TotalSteps, double StartFactor = 0, double MinLearningRate = 0) : LearningRateSchedule
    {
        /// <summary>W ≥ 0, the warm-up length.</summary>
        public long WarmupSteps { get; } = WarmupSteps >= 0 ? WarmupSteps
            : throw new ArgumentOutOfRangeException(nameof(WarmupSteps), WarmupSteps, "The warm-up length must be ≥ 0.");

        /// <summary>The run length; the cosine reaches η_min here. Must exceed <see cref="WarmupSteps"/>.</summary>
        public long TotalSteps { get; } = TotalSteps > WarmupSteps ? TotalSteps
            : throw new ArgumentOutOfRangeException(nameof(TotalSteps), TotalSteps, $"The total number of steps must exceed the {WarmupSteps} warm-up steps.");

        /// <summary>s ∈ [0, 1], the fraction of η_0 at step 0.</summary>
        public double StartFactor { get; } = StartFactor is >= 0 and <= 1 ? StartFactor
            : throw new ArgumentOutOfRangeException(nameof(StartFactor), StartFactor, "The start factor must lie in [0, 1].");

        /// <summary>η_min, an absolute rate.</summary>
        public double MinLearningRate { get; } = CheckedMin(MinLearningRate);

        private protected override double At(long t, double baseRate) => t < WarmupSteps
            ? baseRate * (StartFactor + (1 - StartFactor) * t / WarmupSteps)
            : CosineBetween(baseRate, MinLearningRate, t - WarmupSteps, TotalSteps - WarmupSteps);
    }

    /// <summary>
    /// Cosine annealing with warm restarts (SGDR, Loshchilov &amp; Hutter 2017): periods of
    /// T_0, T_0·m, T_0·m², … steps; within a period of length T_i at phase T_cur,
    /// η_t = η_min + (η_0 − η_min)·(1 + cos(π T_cur / T_i))/2. Equals
    /// <c>torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(T_0, T_mult, eta_min)</c>.
    /// </summary>
    public sealed record CosineWarmRestarts(long FirstPeriod, int PeriodMultiplier = 1, double MinLearningRate = 0) : LearningRateSchedule
    {
        /// <summary>T_0 ≥ 1, the length of the first period.</summary>
        public long FirstPeriod { get; } = FirstPeriod >= 1 ? FirstPeriod
            : throw new ArgumentOutOfRangeException(nameof(FirstPeriod), FirstPeriod, "The first period must be ≥ 1 step.");

        /// <summary>m ≥ 1 (PyTorch's T_mult): each period is m times the previous one.</summary>
        public int PeriodMultiplier { get; } = PeriodMultiplier >= 1 ? PeriodMultiplier
            : throw new ArgumentOutOfRangeException(nameof(PeriodMultiplier), PeriodMultiplier, "The period multiplier must be ≥ 1.");

        /// <summary>η_min, an absolute rate.</summary>
        public double MinLearningRate { get; } = CheckedMin(MinLearningRate);

        private protected override double At(long t, double baseRate)
        {
            long period = FirstPeriod, phase = t;
            if (PeriodMultiplier == 1) phase = t % period;
            else
                while (phase >= period)
                {
                    phase -= period;
                    period = checked(period * PeriodMultiplier);
                }
            return CosineBetween(baseRate, MinLearningRate, phase, period);
        }
    }

    /// <summary>
    /// A schedule carried past its planned end: <paramref name="Before"/> for steps before From;
    /// from From on, a linear ramp from the rate Before reached at From, r, back up to η_0 over
    /// <paramref name="Warmup"/> steps, then a cosine from η_0 to 0 at To:
    /// η_t = r + (η_0 − r)·(t − From)/Warmup, then η_0·(1 + cos(π (t − From − Warmup)/(To − From − Warmup)))/2.
    /// The rate is continuous at From (it is Before's own rate there), which is what resuming a
    /// run with a larger total needs: a finished cosine had decayed to about 0, and starting the
    /// added steps at η_0 would jump.
    /// </summary>
    public sealed record Extended(LearningRateSchedule Before, long From, long To, long Warmup) : LearningRateSchedule
    {
        /// <summary>The schedule of the steps before <see cref="From"/>.</summary>
        public LearningRateSchedule Before { get; } = Before ?? throw new ArgumentNullException(nameof(Before));

        /// <summary>The first step of the extension, ≥ 0.</summary>
        public long From { get; } = From >= 0 ? From : throw new ArgumentOutOfRangeException(nameof(From), From, "The extension must start at a step ≥ 0.");

        /// <summary>The new end: the cosine reaches 0 here; must exceed From + Warmup.</summary>
        public long To { get; } = To > From + Warmup ? To
            : throw new ArgumentOutOfRangeException(nameof(To), To, $"The new end must come after step {From} and the {Warmup} ramp steps.");

        /// <summary>Steps of the ramp back to η_0, ≥ 0.</summary>
        public long Warmup { get; } = Warmup >= 0 ? Warmup : throw new ArgumentOutOfRangeException(nameof(Warmup), Warmup, "The ramp length must be ≥ 0.");

        private protected override double At(long t, double baseRate)
        {
            if (t < From) return Before.LearningRate(t, baseRate);
            if (t < From + Warmup)
            {
                double start = Before.LearningRate(From, baseRate);
                return start + (baseRate - start) * (t - From) / Warmup;
            }
            return CosineBetween(baseRate, 0, t - From - Warmup, To - From - Warmup);
        }
    }
}
