using Recur.Diagnostics;
using Recur.Nn;
using Recur.Nn.Normalization;
using Recur.Tensors;

namespace Recur.Reproduce.Claims;

// Dimension glossary: N samples (batch), C channels, F features, d input features.

/// <summary>docs/theory.md §4: the normalization statistics of the worked tensor, weight norm as batch norm, and the weight-norm gradient.</summary>
public static class NormalizationClaims
{
    /// <summary>docs/theory.md 4.1's tensor: batch 4, channels 2, features 3, row-major (N, C, F).</summary>
    public static float[] Example() =>
    [
        1, 3, 2, 1, 2, 3,
        3, 3, 2, 2, 4, 4,
        4, 2, 2, 1, 2, 4,
        3, 3, 2, 3, 3, 2,
    ];

    /// <summary>One statistic of docs/theory.md 4.1: what the layer computed and what docs/theory.md prints (5 significant decimals).</summary>
    public sealed record Statistic(string Name, double[] Measured, double[] Printed)
    {
        /// <summary>Largest |measured − printed|.</summary>
        public double Error => Measured.Zip(Printed, (a, b) => Math.Abs(a - b)).Max();
    }

    /// <summary>The batch, layer and instance norm statistics (biased variances) of <see cref="Example"/>, each beside its printed value.</summary>
    public static IReadOnlyList<Statistic> ExampleStatistics()
    {
        var x = Tensor.FromSpan(Example(), 4, 2, 3);
        var bn = new BatchNorm(2);
        bn.Forward(x);
        var ln = new LayerNorm([2, 3]);
        ln.Forward(x);
        var inorm = new InstanceNorm(2);
        inorm.Forward(x);
        return
        [
            new("batch norm μ", bn.Mean.ToArray(), [2.5, 2.58333]),
            new("batch norm σ²", bn.Variance.ToArray(), [0.58333, 1.07639]),
            new("layer norm μ", ln.Mean.ToArray(), [2, 3, 2.5, 2.66667]),
            new("layer norm σ²", ln.Variance.ToArray(), [0.66667, 0.66667, 1.25, 0.22222]),
            new("instance norm μ", inorm.Mean.ToArray(), [2, 2, 2.66667, 3.33333, 2.66667, 2.33333, 2.66667, 2.66667]),
            new("instance norm σ²", inorm.Variance.ToArray(), [0.66667, 0.66667, 0.22222, 0.88889, 0.88889, 1.55556, 0.22222, 0.22222]),
        ];
    }

    /// <summary>docs/theory.md 4.1: the printed table, to its last printed digit.</summary>
    public static ClaimResult Statistics(ReproduceOptions options)
    {
        var stats = ExampleStatistics();
        double worst = stats.Max(s => s.Error);
        // Pairs of statistics (μ, σ²) per norm, and what one entry of each is taken over.
        (string Norm, Func<int, string> Row)[] norms =
        [
            ("batch norm", i => $"channel {i}"),
            ("layer norm", i => $"sample {i}"),
            ("instance norm", i => $"sample {i / 2}, channel {i % 2}"),
        ];
        var tables = new List<ClaimTable>();
        for (int k = 0; k < norms.Length; k++)
        {
            var (mean, variance) = (stats[2 * k], stats[2 * k + 1]);
            var rows = new List<string[]>();
            for (int i = 0; i < mean.Measured.Length; i++)
                rows.Add([norms[k].Row(i), Show.Fixed(mean.Measured[i], 5), Show.Fixed(mean.Printed[i], 5), Show.Fixed(variance.Measured[i], 5), Show.Fixed(variance.Printed[i], 5)]);
            tables.Add(new ClaimTable(norms[k].Norm, ["", "μ measured", "μ printed", "σ² measured", "σ² printed"], rows));
        }
        return new ClaimResult("4.1", "Batch, layer and instance statistics of the worked tensor",
            "For the (4, 2, 3) tensor of docs/theory.md 4.1, with biased variances: batch norm μ = [2.5, 2.58333], σ² = [0.58333, 1.07639]; layer norm μ = [2, 3, 2.5, 2.66667], σ² = [0.66667, 0.66667, 1.25, 0.22222]; instance norm as printed.",
            Show.Text($"the statistics of Recur's BatchNorm, LayerNorm and InstanceNorm layers on that tensor: largest |measured − printed| = {Show.Sci(worst)} over all {stats.Sum(s => s.Measured.Length)} numbers"),
            "every number as printed, to half a unit of its fifth decimal (≤ 5e-6)",
            worst <= 0.5e-5)
        {
            Tables = tables,
        };
    }

    /// <summary>
    /// Rows of a Sylvester–Hadamard matrix of order 16 without its constant column, (16, d),
    /// d ≤ 15: entries ±1, every column sums to 0 and the columns are orthogonal with squared
    /// norm 16, so the sample mean is exactly 0 and the biased sample covariance exactly I —
    /// in float as in real numbers.
    /// </summary>
    public static float[] HadamardSample(int d)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(d, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(d, 15);
        var x = new float[16 * d];
        for (int i = 0; i < 16; i++)
            for (int j = 0; j < d; j++)
                x[i * d + j] = int.PopCount(i & (j + 1)) % 2 == 0 ? 1 : -1;
        return x;
    }

    /// <summary>
    /// A random (n, d) sample whitened in double with the Cholesky factor of its sample
    /// covariance: C = XᵀX/n = L·Lᵀ, Z = X·L⁻ᵀ, so ZᵀZ/n = I. Also returns how far the
    /// result's mean and covariance are from 0 and I, computed in double before rounding.
    /// </summary>
    public static (float[] Sample, double MeanError, double CovarianceError) CholeskyWhitenedSample(int n, int d, ulong seed)
    {
        var rng = new Rng(seed);
        var x = new double[n, d];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++) x[i, j] = rng.NextNormal() * (j + 1) + j;
        for (int j = 0; j < d; j++)
        {
            double mean = 0;
            for (int i = 0; i < n; i++) mean += x[i, j] / n;
            for (int i = 0; i < n; i++) x[i, j] -= mean;
        }
        var l = new double[d, d];
        for (int a = 0; a < d; a++)
            for (int b = 0; b <= a; b++)
            {
                double c = 0;
                for (int i = 0; i < n; i++) c += x[i, a] * x[i, b] / n;
                for (int k = 0; k < b; k++) c -= l[a, k] * l[b, k];
                l[a, b] = a == b ? Math.Sqrt(c) : c / l[b, b];
            }
        var z = new double[n, d];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++)
            {
                double s = x[i, j];
                for (int k = 0; k < j; k++) s -= l[j, k] * z[i, k];
                z[i, j] = s / l[j, j];
            }
        double meanError = 0, covarianceError = 0;
        for (int a = 0; a < d; a++)
        {
            double mean = 0;
            for (int i = 0; i < n; i++) mean += z[i, a] / n;
            meanError = Math.Max(meanError, Math.Abs(mean));
            for (int b = 0; b < d; b++)
            {
                double c = 0;
                for (int i = 0; i < n; i++) c += z[i, a] * z[i, b] / n;
                covarianceError = Math.Max(covarianceError, Math.Abs(c - (a == b ? 1 : 0)));
            }
        }
        var result = new float[n * d];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++) result[i * d + j] = (float)z[i, j];
        return (result, meanError, covarianceError);
    }

    /// <summary>Batch norm of y = uᵀx (scale γ, shift β) beside the weight-normalized unit wᵀx + β, w = γu/‖u‖, on one sample.</summary>
    /// <param name="BatchNormed">BN(uᵀx)·γ + β per sample (ε = 0).</param>
    /// <param name="WeightNormed">γ·uᵀx/‖u‖ + β per sample.</param>
    /// <param name="Mean">The batch mean of uᵀx.</param>
    /// <param name="Variance">The batch (biased) variance of uᵀx.</param>
    /// <param name="SquaredNorm">‖u‖², which the variance equals on a whitened sample.</param>
    public sealed record WeightNormComparison(float[] BatchNormed, float[] WeightNormed, double Mean, double Variance, double SquaredNorm)
    {
        /// <summary>Largest |BN − WN| / (1e-6 + rtol·|WN|): ≤ 1 means equal under that tolerance.</summary>
        public double Error(double rtol) => BatchNormed.Zip(WeightNormed, (a, b) => Math.Abs(a - b) / (1e-6 + rtol * Math.Abs(b))).Max();
    }

    /// <summary>Runs both sides of docs/theory.md 4.2 on <paramref name="sample"/> (n, d) with γ = 1.7, β = −0.3 and a random u.</summary>
    public static WeightNormComparison CompareBatchNormWithWeightNorm(float[] sample, int d)
    {
        ArgumentNullException.ThrowIfNull(sample);
        int n = sample.Length / d;
        var x = Tensor.FromSpan(sample, n, d);
        var rng = new Rng(21);
        float gamma = 1.7f, beta = -0.3f;
        var projection = new Linear(d, 1, rng, bias: false);
        var u = projection.Weight.Value.Span.ToArray();
        var bn = new BatchNorm(1, new BatchNormOptions(Eps: 0));
        bn.Weight!.Value[0] = gamma;
        bn.Bias!.Value[0] = beta;
        var normalized = bn.Forward(projection.Forward(x)).Span.ToArray();
        var wn = new WeightNormalized<Linear>(new Linear(d, 1, rng));
        u.CopyTo(wn.Norms[0].V.Value.Span);
        wn.Norms[0].G.Value[0] = gamma;
        wn.Inner.Bias!.Value[0] = beta;
        var direct = wn.Forward(m => m.Forward(x)).Span.ToArray();
        return new WeightNormComparison(normalized, direct, bn.Mean[0], bn.Variance[0], u.Sum(v => (double)v * v));
    }

    /// <summary>docs/theory.md 4.2: on a whitened sample batch norm of uᵀx is the weight-normalized unit.</summary>
    public static ClaimResult WeightNormAsBatchNorm(ReproduceOptions options)
    {
        var hadamard = CompareBatchNormWithWeightNorm(HadamardSample(6), 6);
        var (cholesky, meanError, covarianceError) = CholeskyWhitenedSample(50, 4, 3);
        var whitened = CompareBatchNormWithWeightNorm(cholesky, 4);
        var raw = new float[40 * 4];
        new Rng(4).FillUniform(raw, -1, 3);
        var unwhitened = CompareBatchNormWithWeightNorm(raw, 4);
        double varianceGap = Math.Abs(hadamard.Variance / hadamard.SquaredNorm - 1);
        bool pass = hadamard.Error(1e-5) <= 1 && whitened.Error(1e-5) <= 1 && meanError < 1e-12 && covarianceError < 1e-12
            && Math.Abs(hadamard.Mean) < 1e-6 && varianceGap < 1e-5 && unwhitened.Error(1e-3) > 1;
        return new ClaimResult("4.2", "Weight normalization is batch norm on whitened inputs",
            "For centred, whitened inputs (E x = 0, Var x = I), batch norm of y = uᵀx with scale γ and shift β equals the weight-normalized wᵀx + β, w = γu/‖u‖.",
            Show.Text($"largest |BN(uᵀx)·γ + β − (wᵀx + β)| / (1e-6 + 1e-5·|wᵀx + β|): {Show.Fixed(hadamard.Error(1e-5), 3)} on an exactly whitened 16×6 Hadamard sample (batch mean {Show.Sci(hadamard.Mean)}, variance/‖u‖² − 1 = {Show.Sci(varianceGap)}), {Show.Fixed(whitened.Error(1e-5), 3)} on a Cholesky-whitened 50×4 sample (mean within {Show.Sci(meanError)}, covariance within {Show.Sci(covarianceError)} of I); on an unwhitened sample the same ratio at 1e-3 is {Show.Fixed(unwhitened.Error(1e-3), 1)}"),
            "≤ 1 on both whitened samples (equal to float32 round-off); > 1 without whitening (the claim needs it)",
            pass);
    }

    /// <summary>
    /// A weight-normalized Linear(5 → 3) under L = Σ tanh(x·wᵀ + b)·R with fixed random R, for
    /// docs/theory.md 4.3: ∇_v L against (g/‖v‖)·W⊥·∇_w L, W⊥ = I − vvᵀ/‖v‖², and both gradients
    /// against central differences.
    /// </summary>
    /// <param name="ProjectionError">Largest |∇_v L − (g/‖v‖)W⊥∇_w L| / (1e-7 + 1e-5·|expected|) over all rows (≤ 1: agreement), ∇_g L = ∇_w L·v/‖v‖ included.</param>
    /// <param name="ProjectorResidual">Largest |W⊥v| / ‖v‖ (0 in exact arithmetic).</param>
    /// <param name="Orthogonality">Largest |∇_v L · v| / (‖∇_v L‖·‖v‖) over rows.</param>
    /// <param name="V">Central differences of L in v.</param>
    /// <param name="G">Central differences of L in g.</param>
    public sealed record WeightNormGradients(double ProjectionError, double ProjectorResidual, double Orthogonality, GradientChecker.Report V, GradientChecker.Report G);

    /// <summary>Computes the gradients of docs/theory.md 4.3 and checks them.</summary>
    public static WeightNormGradients CheckWeightNormGradients()
    {
        const int inputs = 5, outputs = 3, batch = 4;
        var layer = new WeightNormalized<Linear>(new Linear(inputs, outputs, new Rng(31)));
        var xValues = new float[batch * inputs];
        new Rng(32).FillUniform(xValues, -1, 1);
        var x = Tensor.FromSpan(xValues, batch, inputs);
        var r = new float[batch * outputs];
        new Rng(33).FillUniform(r, -1, 1);
        new Rng(34).FillUniform(layer.Norms[0].G.Value.Span, 0.5f, 2);
        double Loss()
        {
            var y = layer.Forward(m => m.Forward(x)).Span;
            double s = 0;
            for (int i = 0; i < y.Length; i++) s += Math.Tanh(y[i]) * r[i];
            return s;
        }
        // Forward and the inner backward: ∇_w L is left in the inner weight's gradient.
        foreach (var p in layer.Parameters()) p.Grad.Clear();
        var y = layer.Forward(m => m.Forward(x)).Span;
        var dy = new float[y.Length];
        for (int i = 0; i < y.Length; i++) dy[i] = (float)((1 - Math.Tanh(y[i]) * Math.Tanh(y[i])) * r[i]);
        layer.Inner.Backward(Tensor.FromSpan(dy, batch, outputs));
        var dw = layer.Inner.Weight.Grad.Span.ToArray();
        layer.MoveGradients();
        var norm = layer.Norms[0];
        var v = norm.V.Value.Span.ToArray();
        var dv = norm.V.Grad.Span.ToArray();
        double projectionError = 0, residual = 0, orthogonality = 0;
        for (int o = 0; o < outputs; o++)
        {
            var vo = v.AsSpan(o * inputs, inputs).ToArray().Select(a => (double)a).ToArray();
            double n2 = vo.Sum(a => a * a), n = Math.Sqrt(n2), g = norm.G.Value[o], dot = 0, dvNorm = 0, gGrad = 0;
            for (int j = 0; j < inputs; j++)
            {
                double projected = 0, pv = 0;
                for (int k = 0; k < inputs; k++)
                {
                    double wPerp = (j == k ? 1 : 0) - vo[j] * vo[k] / n2;   // W⊥ = I − vvᵀ/‖v‖²
                    projected += wPerp * dw[o * inputs + k];
                    pv += wPerp * vo[k];
                }
                double expected = g / n * projected;
                projectionError = Math.Max(projectionError, Math.Abs(dv[o * inputs + j] - expected) / (1e-7 + 1e-5 * Math.Abs(expected)));
                residual = Math.Max(residual, Math.Abs(pv) / n);
                dot += dv[o * inputs + j] * vo[j];
                dvNorm += (double)dv[o * inputs + j] * dv[o * inputs + j];
                gGrad += vo[j] * dw[o * inputs + j] / n;
            }
            projectionError = Math.Max(projectionError, Math.Abs(norm.G.Grad[o] - gGrad) / (1e-7 + 1e-5 * Math.Abs(gGrad)));
            orthogonality = Math.Max(orthogonality, Math.Abs(dot) / (Math.Sqrt(dvNorm) * n));
        }
        var vReport = GradientChecker.Check(norm.V.Name, norm.V.Value.Span, dv, Loss);
        var gReport = GradientChecker.Check(norm.G.Name, norm.G.Value.Span, norm.G.Grad.Span.ToArray(), Loss);
        return new WeightNormGradients(projectionError, residual, orthogonality, vReport, gReport);
    }

    /// <summary>docs/theory.md 4.3: the v-gradient is the projected w-gradient, orthogonal to v, and matches finite differences.</summary>
    public static ClaimResult WeightNormGradient(ReproduceOptions options)
    {
        var r = CheckWeightNormGradients();
        bool pass = r.ProjectionError <= 1 && r.ProjectorResidual < 1e-12 && r.Orthogonality < 1e-6
            && r.V.Passed && r.G.Passed && r.V.Checked >= 0.9 * 15 && r.G.Checked == 3;
        return new ClaimResult("4.3", "The weight-norm gradient is orthogonal to u",
            "∇_u L = (γ/‖u‖)·W⊥·∇_w L with W⊥ = I − uuᵀ/‖u‖²; W⊥u = 0, so the gradient is orthogonal to u. Check against finite differences.",
            Show.Text($"a weight-normalized Linear(5 → 3) under L = Σ tanh(y)·R: largest |∇_u L − (γ/‖u‖)W⊥∇_w L| / (1e-7 + 1e-5·|expected|) = {Show.Fixed(r.ProjectionError, 3)} (∇_γ L = ∇_w L·u/‖u‖ included); |W⊥u|/‖u‖ ≤ {Show.Sci(r.ProjectorResidual)}; |cos(∇_u L, u)| ≤ {Show.Sci(r.Orthogonality)}; central differences: {r.V}; {r.G}"),
            "projection ≤ 1 (float32 round-off), W⊥u = 0 to double round-off (< 1e-12), cosine < 1e-6, every coordinate of ∇_u L and ∇_γ L within the gradient checker's tolerance",
            pass);
    }
}
