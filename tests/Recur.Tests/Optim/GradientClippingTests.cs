using Recur.Formats;
using Recur.Kernels;
using Recur.Optim;
using Recur.Tensors;
using Recur.Tests.Support;

namespace Recur.Tests.Optim;

public class GradientClippingTests
{
    private static Safetensors Golden => OptimTestData.Golden("optim_clip");

    [Theory]
    [InlineData("large")]
    [InlineData("barely")]
    [InlineData("unclipped")]
    [InlineData("tiny")]
    public void ClipByNorm_MatchesClipGradNorm(string name)
    {
        float[] grads = Golden.GetFloat32($"norm.{name}.before");
        double norm = GradientClipping.ClipByNorm(grads, Golden.GetFloat64($"norm.{name}.max_norm")[0]);
        AssertClose.Scalar(Golden.GetFloat64($"norm.{name}.norm")[0], norm, 1e-6);
        AssertClose.All(Golden.GetFloat32($"norm.{name}.after"), grads, 1e-6, 1e-9, name);
    }

    [Fact]
    public void ClipByValue_MatchesClipGradValue()
    {
        float[] grads = Golden.GetFloat32("value.before");
        GradientClipping.ClipByValue(grads, Golden.GetFloat64("value.clip_value")[0]);
        Assert.Equal(Golden.GetFloat32("value.after"), grads);
        Assert.Contains(Golden.GetFloat32("value.before"), g => Math.Abs(g) > 0.75f);
    }

    [Fact]
    public void ClipByNorm_RandomVectors_NormCappedDirectionKept()
    {
        var rng = new Rng(40);
        for (int trial = 0; trial < 200; trial++)
        {
            int n = rng.NextInt(300);
            float[] g = Data.Uniform(rng, n, -3, 3);
            float[] original = (float[])g.Clone();
            double maxNorm = 0.1 + 20 * rng.NextDouble();
            double norm = GradientClipping.ClipByNorm(g, maxNorm);
            AssertClose.Scalar(Reference.Dot(original, original), norm * norm, 1e-9, 1e-12);
            double scale = Math.Min(1, maxNorm / (norm + 1e-6));
            AssertClose.All(original.Select(x => (float)(x * scale)).ToArray(), g, 1e-6, 1e-9);
            Assert.True(Reductions.Norm(g) <= maxNorm * (1 + 1e-6));
        }
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity)]
    public void ClipByNorm_NonFiniteGradient_ReturnsNormAndLeavesGradients(float bad)
    {
        float[] g = [1, 2, bad, 4];
        double norm = GradientClipping.ClipByNorm(g, 1.0);
        Assert.False(double.IsFinite(norm));
        Assert.Equal(new float[] { 1, 2, bad, 4 }, g);
    }

    [Fact]
    public void ClipAndStep_NonFiniteNorm_SkipsStepAndReportsIt()
    {
        var store = OptimTestData.MixedStore(41);
        var adam = new Adam(store, AdamOptions.AdamW(1e-2));
        OptimTestData.FillGradient(store, 0);
        Assert.False(adam.ClipAndStep(1.0).Skipped);
        float[] values = store.Values.ToArray();
        string state = Path.Combine(Path.GetTempPath(), $"recur-clip-{Guid.NewGuid():N}.safetensors");
        try
        {
            adam.Save(state);
            byte[] before = File.ReadAllBytes(state);
            OptimTestData.FillGradient(store, 1);
            store.Grads[17] = float.PositiveInfinity;
            var report = adam.ClipAndStep(1.0);
            Assert.True(report.Skipped);
            Assert.Equal(double.PositiveInfinity, report.GradientNorm);
            Assert.Equal(values, store.Values.ToArray());
            Assert.Equal(1, adam.StepCount);
            Assert.Equal(1, adam.SkippedSteps);
            adam.Save(state);
            var after = Safetensors.Load(state);
            var saved = Safetensors.Parse(before, "before");
            Assert.Equal(saved.GetFloat32("exp_avg"), after.GetFloat32("exp_avg"));
            Assert.Equal(saved.GetFloat32("exp_avg_sq"), after.GetFloat32("exp_avg_sq"));
        }
        finally
        {
            File.Delete(state);
        }
    }

    [Fact]
    public void ClipAndStep_InfiniteMaxNorm_StepsWithoutClipping()
    {
        var store = OptimTestData.MixedStore(42);
        var sgd = new Sgd(store, new SgdOptions(0.1));
        store.Grads.Fill(100f);
        var report = sgd.ClipAndStep(double.PositiveInfinity);
        AssertClose.Scalar(100 * Math.Sqrt(store.Count), report.GradientNorm);
        Assert.False(report.Skipped);
        Assert.All(store.Grads.ToArray(), g => Assert.Equal(100f, g));
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    public void ClipByNorm_BadMaxNorm_ThrowsArgumentOutOfRange(double maxNorm)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => GradientClipping.ClipByNorm(new float[3], maxNorm));
    }

    [Fact]
    public void ClipByValue_NegativeOrNaN_ThrowsAndNaNGradientStaysNaN()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => GradientClipping.ClipByValue(new float[3], -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => GradientClipping.ClipByValue(new float[3], double.NaN));
        float[] g = [float.NaN, 5, -5];
        GradientClipping.ClipByValue(g, 1);
        Assert.True(float.IsNaN(g[0]));
        Assert.Equal([1f, -1f], g[1..]);
    }
}
