using Recur.Kernels;
using Recur.Nn.Normalization;
using Recur.Tensors;
using Recur.Tests.Nn.Normalization;
using Recur.Tests.Support;

namespace Recur.Tests.Kernels;

/// <summary>
/// The normalization kernels (through their layers) against a plain double-precision reference,
/// over many segment and row lengths (every vector width and tail), with SIMD on and forced
/// off; and bitwise the same results at one and two threads.
/// </summary>
[Collection(MaxThreadsCollection.Name)]
public class NormalizationKernelTests
{
    public static TheoryData<bool> SimdModes => new() { true, false };

    private static IDisposable? Mode(bool simd) => simd ? null : Simd.ForceScalar();

    /// <summary>
    /// y = (x − μ_g)·r_g·γ_c + β_c and its backward pass, in double, for element i in group
    /// group[i] with channel channel[i] (μ = 0 and r = 1/√(mean(x²) + ε) when not centered).
    /// </summary>
    private static (float[] Y, float[] Dx, float[] DGamma, float[] DBeta) Reference(
        float[] x, float[] dy, int[] group, int[] channel, int groups, float[] gamma, float[] beta, bool centered, double eps)
    {
        int n = x.Length;
        var count = new double[groups];
        var mean = new double[groups];
        var variance = new double[groups];
        for (int i = 0; i < n; i++) { count[group[i]]++; mean[group[i]] += x[i]; }
        for (int g = 0; g < groups; g++) mean[g] = centered ? mean[g] / count[g] : 0;
        for (int i = 0; i < n; i++) variance[group[i]] += (x[i] - mean[group[i]]) * (x[i] - mean[group[i]]) / count[group[i]];
        var r = variance.Select(v => 1 / Math.Sqrt(v + eps)).ToArray();
        var xhat = new double[n];
        var sum1 = new double[groups];
        var sum2 = new double[groups];
        float[] y = new float[n], dx = new float[n], dGamma = new float[gamma.Length], dBeta = new float[beta.Length];
        var dg = new double[gamma.Length];
        var db = new double[beta.Length];
        for (int i = 0; i < n; i++)
        {
            int g = group[i], c = channel[i];
            xhat[i] = (x[i] - mean[g]) * r[g];
            y[i] = (float)(xhat[i] * gamma[c] + beta[c]);
            double dxhat = (double)dy[i] * gamma[c];
            sum1[g] += dxhat;
            sum2[g] += dxhat * xhat[i];
            dg[c] += dy[i] * xhat[i];
            db[c] += dy[i];
        }
        for (int i = 0; i < n; i++)
        {
            int g = group[i];
            double m1 = centered ? sum1[g] / count[g] : 0;
            dx[i] = (float)(r[g] * ((double)dy[i] * gamma[channel[i]] - m1 - xhat[i] * sum2[g] / count[g]));
        }
        for (int c = 0; c < gamma.Length; c++) dGamma[c] = (float)dg[c];
        for (int c = 0; c < beta.Length; c++) dBeta[c] = (float)db[c];
        return (y, dx, dGamma, dBeta);
    }

    private static void Compare(string what, Func<Tensor, Tensor> forward, Func<Tensor, Tensor> backward, Parameter weight, Parameter? bias,
        int[] dims, Func<int, (int Group, int Channel)> place, int groups, bool centered, ulong seed)
    {
        var x = NormData.Normal(seed, 2, 1, dims);
        NormData.RandomAffine(weight, bias, seed + 1);
        var dy = Tensor.FromSpan(Data.Uniform(new Rng(seed + 2), x.Length), dims);
        int[] group = new int[x.Length], channel = new int[x.Length];
        for (int i = 0; i < x.Length; i++) (group[i], channel[i]) = place(i);
        var beta = bias?.Value.Span.ToArray() ?? new float[weight.Length];
        var (y, dx, dGamma, dBeta) = Reference(x.Span.ToArray(), dy.Span.ToArray(), group, channel, groups, weight.Value.Span.ToArray(), beta, centered, 1e-5);
        weight.Grad.Clear();
        bias?.Grad.Clear();
        AssertClose.All(y, forward(x).Span, 1e-5, 1e-5, $"{what} y");
        AssertClose.All(dx, backward(dy).Span, 1e-4, 1e-5, $"{what} dx");
        AssertClose.All(dGamma, weight.Grad.Span, 1e-4, 1e-5, $"{what} dγ");
        if (bias is not null) AssertClose.All(dBeta, bias.Grad.Span, 1e-4, 1e-5, $"{what} dβ");
    }

    [Theory]
    [MemberData(nameof(SimdModes))]
    public void BatchInstanceGroupNorm_EveryLength_MatchReference(bool simd)
    {
        using var _ = Mode(simd);
        for (int l = 1; l <= 40; l++)
        {
            int n = 2 + l % 3, c = 4;
            var bn = new BatchNorm(c);
            Compare($"batch l={l}", bn.Forward, bn.Backward, bn.Weight!, bn.Bias, [n, c, l], i => (i / l % c, i / l % c), c, true, (ulong)l);
            var gn = new GroupNorm(2, c);
            Compare($"group l={l}", gn.Forward, gn.Backward, gn.Weight!, gn.Bias, [n, c, l], i => (i / (2 * l), i / l % c), n * 2, true, (ulong)l + 100);
            if (l < 2) continue;
            var inorm = new InstanceNorm(c, new InstanceNormOptions(Affine: true));
            Compare($"instance l={l}", inorm.Forward, inorm.Backward, inorm.Weight!, inorm.Bias, [n, c, l], i => (i / l, i / l % c), n * c, true, (ulong)l + 200);
        }
    }

    [Theory]
    [MemberData(nameof(SimdModes))]
    public void BatchNorm_TwoDimensionalInput_EveryChannelCount_MatchesReference(bool simd)
    {
        // (N, C) runs down the rows with vectors across channels: every width, tail and block.
        using var _ = Mode(simd);
        foreach (int c in Enumerable.Range(1, 40).Concat([255, 256, 300, 531]))
        {
            int n = 3 + c % 5 + (c > 40 ? 17 : 0);
            var bn = new BatchNorm(c);
            Compare($"batch (N, C) c={c}", bn.Forward, bn.Backward, bn.Weight!, bn.Bias, [n, c], i => (i % c, i % c), c, true, (ulong)c + 400);
        }
    }

    [Theory]
    [MemberData(nameof(SimdModes))]
    public void LayerAndRmsNorm_EveryRowLength_MatchReference(bool simd)
    {
        using var _ = Mode(simd);
        for (int m = 1; m <= 70; m++)
        {
            var ln = new LayerNorm(m);
            Compare($"layer m={m}", ln.Forward, ln.Backward, ln.Weight!, ln.Bias, [3, m], i => (i / m, i % m), 3, true, (ulong)m);
            var rms = new RmsNorm(m);
            Compare($"rms m={m}", rms.Forward, rms.Backward, rms.Weight!, null, [3, m], i => (i / m, i % m), 3, false, (ulong)m + 300);
        }
    }

    [Fact]
    public void LayerNorm_ManyRows_MatchReferenceAcrossChunks()
    {
        // More rows than one chunk of the affine-gradient reduction, and a partial fold block.
        var ln = new LayerNorm(9);
        Compare("layer rows=600", ln.Forward, ln.Backward, ln.Weight!, ln.Bias, [600, 9], i => (i / 9, i % 9), 600, true, 5);
    }

    [Theory]
    [MemberData(nameof(SimdModes))]
    public void WeightNorm_EveryRowLength_MatchesReference(bool simd)
    {
        using var _ = Mode(simd);
        for (int k = 1; k <= 70; k++)
        {
            var w = new Parameter("w", new Shape(3, k), ParameterKind.Weight);
            new Rng((ulong)k).FillNormal(w.Value.Span, 0, 1);
            var norm = new WeightNorm(w);
            new Rng((ulong)k + 1).FillUniform(norm.G.Value.Span, 0.5f, 2);
            norm.Recompute();
            var dw = Data.Uniform(new Rng((ulong)k + 2), 3 * k);
            dw.CopyTo(w.Grad.Span);
            norm.Backward();
            for (int o = 0; o < 3; o++)
            {
                var v = norm.V.Value.Span.Slice(o * k, k).ToArray();
                double n2 = v.Sum(a => (double)a * a), n = Math.Sqrt(n2), g = norm.G.Value[o];
                double dot = 0;
                for (int i = 0; i < k; i++) dot += (double)dw[o * k + i] * v[i];
                AssertClose.All(v.Select(a => (float)(g * a / n)).ToArray(), w.Value.Span.Slice(o * k, k), 1e-6, 1e-7, $"w k={k}");
                AssertClose.All(v.Select((a, i) => (float)(g / n * (dw[o * k + i] - a * dot / n2))).ToArray(), norm.V.Grad.Span.Slice(o * k, k), 1e-5, 1e-6, $"∇v k={k}");
                AssertClose.Scalar(dot / n, norm.G.Grad[o], 1e-5, 1e-6, $"∇g k={k}");
            }
            Assert.All(w.Grad.Span.ToArray(), a => Assert.Equal(0f, a));
        }
    }

    /// <summary>Two-pass mean and biased variance in double of the elements of each group.</summary>
    private static (double[] Mean, double[] Variance) Moments(float[] x, Func<int, int> group, int groups)
    {
        var count = new double[groups];
        var mean = new double[groups];
        var variance = new double[groups];
        for (int i = 0; i < x.Length; i++) { count[group(i)]++; mean[group(i)] += x[i]; }
        for (int g = 0; g < groups; g++) mean[g] /= count[g];
        for (int i = 0; i < x.Length; i++) variance[group(i)] += (x[i] - mean[group(i)]) * (x[i] - mean[group(i)]);
        for (int g = 0; g < groups; g++) variance[g] /= count[g];
        return (mean, variance);
    }

    [Theory]
    [MemberData(nameof(SimdModes))]
    public void Statistics_FarFromZero_KeepDoubleAccuracy(bool simd)
    {
        // 10⁴ + N(0, 1): a float sum of the raw values loses three digits of the mean; the
        // variance must still come out as the double two-pass value of the same floats.
        using var _ = Mode(simd);
        int n = 6, c = 4, l = 37;
        var x = NormData.Normal(9, 1, 1e4f, n, c, l);
        var xs = x.Span.ToArray();
        void Check(string what, ReadOnlySpan<double> mean, ReadOnlySpan<double> variance, Func<int, int> group, int groups)
        {
            var (m, v) = Moments(xs, group, groups);
            AssertClose.All(m, mean, 1e-12, 1e-9, $"{what} mean");
            AssertClose.All(v, variance, 1e-6, 1e-9, $"{what} variance");
        }
        var bn = new BatchNorm(c);
        bn.Forward(x);
        Check("batch", bn.Mean, bn.Variance, i => i / l % c, c);
        var inorm = new InstanceNorm(c);
        inorm.Forward(x);
        Check("instance", inorm.Mean, inorm.Variance, i => i / l, n * c);
        var gn = new GroupNorm(2, c);
        gn.Forward(x);
        Check("group", gn.Mean, gn.Variance, i => i / (2 * l), n * 2);
        var ln = new LayerNorm(l);
        ln.Forward(x);
        Check("layer", ln.Mean, ln.Variance, i => i / l, n * c);
        var columns = new BatchNorm(c * l);
        columns.Forward(x.Reshape(n, c * l));
        Check("batch (N, C)", columns.Mean, columns.Variance, i => i % (c * l), c * l);
    }

    [Fact]
    public void Normalization_OneAndTwoThreads_GiveTheSameBits()
    {
        int before = Parallelism.MaxThreads;
        try
        {
            int[] dims = [8, 64, 150];
            var bn = new BatchNorm(64);
            var columns = new BatchNorm(300);
            var inorm = new InstanceNorm(64, new InstanceNormOptions(Affine: true));
            var gn = new GroupNorm(8, 64);
            var ln = new LayerNorm(150);
            var rms = new RmsNorm(150);
            var modules = new (string, Func<Tensor, Tensor>, Func<Tensor, Tensor>, IEnumerable<Parameter>)[]
            {
                ("batch", bn.Forward, bn.Backward, bn.Parameters()), ("instance", inorm.Forward, inorm.Backward, inorm.Parameters()),
                ("group", gn.Forward, gn.Backward, gn.Parameters()), ("layer", ln.Forward, ln.Backward, ln.Parameters()),
                ("rms", rms.Forward, rms.Backward, rms.Parameters()),
                ("batch (N, C)", t => columns.Forward(t.Reshape(t.Length / 300, 300)), t => columns.Backward(t.Reshape(t.Length / 300, 300)), columns.Parameters()),
            };
            foreach (var (name, forward, backward, parameters) in modules)
            {
                var results = new List<float[]>[2];
                for (int t = 0; t < 2; t++)
                {
                    Parallelism.MaxThreads = t + 1;
                    foreach (var p in parameters) p.Grad.Clear();
                    var x = NormData.Normal(1, 2, 1, dims);
                    var dy = Tensor.FromSpan(Data.Uniform(new Rng(2), x.Length), dims);
                    results[t] = [forward(x).Span.ToArray(), backward(dy).Span.ToArray(), .. parameters.Select(p => p.Grad.Span.ToArray())];
                }
                for (int k = 0; k < results[0].Count; k++) Assert.True(results[0][k].AsSpan().SequenceEqual(results[1][k]), $"{name}: result {k} differs");
            }
            var weights = new float[2][];
            for (int t = 0; t < 2; t++)
            {
                Parallelism.MaxThreads = t + 1;
                var w = new Parameter("w", new Shape(16, 8192), ParameterKind.Weight);
                new Rng(3).FillNormal(w.Value.Span, 0, 1);
                var norm = new WeightNorm(w);
                Data.Uniform(new Rng(4), w.Length).CopyTo(w.Grad.Span);
                norm.Backward();
                weights[t] = [.. w.Value.Span, .. norm.G.Grad.Span, .. norm.V.Grad.Span];
            }
            Assert.True(weights[0].AsSpan().SequenceEqual(weights[1]), "weight norm differs");
        }
        finally
        {
            Parallelism.MaxThreads = before;
        }
    }
}

/// <summary>Tests that change <see cref="Parallelism.MaxThreads"/> run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public class MaxThreadsCollection
{
    public const string Name = "MaxThreads";
}
