using System.Globalization;
using Recur.Diagnostics;
using Recur.Nn;
using Recur.Nn.Normalization;
using Recur.Tensors;
using Recur.Tests.Support;

namespace Recur.Tests.Nn.Normalization;

/// <summary>The normalization claims of theory.md section 4, checked on the layers themselves.</summary>
public class NormalizationTheoryTests
{
    // theory.md 4.1: batch 4, channels 2, features 3.
    private static readonly float[] Example =
    [
        1, 3, 2, 1, 2, 3,
        3, 3, 2, 2, 4, 4,
        4, 2, 2, 1, 2, 4,
        3, 3, 2, 3, 3, 2,
    ];

    /// <summary>Every printed number must match to its printed precision (5 decimals: half a unit in the last place).</summary>
    private static void Printed(string expected, ReadOnlySpan<double> actual, string what)
    {
        var numbers = expected.Split([',', '[', ']', ' '], StringSplitOptions.RemoveEmptyEntries)
            .Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(numbers.Length, actual.Length);
        for (int i = 0; i < numbers.Length; i++)
            Assert.True(Math.Abs(actual[i] - numbers[i]) <= 0.5e-5, $"{what}[{i}]: {actual[i]:R}, printed {numbers[i]}");
    }

    [Fact]
    public void Theory41_BatchNormStatistics_MatchThePrintedTable()
    {
        var bn = new BatchNorm(2);
        bn.Forward(Tensor.FromSpan(Example, 4, 2, 3));
        Printed("[2.5, 2.58333]", bn.Mean, "batch norm μ");
        Printed("[0.58333, 1.07639]", bn.Variance, "batch norm σ²");
    }

    [Fact]
    public void Theory41_LayerNormStatistics_MatchThePrintedTable()
    {
        var ln = new LayerNorm([2, 3]);
        ln.Forward(Tensor.FromSpan(Example, 4, 2, 3));
        Printed("[2, 3, 2.5, 2.66667]", ln.Mean, "layer norm μ");
        Printed("[0.66667, 0.66667, 1.25, 0.22222]", ln.Variance, "layer norm σ²");
        // Group norm with one group computes the same statistics.
        var gn = new GroupNorm(1, 2);
        gn.Forward(Tensor.FromSpan(Example, 4, 2, 3));
        AssertClose.All(ln.Mean, gn.Mean, 1e-12);
        AssertClose.All(ln.Variance, gn.Variance, 1e-12);
    }

    [Fact]
    public void Theory41_InstanceNormStatistics_MatchThePrintedTable()
    {
        var inorm = new InstanceNorm(2);
        inorm.Forward(Tensor.FromSpan(Example, 4, 2, 3));
        Printed("[[2,2],[2.66667,3.33333],[2.66667,2.33333],[2.66667,2.66667]]", inorm.Mean, "instance norm μ");
        Printed("[[0.66667,0.66667],[0.22222,0.88889],[0.88889,1.55556],[0.22222,0.22222]]", inorm.Variance, "instance norm σ²");
        // Group norm with one group per channel computes the same statistics.
        var gn = new GroupNorm(2, 2);
        gn.Forward(Tensor.FromSpan(Example, 4, 2, 3));
        AssertClose.All(inorm.Mean, gn.Mean, 1e-12);
        AssertClose.All(inorm.Variance, gn.Variance, 1e-12);
    }

    /// <summary>
    /// Rows of a Sylvester–Hadamard matrix of order 16 without its constant column: entries ±1,
    /// every column sums to 0 and the columns are orthogonal with squared norm 16, so the sample
    /// mean is exactly 0 and the (biased) sample covariance exactly I, in float as in real numbers.
    /// </summary>
    private static float[] HadamardSample(int d)
    {
        var x = new float[16 * d];
        for (int i = 0; i < 16; i++)
            for (int j = 0; j < d; j++)
                x[i * d + j] = int.PopCount(i & (j + 1)) % 2 == 0 ? 1 : -1;
        return x;
    }

    /// <summary>Random data whitened in double with a Cholesky factor of its sample covariance.</summary>
    private static float[] CholeskyWhitenedSample(int n, int d, ulong seed)
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
        // C = XᵀX/n = L Lᵀ; Z = X L⁻ᵀ has ZᵀZ/n = L⁻¹ C L⁻ᵀ = I.
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
        for (int a = 0; a < d; a++)
        {
            double mean = 0;
            for (int i = 0; i < n; i++) mean += z[i, a] / n;
            Assert.True(Math.Abs(mean) < 1e-12, $"mean of column {a}: {mean}");
            for (int b = 0; b < d; b++)
            {
                double c = 0;
                for (int i = 0; i < n; i++) c += z[i, a] * z[i, b] / n;
                Assert.True(Math.Abs(c - (a == b ? 1 : 0)) < 1e-12, $"covariance ({a}, {b}): {c}");
            }
        }
        var result = new float[n * d];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < d; j++) result[i * d + j] = (float)z[i, j];
        return result;
    }

    /// <summary>BN(uᵀx)·γ + β against the weight-normalized unit γ·uᵀx/‖u‖ + β on a whitened sample.</summary>
    private static void BatchNormEqualsWeightNorm(float[] sample, int d, double rtol)
    {
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
        var direct = wn.Forward(m => m.Forward(x)).Span;

        AssertClose.All(normalized, direct, rtol, 1e-6);
        AssertClose.Scalar(0, bn.Mean[0], 0, 1e-6);
        AssertClose.Scalar(u.Sum(v => (double)v * v), bn.Variance[0], 1e-5);
    }

    [Fact]
    public void Theory42_OnAnExactlyWhitenedSample_BatchNormEqualsWeightNorm()
    {
        BatchNormEqualsWeightNorm(HadamardSample(6), 6, 1e-5);
    }

    [Fact]
    public void Theory42_OnACholeskyWhitenedSample_BatchNormEqualsWeightNorm()
    {
        BatchNormEqualsWeightNorm(CholeskyWhitenedSample(50, 4, 3), 4, 1e-5);
    }

    [Fact]
    public void Theory42_OnAnUnwhitenedSample_BatchNormDiffers()
    {
        // The claim needs the whitening: with covariance ≠ I the two disagree.
        var sample = Data.Uniform(new Rng(4), 40 * 4, -1, 3);
        Assert.ThrowsAny<Exception>(() => BatchNormEqualsWeightNorm(sample, 4, 1e-3));
    }

    private sealed class TanhLoss
    {
        public readonly WeightNormalized<Linear> Layer = new(new Linear(5, 3, new Rng(31)));
        public readonly Tensor X = Tensor.FromSpan(Data.Uniform(new Rng(32), 20), 4, 5);
        private readonly float[] _r = Data.Uniform(new Rng(33), 12);

        public TanhLoss() => new Rng(34).FillUniform(Layer.Norms[0].G.Value.Span, 0.5f, 2);

        /// <summary>L = Σ tanh(y)·R, y = x·wᵀ + b.</summary>
        public double Loss()
        {
            var y = Layer.Forward(m => m.Forward(X)).Span;
            double s = 0;
            for (int i = 0; i < y.Length; i++) s += Math.Tanh(y[i]) * _r[i];
            return s;
        }

        /// <summary>Runs forward and the inner backward; returns ∇_w L (the gradient is left in the weight).</summary>
        public float[] WeightGradient()
        {
            foreach (var p in Layer.Parameters()) p.Grad.Clear();
            var y = Layer.Forward(m => m.Forward(X)).Span;
            var dy = new float[y.Length];
            for (int i = 0; i < y.Length; i++) dy[i] = (float)((1 - Math.Tanh(y[i]) * Math.Tanh(y[i])) * _r[i]);
            Layer.Inner.Backward(Tensor.FromSpan(dy, 4, 3));
            return Layer.Inner.Weight.Grad.Span.ToArray();
        }
    }

    [Fact]
    public void Theory43_VGradient_IsTheProjectedWeightGradient()
    {
        var t = new TanhLoss();
        var dw = t.WeightGradient();
        t.Layer.MoveGradients();
        var norm = t.Layer.Norms[0];
        var v = norm.V.Value.Span.ToArray();
        var dv = norm.V.Grad.Span.ToArray();
        for (int o = 0; o < 3; o++)
        {
            var vo = v.AsSpan(o * 5, 5).ToArray().Select(a => (double)a).ToArray();
            var dwo = dw.AsSpan(o * 5, 5).ToArray().Select(a => (double)a).ToArray();
            double n2 = vo.Sum(a => a * a), n = Math.Sqrt(n2), g = norm.G.Value[o];
            // W⊥ = I − v vᵀ/‖v‖², as a matrix.
            var projector = new double[5, 5];
            for (int j = 0; j < 5; j++)
                for (int k = 0; k < 5; k++) projector[j, k] = (j == k ? 1 : 0) - vo[j] * vo[k] / n2;
            // ∇_v L = (g/‖v‖)·W⊥·∇_w L and ∇_g L = ∇_w L·v/‖v‖.
            var expected = new float[5];
            for (int j = 0; j < 5; j++)
            {
                double s = 0, pv = 0;
                for (int k = 0; k < 5; k++)
                {
                    s += projector[j, k] * dwo[k];
                    pv += projector[j, k] * vo[k];
                }
                expected[j] = (float)(g / n * s);
                Assert.True(Math.Abs(pv) <= 1e-12 * n, $"(W⊥v)[{j}] = {pv:G3}");
            }
            AssertClose.All(expected, dv.AsSpan(o * 5, 5), 1e-5, 1e-7, $"∇v row {o}");
            AssertClose.Scalar(vo.Zip(dwo, (a, b) => a * b).Sum() / n, norm.G.Grad[o], 1e-5, 1e-7);
            // Hence the gradient is orthogonal to v.
            double dot = dv.AsSpan(o * 5, 5).ToArray().Select((a, j) => a * vo[j]).Sum();
            double dvNorm = Math.Sqrt(dv.AsSpan(o * 5, 5).ToArray().Sum(a => (double)a * a));
            Assert.True(Math.Abs(dot) <= 1e-6 * dvNorm * n, $"row {o}: ∇v·v = {dot:G3} for ‖∇v‖ = {dvNorm:G3}, ‖v‖ = {n:G3}");
        }
    }

    [Fact]
    public void Theory43_GAndVGradients_MatchFiniteDifferences()
    {
        var t = new TanhLoss();
        t.WeightGradient();
        t.Layer.MoveGradients();
        var norm = t.Layer.Norms[0];
        foreach (var p in new[] { norm.V, norm.G })
        {
            var report = GradientChecker.Check(p.Name, p.Value.Span, p.Grad.Span.ToArray(), t.Loss);
            Assert.True(report.Passed, report.ToString());
            Assert.True(report.Checked >= LayerCheck.MinCheckedFraction * p.Length, report.ToString());
        }
    }
}
