using Recur.Diagnostics;
using Recur.Kernels;
using Recur.Nn.Recurrent;
using Recur.Tensors;

namespace Recur.Reproduce.Claims;

// Dimension glossary: T steps, B batch rows, I input features, H hidden units.

/// <summary>docs/theory.md §1: the two Elman forms, vanishing gradients and the limits of the explosion condition.</summary>
public static class RecurrentClaims
{
    /// <summary>Both Elman forms run on the same weights and inputs (docs/theory.md 1.1).</summary>
    /// <param name="Standard">g_t = σ(W g_{t−1} + U x_t + b), started at g_0 = σ(h_0).</param>
    /// <param name="PreActivation">h_t = W σ(h_{t−1}) + U x_t + b.</param>
    /// <param name="WorstGap">max over t, rows and units of |g_t − σ(h_t)| / max(1, |σ(h_t)|).</param>
    public sealed record ElmanFormsRun(ElmanLayer Standard, ElmanLayer PreActivation, double WorstGap);

    /// <summary>
    /// Runs both forms for <paramref name="steps"/> steps with the same W, U, b (one seed), the same
    /// inputs, h_0 ~ U(−2, 2) and g_0 = σ(h_0) (B = 2, I = 3, H = 5), and measures the gap.
    /// </summary>
    public static ElmanFormsRun RunElmanForms(Activation activation, int steps)
    {
        const int batch = 2, input = 3, hidden = 5;
        var options = new RecurrentOptions(CellKind.Rnn, input, hidden) { Activation = activation };
        var standard = new RecurrentStack(options, new Rng(12));
        var pre = new RecurrentStack(options with { Form = ElmanForm.PreActivation }, new Rng(12));
        var rng = new Rng(13);
        var x = new float[steps * batch * input];
        rng.FillUniform(x, -1, 1);
        var h0 = pre.CreateState(batch);
        rng.FillUniform(h0.Hidden.Span, -2, 2);
        var g0 = standard.CreateState(batch);
        Activations.Forward(activation, h0.Hidden.Span, g0.Hidden.Span);
        var output = new float[steps * batch * hidden];
        standard.Forward(x, output, steps, batch, g0);
        pre.Forward(x, output, steps, batch, h0);
        var g = (ElmanLayer)standard.Layers[0];
        var h = (ElmanLayer)pre.Layers[0];
        var sigmaH = new float[batch * hidden];
        double worst = 0;
        for (int t = 0; t <= steps; t++)
        {
            Activations.Forward(activation, h.Hidden(t), sigmaH);
            var gt = g.Hidden(t);
            for (int i = 0; i < sigmaH.Length; i++) worst = Math.Max(worst, Math.Abs(gt[i] - sigmaH[i]) / Math.Max(1, Math.Abs(sigmaH[i])));
        }
        return new ElmanFormsRun(g, h, worst);
    }

    /// <summary>docs/theory.md 1.1: g_t = σ(h_t) at every step, for tanh, the sigmoid and ReLU.</summary>
    public static ClaimResult ElmanForms(ReproduceOptions options)
    {
        const int steps = 150;
        Activation[] activations = [Activation.Tanh, Activation.Sigmoid, Activation.Relu];
        var gaps = activations.Select(a => RunElmanForms(a, steps).WorstGap).ToArray();
        bool pass = gaps.All(g => g <= 1e-6);
        return new ClaimResult("1.1", "The two placements of the activation are equivalent",
            "With the same W, U, b and inputs, the pre-activation form h_t = W σ(h_{t−1}) + U x_t + b and the standard form g_t = σ(W g_{t−1} + U x_t + b) started at g_0 = σ(h_0) satisfy g_t = σ(h_t) for every t.",
            Show.Text($"max over t ≤ {steps}, 2 rows × 5 units of |g_t − σ(h_t)| / max(1, |σ(h_t)|): tanh {Show.Sci(gaps[0])}, sigmoid {Show.Sci(gaps[1])}, ReLU {Show.Sci(gaps[2])}"),
            "float32 round-off: ≤ 1e-6 for every activation",
            pass);
    }

    /// <summary>docs/theory.md 1.2: with ‖W‖ = δ/γ every ‖∂h_T/∂h_0‖ stays under (‖W‖γ)^T = δ^T, which goes to 0.</summary>
    public static ClaimResult Vanishing(ReproduceOptions options)
    {
        const double delta = 0.9;
        const int steps = 200;
        int hidden = options.Quick ? 16 : 32;
        (Activation Activation, ElmanForm Form, string Label)[] settings =
        [
            (Activation.Tanh, ElmanForm.Standard, "tanh"), (Activation.Tanh, ElmanForm.PreActivation, "tanh, pre-activation"),
            (Activation.Sigmoid, ElmanForm.Standard, "sigmoid"), (Activation.Sigmoid, ElmanForm.PreActivation, "sigmoid, pre-activation"),
            (Activation.Relu, ElmanForm.Standard, "ReLU"), (Activation.Relu, ElmanForm.PreActivation, "ReLU, pre-activation"),
        ];
        var series = new List<ClaimSeries>();
        double worstRatio = 0, largestFinal = 0, worstJacobi = 0;
        double[]? bound = null;
        int[] jacobiSteps = [1, 50, steps];
        foreach (var (activation, form, label) in settings)
        {
            double gamma = Activations.DerivativeBound(activation);
            var probe = new RandomRecurrence { Hidden = hidden, Activation = activation, Form = form, SpectralNorm = delta / gamma, Seed = 7 };
            var stack = probe.CreateStack();
            var s = probe.Measure(stack, steps);
            for (int k = 0; k < steps; k++) worstRatio = Math.Max(worstRatio, s.JacobianNorm[k] / s.Bound![k]);
            largestFinal = Math.Max(largestFinal, s.JacobianNorm[^1]);
            bound ??= s.Bound;
            series.Add(new ClaimSeries(label, Array.ConvertAll(s.Steps, t => (double)t), s.JacobianNorm));
            // Power iteration against √λ_max(JᵀJ) from the Jacobi eigen-solver, on the same products.
            foreach (int t in jacobiSteps)
            {
                var j = RecurrentJacobian.Product(stack.Layers[0], 0, t);
                // On J/max|J_ij|, so that JᵀJ does not underflow (products reach 1e−160).
                double scale = j.Max(Math.Abs);
                double jacobi = scale == 0 ? 0 : scale * Math.Sqrt(Math.Max(0, SymmetricEigen.Eigenvalues(GramMatrix(j, hidden, scale), hidden)[^1]));
                worstJacobi = Math.Max(worstJacobi, Math.Abs(jacobi - s.JacobianNorm[t - 1]) / Math.Max(jacobi, double.Epsilon));
            }
        }
        series.Add(new ClaimSeries("bound (‖W‖γ)^T = 0.9^T", series[0].X, bound!, SeriesStyle.Dashed));
        double limit = Math.Pow(delta, steps);
        bool pass = worstRatio <= 1 + 1e-7 && largestFinal <= limit * (1 + 1e-4) && largestFinal < 1e-8 && worstJacobi <= 1e-6;
        return new ClaimResult("1.2", "Vanishing gradients",
            "∂h_T/∂h_0 = Π_t W·Dσ(h_{t−1}) and ‖Dσ‖ ≤ γ (1 for tanh and ReLU, 1/4 for the sigmoid), so ‖∂h_T/∂h_0‖ ≤ (‖W‖γ)^T; with ‖W‖ = δ/γ, δ < 1, the bound is δ^T → 0.",
            Show.Text($"exact Jacobian products (H = {hidden}, W scaled to ‖W‖ = 0.9/γ, 6 settings: tanh, sigmoid, ReLU × both forms), T = 1 … {steps}: largest ‖∂h_T/∂h_0‖ / (‖W‖γ)^T = {Show.Fixed(worstRatio, 9)}; largest ‖∂h_{steps}/∂h_0‖ = {Show.Sci(largestFinal)}; power iteration vs Jacobi √λ_max(JᵀJ) at T = 1, 50, 200: largest relative difference {Show.Sci(worstJacobi)}"),
            Show.Text($"ratio ≤ 1 at every T (to the power iteration's accuracy, 1e-7); ‖∂h_{steps}/∂h_0‖ ≤ 0.9^{steps} = {Show.Sci(limit)} (the curve goes to 0); power iteration = Jacobi to 1e-6"),
            pass)
        {
            Figures = [new ClaimFigure("1.2-jacobian-vs-bound", "‖∂h_T/∂h_0‖ under the bound (‖W‖γ)^T, ‖W‖γ = 0.9", "T", "spectral norm", series, LogY: true)],
        };
    }

    /// <summary>docs/theory.md 1.3: ‖W‖γ &gt; 1 is necessary, not sufficient, for explosion: one case explodes, one (saturated tanh) still vanishes.</summary>
    public static ClaimResult Explosion(ReproduceOptions options)
    {
        const int steps = 100;
        const double norm = 1.5;
        // Exploding: ReLU with a non-negative W, so the states stay positive and every unit is
        // active — the linear regime, where ∂h_T/∂h_0 = W^T grows like ρ(W)^T ≈ ‖W‖^T.
        var relu = new RandomRecurrence { Hidden = 32, Activation = Activation.Relu, Seed = 11 };
        var reluStack = relu.CreateStack();
        var w = reluStack.Layers[0].WeightHH.Value.Span;
        new Rng(17).FillUniform(w, 0, 1);
        SpectralNorm.ScaleTo(w, 32, 32, norm);
        var exploding = relu.Measure(reluStack, steps);
        // Vanishing although ‖W‖γ > 1: tanh driven into saturation by large inputs, so σ′ ≈ 0.
        var saturated = new RandomRecurrence { Hidden = 32, Activation = Activation.Tanh, SpectralNorm = norm, InputScale = 20, Seed = 11 }.Measure(steps);

        var tail = Enumerable.Range(steps / 2, steps - steps / 2).ToArray();
        var growth = Math.Exp(Measurements.LinearFit(
            tail.Select(k => (double)exploding.Steps[k]).ToArray(), tail.Select(k => Math.Log(exploding.JacobianNorm[k])).ToArray()).Slope);
        double explodingGamma = exploding.WeightNorm * exploding.Gamma!.Value, saturatedGamma = saturated.WeightNorm * saturated.Gamma!.Value;
        bool pass = explodingGamma > 1 && saturatedGamma > 1 && growth > 1.1 && exploding.JacobianNorm[^1] > 1e6 && saturated.JacobianNorm[^1] < 1e-6;
        var x = Array.ConvertAll(exploding.Steps, t => (double)t);
        return new ClaimResult("1.3", "Explosion needs more than ‖W‖γ > 1",
            "λ1(WᵀW) > δ²/γ² (‖W‖γ > 1) is necessary but not sufficient for exploding gradients: the norm can grow without bound (linear/ReLU regime) or still vanish (saturated tanh).",
            Show.Text($"ReLU, non-negative W, ‖W‖γ = {Show.Fixed(explodingGamma)}: ‖∂h_{steps}/∂h_0‖ = {Show.Sci(exploding.JacobianNorm[^1])}, growing ×{Show.Fixed(growth)} per step (fit over T ≥ {steps / 2}); tanh with inputs of scale 20, ‖W‖γ = {Show.Fixed(saturatedGamma)}: ‖∂h_{steps}/∂h_0‖ = {Show.Sci(saturated.JacobianNorm[^1])} (its bound is {Show.Sci(saturated.Bound![^1])})"),
            "both have ‖W‖γ > 1; the first grows geometrically past 1e6 (factor > 1.1 per step), the second falls below 1e-6",
            pass)
        {
            Figures =
            [
                new ClaimFigure("1.3-explosion", "Two cases with ‖W‖γ = 1.5", "T", "‖∂h_T/∂h_0‖", [
                    new ClaimSeries("ReLU, non-negative W: explodes", x, exploding.JacobianNorm),
                    new ClaimSeries("tanh, saturated: vanishes", x, saturated.JacobianNorm),
                    new ClaimSeries("bound (‖W‖γ)^T = 1.5^T", x, saturated.Bound!, SeriesStyle.Dashed),
                ], LogY: true),
            ],
        };
    }

    // JᵀJ of an n×n matrix divided by scale.
    private static double[] GramMatrix(double[] j, int n, double scale)
    {
        var g = new double[n * n];
        for (int a = 0; a < n; a++)
            for (int b = a; b < n; b++)
            {
                double s = 0;
                for (int r = 0; r < n; r++) s += j[r * n + a] / scale * (j[r * n + b] / scale);
                g[a * n + b] = g[b * n + a] = s;
            }
        return g;
    }
}
