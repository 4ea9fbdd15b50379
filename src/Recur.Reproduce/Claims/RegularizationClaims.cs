using Recur.Formats;
using Recur.Kernels;
using Recur.Optim;
using Recur.Tensors;

namespace Recur.Reproduce.Claims;

// F features; S samples; n weights per group.

/// <summary>docs/theory.md §3: L2 regularization against decoupled weight decay, for SGD and Adam.</summary>
public static class RegularizationClaims
{
    /// <summary>
    /// SGD trajectories on a logistic-regression loss (not quadratic) from the same start:
    /// coupled L2(γ), decoupled decay λ = 2ηγ (scaled by the schedule only), learning-rate-scaled
    /// decay λ = 2γ, and no regularization.
    /// </summary>
    /// <param name="L2">θ_t per step (steps + 1 rows of F values, the start first).</param>
    /// <param name="Decay">The same for decay λ = 2ηγ.</param>
    /// <param name="ScaledDecay">The same for decay λ = 2γ scaled by η.</param>
    /// <param name="None">The same without regularization.</param>
    /// <param name="DecayError">Largest |θ_decay − θ_L2| / (1e-6 + 1e-5·|θ_L2|) over steps and coordinates (≤ 1: round-off).</param>
    /// <param name="ScaledDecayError">The same for the learning-rate-scaled decay.</param>
    /// <param name="UnregularizedGap">Largest |θ_L2 − θ_none|: how much the regularization acted.</param>
    public sealed record SgdRun(float[][] L2, float[][] Decay, float[][] ScaledDecay, float[][] None, double DecayError, double ScaledDecayError, double UnregularizedGap);

    /// <summary>Runs the four SGD schemes of docs/theory.md 3.1 (η = 0.5, γ = 0.02, F = 8, S = 32).</summary>
    public static SgdRun RunSgd(int steps)
    {
        const double eta = 0.5, gamma = 0.02;
        const int features = 8, samples = 32;
        var rng = new Rng(31);
        double[] x = new double[samples * features], y = new double[samples];
        for (int i = 0; i < x.Length; i++) x[i] = rng.NextNormal();
        for (int i = 0; i < samples; i++) y[i] = rng.NextDouble() < 0.5 ? -1 : 1;
        var init = new float[features];
        rng.FillUniform(init, -1, 1);

        // ∇ mean_i log(1 + exp(−y_i x_iᵀθ)) = −mean_i y_i x_i σ(−y_i x_iᵀθ), in double.
        void Gradient(ReadOnlySpan<float> theta, Span<float> grad)
        {
            Span<double> sum = stackalloc double[features];
            for (int i = 0; i < samples; i++)
            {
                double z = 0;
                for (int j = 0; j < features; j++) z += x[i * features + j] * theta[j];
                double weight = -y[i] / (1 + Math.Exp(y[i] * z));
                for (int j = 0; j < features; j++) sum[j] += weight * x[i * features + j];
            }
            for (int j = 0; j < features; j++) grad[j] = (float)(sum[j] / samples);
        }

        Regularization[] schemes =
        [
            new Regularization.L2(gamma),
            new Regularization.DecoupledWeightDecay(2 * eta * gamma, ScaleBySchedule: true),
            new Regularization.DecoupledWeightDecay(2 * gamma),
            new Regularization.None(),
        ];
        var trajectories = new float[schemes.Length][][];
        for (int s = 0; s < schemes.Length; s++)
        {
            var store = Store(init);
            var sgd = new Sgd(store, new SgdOptions(eta) { Regularization = schemes[s] });
            var path = new float[steps + 1][];
            path[0] = [.. init];
            for (int t = 1; t <= steps; t++)
            {
                Gradient(store.Values, store.Grads);
                sgd.Step();
                path[t] = store.Values.ToArray();
            }
            trajectories[s] = path;
        }
        double Error(float[][] a, float[][] reference)
        {
            double worst = 0;
            for (int t = 0; t <= steps; t++)
                for (int j = 0; j < features; j++)
                    worst = Math.Max(worst, Math.Abs(a[t][j] - reference[t][j]) / (1e-6 + 1e-5 * Math.Abs(reference[t][j])));
            return worst;
        }
        double gap = 0;
        for (int t = 0; t <= steps; t++)
            for (int j = 0; j < features; j++) gap = Math.Max(gap, Math.Abs(trajectories[0][t][j] - trajectories[3][t][j]));
        return new SgdRun(trajectories[0], trajectories[1], trajectories[2], trajectories[3],
            Error(trajectories[1], trajectories[0]), Error(trajectories[2], trajectories[0]), gap);
    }

    /// <summary>docs/theory.md 3.1: SGD on L + γ‖θ‖² is SGD with weight decay λ = 2ηγ.</summary>
    public static ClaimResult SgdEquivalence(ReproduceOptions options)
    {
        const int steps = 1000;
        var run = RunSgd(steps);
        bool pass = run.DecayError <= 1 && run.ScaledDecayError <= 1 && run.UnregularizedGap > 0.1;
        var x = Enumerable.Range(0, steps + 1).Select(t => (double)t).ToArray();
        double[] Coordinate(float[][] path, int j) => path.Select(p => (double)p[j]).ToArray();
        return new ClaimResult("3.1", "SGD: L2 regularization is weight decay",
            "SGD on L_reg = L + γ‖θ‖² is identical to SGD with weight decay θ ← θ − η∇L − λθ when λ = 2ηγ.",
            Show.Text($"logistic regression, η = 0.5, γ = 0.02, {steps} steps: largest |θ_decay − θ_L2| / (1e-6 + 1e-5·|θ_L2|) = {Show.Fixed(run.DecayError, 3)} with λ = 2ηγ, {Show.Fixed(run.ScaledDecayError, 3)} with the learning-rate-scaled λ = 2γ; the regularization moved θ by up to {Show.Fixed(run.UnregularizedGap, 3)} from the unregularized run"),
            "both ≤ 1 (the trajectories agree to float32 round-off at every step) while the regularization visibly acts (> 0.1)",
            pass)
        {
            Figures =
            [
                new ClaimFigure("3.1-sgd-trajectories", "SGD: L2 (γ = 0.02) and weight decay (λ = 2ηγ) give one trajectory", "step", "θ_t (two coordinates)", [
                    new ClaimSeries("θ[0], L2", x, Coordinate(run.L2, 0)),
                    new ClaimSeries("θ[0], weight decay", x, Coordinate(run.Decay, 0), SeriesStyle.Dashed),
                    new ClaimSeries("θ[1], L2", x, Coordinate(run.L2, 1)),
                    new ClaimSeries("θ[1], weight decay", x, Coordinate(run.Decay, 1), SeriesStyle.Dashed),
                    new ClaimSeries("θ[0], unregularized", x, Coordinate(run.None, 0)),
                    new ClaimSeries("θ[1], unregularized", x, Coordinate(run.None, 1)),
                ]),
            ],
        };
    }

    /// <summary>docs/theory.md 3.2: the optimizers' L2 term adds 2γθ to the gradient, not γθ.</summary>
    public static ClaimResult L2Gradient(ReproduceOptions options)
    {
        const double gamma = 0.1, eta = 0.5;
        const int n = 16;
        var theta = new float[n];
        new Rng(32).FillUniform(theta, 0.5f, 2f);
        // SGD with a zero loss gradient: one step moves θ by −η·(added term).
        var sgdStore = Store(theta);
        new Sgd(sgdStore, new SgdOptions(eta) { Regularization = new Regularization.L2(gamma) }).Step();
        double sgdRatio = WorstRatio(i => (theta[i] - (double)sgdStore.Values[i]) / eta, theta, gamma, out double sgdSpread);
        // Adam with a zero loss gradient: its first moment after one step is (1 − β1)·(added term).
        var adamStore = Store(theta);
        var adam = new Adam(adamStore, new AdamOptions { LearningRate = 1e-3, Regularization = new Regularization.L2(gamma) });
        adam.Step();
        var state = new Safetensors();
        adam.WriteState(state);
        var m = state.GetFloat32("exp_avg");
        double adamRatio = WorstRatio(i => m[i] / (1 - adam.Options.Beta1), theta, gamma, out double adamSpread);
        // The gradient of γ‖θ‖² by central differences.
        double fdRatio = WorstRatio(i =>
        {
            double h = 1e-4, up = 0, down = 0;
            for (int k = 0; k < n; k++)
            {
                double v = theta[k];
                up += gamma * (k == i ? (v + h) * (v + h) : v * v);
                down += gamma * (k == i ? (v - h) * (v - h) : v * v);
            }
            return (up - down) / (2 * h);
        }, theta, gamma, out double fdSpread);
        double spread = Math.Max(sgdSpread, Math.Max(adamSpread, fdSpread));
        bool pass = spread <= 1e-4;
        return new ClaimResult("3.2", "The L2 gradient is 2γθ",
            "Adam (and SGD) with L2 regularization use the gradient ∇L + 2γθ: the gradient of γ‖θ‖² is 2γθ, not γθ.",
            Show.Text($"added gradient ÷ γθ, with ∇L = 0, over {n} weights: SGD step (θ_0 − θ_1)/η: {Show.Fixed(sgdRatio, 6)}; Adam's first moment m_1/(1 − β1): {Show.Fixed(adamRatio, 6)}; central difference of γ‖θ‖²: {Show.Fixed(fdRatio, 6)}"),
            "2 for every weight (within 1e-4), from all three",
            pass)
        {
            Correction = Show.Text($"The loose answer g ← ∇L + γθ predicts a ratio of 1; the optimizers add {Show.Fixed(sgdRatio, 6)}·γθ (SGD) and {Show.Fixed(adamRatio, 6)}·γθ (Adam), as the derivative of γ‖θ‖² does ({Show.Fixed(fdRatio, 6)})."),
        };
    }

    private static ParameterStore Store(float[] theta)
    {
        var store = new ParameterStore([new Parameter("w", new Shape(theta.Length), ParameterKind.Weight)]);
        theta.CopyTo(store.Values);
        return store;
    }

    // The ratio added(i) / (γθ_i) of the weight farthest from 2, and the largest |ratio − 2|.
    private static double WorstRatio(Func<int, double> added, float[] theta, double gamma, out double spread)
    {
        double worst = 2;
        spread = 0;
        for (int i = 0; i < theta.Length; i++)
        {
            double ratio = added(i) / (gamma * theta[i]);
            if (Math.Abs(ratio - 2) >= spread) (spread, worst) = (Math.Abs(ratio - 2), ratio);
        }
        return worst;
    }

    /// <summary>
    /// Relative decay |θ_t|/|θ_0| of groups of equal initial weights whose gradients are c·ξ_t
    /// with the same zero-mean noise ξ_t and group scales c (docs/theory.md 3.3–3.4), under Adam.
    /// </summary>
    /// <param name="Scales">c per group.</param>
    /// <param name="Decay">Per group, |θ_t|/|θ_0| for t = 0 … steps.</param>
    public sealed record AdamRun(double[] Scales, double[][] Decay)
    {
        /// <summary>|θ_T|/|θ_0| of group g.</summary>
        public double Final(int g) => Decay[g][^1];
    }

    /// <summary>Adam (lr 1e-3) for <paramref name="steps"/> steps with <paramref name="regularization"/> on every group (n = 64 weights each).</summary>
    public static AdamRun RunAdamGroups(Regularization regularization, double[] scales, int steps)
    {
        ArgumentNullException.ThrowIfNull(scales);
        const int n = 64;
        var init = new float[n];
        new Rng(33).FillNormal(init, 0, 1);
        var groups = new Parameter[scales.Length];
        for (int g = 0; g < groups.Length; g++)
        {
            groups[g] = new Parameter($"group{g}", new Shape(n), ParameterKind.Weight);
            init.CopyTo(groups[g].Value.Span);
        }
        var adam = new Adam(new ParameterStore(groups), new AdamOptions { LearningRate = 1e-3, Regularization = regularization });
        var noise = new Rng(34);
        var xi = new float[n];
        double norm0 = Reductions.Norm(init);
        var decay = new double[scales.Length][];
        for (int g = 0; g < groups.Length; g++) (decay[g] = new double[steps + 1])[0] = 1;
        for (int t = 1; t <= steps; t++)
        {
            noise.FillNormal(xi, 0, 1);
            for (int g = 0; g < groups.Length; g++)
                for (int i = 0; i < n; i++) groups[g].Grad[i] = (float)scales[g] * xi[i];
            adam.Step();
            for (int g = 0; g < groups.Length; g++) decay[g][t] = Reductions.Norm(groups[g].Value.Span) / norm0;
        }
        return new AdamRun(scales, decay);
    }

    /// <summary>docs/theory.md 3.3: Adam-L2 decays the small-gradient group far more; AdamW decays both alike.</summary>
    public static ClaimResult AdamTwoGroups(ReproduceOptions options)
    {
        const int steps = 2000;
        const double lambda = 0.1;
        double[] scales = [1e-3, 1];
        var l2 = RunAdamGroups(new Regularization.L2(lambda / 2), scales, steps);
        var adamW = RunAdamGroups(new Regularization.DecoupledWeightDecay(lambda), scales, steps);
        bool pass = l2.Final(0) < 0.25 * l2.Final(1) && Math.Abs(adamW.Final(0) / adamW.Final(1) - 1) < 0.01 && adamW.Final(1) < 0.9;
        var x = Enumerable.Range(0, steps + 1).Select(t => (double)t).ToArray();
        return new ClaimResult("3.3", "Adam-L2 against AdamW on two groups",
            "With gradients c·ξ_t (c_small = 1e-3, c_large = 1) on two groups of equal initial size, Adam-L2 regularizes the small-gradient group much more strongly (its decay is divided by a small √v̂); AdamW decays both at the same relative rate.",
            Show.Text($"|θ_T|/|θ_0| after {steps} steps (lr 1e-3; Adam-L2 γ = λ/2, AdamW λ = {lambda}): Adam-L2 small-gradient group {Show.Fixed(l2.Final(0), 4)}, large {Show.Fixed(l2.Final(1), 4)}; AdamW small {Show.Fixed(adamW.Final(0), 4)}, large {Show.Fixed(adamW.Final(1), 4)}"),
            "Adam-L2: small < 0.25 × large; AdamW: the two within 1% of each other, and decayed (< 0.9)",
            pass)
        {
            Tables =
            [
                new ClaimTable("|θ_T| / |θ_0| per group and scheme", ["scheme", "small-gradient group (c = 1e-3)", "large-gradient group (c = 1)"],
                [
                    ["Adam + L2", Show.Fixed(l2.Final(0), 4), Show.Fixed(l2.Final(1), 4)],
                    ["AdamW", Show.Fixed(adamW.Final(0), 4), Show.Fixed(adamW.Final(1), 4)],
                ]),
            ],
            Figures =
            [
                new ClaimFigure("3.3-relative-decay", "Relative decay |θ_t|/|θ_0| per group", "step", "|θ_t| / |θ_0|", [
                    new ClaimSeries("Adam + L2, small gradients", x, l2.Decay[0]),
                    new ClaimSeries("Adam + L2, large gradients", x, l2.Decay[1]),
                    new ClaimSeries("AdamW, small gradients", x, adamW.Decay[0], SeriesStyle.Dashed),
                    new ClaimSeries("AdamW, large gradients", x, adamW.Decay[1]),
                ]),
            ],
        };
    }

    /// <summary>
    /// docs/theory.md 3.4, measured: across groups whose gradients span five orders of magnitude,
    /// AdamW decays every group at the same relative rate, Adam-L2 does not.
    /// </summary>
    public static ClaimResult DecoupledIsTheDefault(ReproduceOptions options)
    {
        const int steps = 2000;
        const double lambda = 0.1;
        double[] scales = [1e-4, 1e-3, 1e-2, 1e-1, 1, 10];
        var l2 = RunAdamGroups(new Regularization.L2(lambda / 2), scales, steps);
        var adamW = RunAdamGroups(new Regularization.DecoupledWeightDecay(lambda), scales, steps);
        double Spread(AdamRun r)
        {
            var finals = Enumerable.Range(0, scales.Length).Select(r.Final).ToArray();
            return finals.Max() / finals.Min();
        }
        double l2Spread = Spread(l2), adamWSpread = Spread(adamW);
        bool pass = adamWSpread <= 1.01 && l2Spread >= 2;
        return new ClaimResult("3.4", "Decoupled weight decay is the better default",
            "With adaptive optimizers, decoupled weight decay is the better default: it decays every weight at the same rate, whatever the size of its gradients.",
            Show.Text($"six groups with gradient scales c = 1e-4 … 10, {steps} steps: largest/smallest |θ_T|/|θ_0| across groups: AdamW {Show.Fixed(adamWSpread, 4)} (all {Show.Fixed(adamW.Final(0), 4)}), Adam-L2 {Show.Fixed(l2Spread, 2)} (from {Show.Fixed(Enumerable.Range(0, scales.Length).Min(l2.Final), 4)} to {Show.Fixed(Enumerable.Range(0, scales.Length).Max(l2.Final), 4)})"),
            "AdamW: one rate for every group (spread ≤ 1.01); Adam-L2: the rate depends on the gradient scale (spread ≥ 2)",
            pass)
        {
            Figures =
            [
                new ClaimFigure("3.4-decay-vs-gradient-scale", Show.Text($"|θ_T|/|θ_0| after {steps} steps against the group's gradient scale"), "gradient scale c", "|θ_T| / |θ_0|", [
                    new ClaimSeries("Adam + L2", scales, Enumerable.Range(0, scales.Length).Select(l2.Final).ToArray(), SeriesStyle.Markers),
                    new ClaimSeries("AdamW", scales, Enumerable.Range(0, scales.Length).Select(adamW.Final).ToArray(), SeriesStyle.Markers),
                ], LogX: true),
            ],
        };
    }
}
