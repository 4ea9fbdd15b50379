using Recur.Optim;
using Recur.Reproduce.Claims;
using Recur.Tensors;
using Recur.Tests.Support;
using Xunit.Abstractions;

namespace Recur.Tests.Optim;

public class AdamTests(ITestOutputHelper output)
{
    [Fact]
    public void Options_Defaults_MatchPyTorch()
    {
        var adam = new AdamOptions();
        Assert.Equal((1e-3, 0.9, 0.999, 1e-8, false), (adam.LearningRate, adam.Beta1, adam.Beta2, adam.Epsilon, adam.AmsGrad));
        Assert.IsType<Regularization.None>(adam.Regularization);
        Assert.Equal(new Regularization.DecoupledWeightDecay(0.01), AdamOptions.AdamW().Regularization);
        Assert.Equal(1e-3, AdamOptions.AdamW().LearningRate);
        Assert.Equal([ParameterKind.Weight], adam.RegularizedKinds);
    }

    [Theory]
    [InlineData(-1e-3, 0.9, 0.999, 1e-8)]
    [InlineData(1e-3, 1.0, 0.999, 1e-8)]
    [InlineData(1e-3, -0.1, 0.999, 1e-8)]
    [InlineData(1e-3, 0.9, 1.0, 1e-8)]
    [InlineData(1e-3, 0.9, double.NaN, 1e-8)]
    [InlineData(1e-3, 0.9, 0.999, -1e-8)]
    public void Constructor_BadHyperParameter_ThrowsArgumentOutOfRange(double lr, double beta1, double beta2, double eps)
    {
        var store = OptimTestData.MixedStore(1);
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            new Adam(store, new AdamOptions { LearningRate = lr, Beta1 = beta1, Beta2 = beta2, Epsilon = eps }));
    }

    [Fact]
    public void FirstTwoSteps_MatchHandComputedBiasCorrectedUpdate()
    {
        var store = new ParameterStore([new Parameter("w", new Shape(2), ParameterKind.Weight)]);
        store.Values[0] = 1f;
        store.Values[1] = -2f;
        var adam = new Adam(store, new AdamOptions { LearningRate = 0.1 });
        double[] theta = [1, -2], m = [0, 0], v = [0, 0];
        double[][] grads = [[0.5, -3], [0.25, 1]];
        for (int t = 1; t <= 2; t++)
        {
            for (int i = 0; i < 2; i++)
            {
                store.Grads[i] = (float)grads[t - 1][i];
                m[i] = 0.9 * m[i] + 0.1 * grads[t - 1][i];
                v[i] = 0.999 * v[i] + 0.001 * grads[t - 1][i] * grads[t - 1][i];
                theta[i] -= 0.1 * (m[i] / (1 - Math.Pow(0.9, t))) / (Math.Sqrt(v[i] / (1 - Math.Pow(0.999, t))) + 1e-8);
            }
            adam.Step();
            AssertClose.All(theta, [store.Values[0], store.Values[1]], 1e-6, 1e-7, $"step {t}");
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void DecoupledDecay_ZeroGradient_ShrinksByLearningRateOrScheduleMultiplier(bool scaleBySchedule)
    {
        // With g ≡ 0, m = v = 0 and the Adam step is 0, so only the decay acts:
        // θ_T = θ_0·Π_t (1 − s_t·λ), s_t = η_t (PyTorch AdamW) or η_t/η_0 (the AdamW paper).
        const double lr = 0.05, lambda = 0.3;
        var schedule = new LearningRateSchedule.Cosine(10);
        var store = OptimTestData.MixedStore(2);
        float[] before = store.Values.ToArray();
        var adam = new Adam(store, new AdamOptions { LearningRate = lr, Regularization = new Regularization.DecoupledWeightDecay(lambda, scaleBySchedule) },
            [new ParameterGroup(store.Parameters)]) { Schedule = schedule };
        double factor = 1;
        for (int t = 0; t < 10; t++)
        {
            double rate = schedule.LearningRate(t, lr);
            factor *= 1 - (scaleBySchedule ? rate / lr : rate) * lambda;
            adam.Step();
        }
        var expected = before.Select(x => (float)(x * factor)).ToArray();
        AssertClose.All(expected, store.Values, 1e-5, 1e-7);
        Assert.True(factor < (scaleBySchedule ? 0.3 : 0.95), $"the decay barely acted (factor {factor})");
    }

    /// <summary>
    /// docs/theory.md 3.3: two groups of equal initial size; gradients c·ξ_t with the same zero-mean noise
    /// ξ_t, c = 1e-3 and c = 1. Adam with L2 divides the penalty by √v̂, which is small where the
    /// gradients are small, so that group shrinks far faster; AdamW shrinks both at the same rate.
    /// </summary>
    [Fact]
    public void Theory33_TwoGroups_AdamL2ShrinksSmallGradientGroupAdamWShrinksBothEqually()
    {
        const int steps = 2000;
        const double lambda = 0.1;
        double[] scales = [1e-3, 1];
        var l2 = RegularizationClaims.RunAdamGroups(new Regularization.L2(lambda / 2), scales, steps);
        var adamW = RegularizationClaims.RunAdamGroups(new Regularization.DecoupledWeightDecay(lambda), scales, steps);
        output.WriteLine($"|θ_T|/|θ_0|   small-gradient group   large-gradient group");
        output.WriteLine($"Adam + L2     {l2.Final(0),20:F4}   {l2.Final(1),20:F4}");
        output.WriteLine($"AdamW         {adamW.Final(0),20:F4}   {adamW.Final(1),20:F4}");

        Assert.True(l2.Final(0) < 0.25 * l2.Final(1), $"Adam+L2: small group {l2.Final(0):F4} should shrink far faster than large {l2.Final(1):F4}");
        Assert.True(Math.Abs(adamW.Final(0) / adamW.Final(1) - 1) < 0.01, $"AdamW: groups shrink at different rates ({adamW.Final(0):F4} vs {adamW.Final(1):F4})");
        Assert.True(adamW.Final(1) < 0.9, $"AdamW barely decayed ({adamW.Final(1):F4})");
        Assert.All(l2.Decay, d => Assert.Equal(steps + 1, d.Length));
    }
}
