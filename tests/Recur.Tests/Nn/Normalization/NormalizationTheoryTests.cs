using Recur.Nn.Normalization;
using Recur.Reproduce.Claims;
using Recur.Tensors;
using Recur.Tests.Support;

namespace Recur.Tests.Nn.Normalization;

/// <summary>The normalization claims of docs/theory.md section 4, checked on the layers themselves (computations in <see cref="NormalizationClaims"/>).</summary>
public class NormalizationTheoryTests
{
    private static NormalizationClaims.Statistic Statistic(string name) => NormalizationClaims.ExampleStatistics().Single(s => s.Name == name);

    /// <summary>Every printed number must match to its printed precision (5 decimals: half a unit in the last place).</summary>
    private static void Printed(string name)
    {
        var s = Statistic(name);
        Assert.Equal(s.Printed.Length, s.Measured.Length);
        for (int i = 0; i < s.Printed.Length; i++)
            Assert.True(Math.Abs(s.Measured[i] - s.Printed[i]) <= 0.5e-5, $"{name}[{i}]: {s.Measured[i]:R}, printed {s.Printed[i]}");
    }

    [Fact]
    public void Theory41_BatchNormStatistics_MatchThePrintedTable()
    {
        Printed("batch norm μ");
        Printed("batch norm σ²");
        Assert.Equal(2, Statistic("batch norm μ").Measured.Length);
    }

    [Fact]
    public void Theory41_LayerNormStatistics_MatchThePrintedTable()
    {
        Printed("layer norm μ");
        Printed("layer norm σ²");
        // Group norm with one group computes the same statistics.
        var gn = new GroupNorm(1, 2);
        gn.Forward(Tensor.FromSpan(NormalizationClaims.Example(), 4, 2, 3));
        AssertClose.All(Statistic("layer norm μ").Measured, gn.Mean, 1e-12);
        AssertClose.All(Statistic("layer norm σ²").Measured, gn.Variance, 1e-12);
    }

    [Fact]
    public void Theory41_InstanceNormStatistics_MatchThePrintedTable()
    {
        Printed("instance norm μ");
        Printed("instance norm σ²");
        // Group norm with one group per channel computes the same statistics.
        var gn = new GroupNorm(2, 2);
        gn.Forward(Tensor.FromSpan(NormalizationClaims.Example(), 4, 2, 3));
        AssertClose.All(Statistic("instance norm μ").Measured, gn.Mean, 1e-12);
        AssertClose.All(Statistic("instance norm σ²").Measured, gn.Variance, 1e-12);
    }

    /// <summary>BN(uᵀx)·γ + β against the weight-normalized unit γ·uᵀx/‖u‖ + β on a whitened sample.</summary>
    private static void BatchNormEqualsWeightNorm(float[] sample, int d, double rtol)
    {
        var r = NormalizationClaims.CompareBatchNormWithWeightNorm(sample, d);
        AssertClose.All(r.BatchNormed, r.WeightNormed, rtol, 1e-6);
        AssertClose.Scalar(0, r.Mean, 0, 1e-6);
        AssertClose.Scalar(r.SquaredNorm, r.Variance, 1e-5);
    }

    [Fact]
    public void Theory42_OnAnExactlyWhitenedSample_BatchNormEqualsWeightNorm()
    {
        var x = NormalizationClaims.HadamardSample(6);
        // Exactly whitened: every column sums to 0 and the columns are orthogonal with squared norm 16.
        for (int a = 0; a < 6; a++)
        {
            Assert.Equal(0, Enumerable.Range(0, 16).Sum(i => x[i * 6 + a]));
            for (int b = 0; b < 6; b++) Assert.Equal(a == b ? 16 : 0, Enumerable.Range(0, 16).Sum(i => x[i * 6 + a] * x[i * 6 + b]));
        }
        BatchNormEqualsWeightNorm(x, 6, 1e-5);
    }

    [Fact]
    public void Theory42_OnACholeskyWhitenedSample_BatchNormEqualsWeightNorm()
    {
        var (sample, meanError, covarianceError) = NormalizationClaims.CholeskyWhitenedSample(50, 4, 3);
        Assert.True(meanError < 1e-12, $"mean error {meanError}");
        Assert.True(covarianceError < 1e-12, $"covariance error {covarianceError}");
        BatchNormEqualsWeightNorm(sample, 4, 1e-5);
    }

    [Fact]
    public void Theory42_OnAnUnwhitenedSample_BatchNormDiffers()
    {
        // The claim needs the whitening: with covariance ≠ I the two disagree.
        var sample = Data.Uniform(new Rng(4), 40 * 4, -1, 3);
        Assert.ThrowsAny<Exception>(() => BatchNormEqualsWeightNorm(sample, 4, 1e-3));
    }

    [Fact]
    public void Theory43_VGradient_IsTheProjectedWeightGradientOrthogonalToV()
    {
        var r = NormalizationClaims.CheckWeightNormGradients();
        // ∇_v L = (g/‖v‖)·W⊥·∇_w L and ∇_g L = ∇_w L·v/‖v‖, each within 1e-7 + 1e-5·|expected|.
        Assert.True(r.ProjectionError <= 1, $"projection error {r.ProjectionError}");
        Assert.True(r.ProjectorResidual <= 1e-12, $"|W⊥v|/‖v‖ = {r.ProjectorResidual:G3}");
        // Hence the gradient is orthogonal to v.
        Assert.True(r.Orthogonality <= 1e-6, $"|cos(∇v, v)| = {r.Orthogonality:G3}");
    }

    [Fact]
    public void Theory43_GAndVGradients_MatchFiniteDifferences()
    {
        var r = NormalizationClaims.CheckWeightNormGradients();
        foreach (var (report, length) in new[] { (r.V, 15), (r.G, 3) })
        {
            Assert.True(report.Passed, report.ToString());
            Assert.True(report.Checked >= LayerCheck.MinCheckedFraction * length, report.ToString());
        }
    }
}
