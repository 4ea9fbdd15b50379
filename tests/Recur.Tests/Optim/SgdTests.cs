using Recur.Optim;
using Recur.Reproduce.Claims;
using Recur.Tensors;
using Recur.Tests.Support;

namespace Recur.Tests.Optim;

public class SgdTests
{
    private static ParameterStore Scalar(float value)
    {
        var store = new ParameterStore([new Parameter("w", new Shape(1), ParameterKind.Weight)]);
        store.Values[0] = value;
        return store;
    }

    [Fact]
    public void Momentum_FirstStep_BufferIsTheGradientThenDampened()
    {
        // PyTorch: b_1 = g_1 (not (1 − τ)·g_1); b_2 = μ b_1 + (1 − τ) g_2; θ −= η b.
        var store = Scalar(1f);
        var sgd = new Sgd(store, new SgdOptions(0.1) { Momentum = 0.9, Dampening = 0.5 });
        store.Grads[0] = 2f;
        sgd.Step();
        AssertClose.Scalar(1 - 0.1 * 2, store.Values[0]);
        sgd.Step();
        AssertClose.Scalar(0.8 - 0.1 * (0.9 * 2 + 0.5 * 2), store.Values[0]);
    }

    [Fact]
    public void Nesterov_FirstStep_UsesGradientPlusMomentumTimesBuffer()
    {
        var store = Scalar(1f);
        var sgd = new Sgd(store, new SgdOptions(0.1) { Momentum = 0.9, Nesterov = true });
        store.Grads[0] = 2f;
        sgd.Step();
        AssertClose.Scalar(1 - 0.1 * (2 + 0.9 * 2), store.Values[0]);
    }

    [Fact]
    public void Momentum_LearningRateDrops_FollowsPyTorchFormNotSutskever()
    {
        // paiml/aprender#2190: θ0 = 0, g ≡ 1, μ = 0.9, η = 0.1 then 0.01. PyTorch's form (lr outside
        // the buffer) gives θ2 = −0.1 − 0.01·1.9 = −0.119; Sutskever's v ← μv − ηg gives −0.2.
        var store = Scalar(0f);
        var sgd = new Sgd(store, new SgdOptions(0.1) { Momentum = 0.9 }) { Schedule = new LearningRateSchedule.StepDecay(1, 0.1) };
        for (int t = 0; t < 2; t++)
        {
            store.Grads[0] = 1f;
            sgd.Step();
        }
        AssertClose.Scalar(-0.119, store.Values[0], 1e-6);
    }

    [Theory]
    [InlineData(-0.1, 0, 0, false)]
    [InlineData(double.NaN, 0, 0, false)]
    [InlineData(double.PositiveInfinity, 0, 0, false)]
    [InlineData(0.1, -0.5, 0, false)]
    [InlineData(0.1, 0.9, 1.5, false)]
    [InlineData(0.1, 0, 0, true)]
    [InlineData(0.1, 0.9, 0.1, true)]
    public void Constructor_BadHyperParameter_ThrowsArgumentOutOfRange(double lr, double momentum, double dampening, bool nesterov)
    {
        var store = Scalar(1f);
        Assert.Throws<ArgumentOutOfRangeException>(() =>
            new Sgd(store, new SgdOptions(lr) { Momentum = momentum, Dampening = dampening, Nesterov = nesterov }));
    }

    [Theory]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Regularization_BadCoefficient_ThrowsArgumentOutOfRange(double value)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Regularization.L2(value));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Regularization.DecoupledWeightDecay(value));
    }

    [Fact]
    public void L2_FromPyTorchWeightDecay_IsHalfTheCoefficient()
    {
        Assert.Equal(new Regularization.L2(0.005), Regularization.L2.FromPyTorchWeightDecay(0.01));
    }

    /// <summary>
    /// docs/theory.md 3.1: SGD on L + γ‖θ‖² equals SGD with weight decay θ ← θ − η∇L − λθ at λ = 2ηγ
    /// (DecoupledWeightDecay scaled by the schedule only), and equally with the learning-rate-scaled
    /// decay at λ = 2γ. Checked on a logistic-regression loss (not quadratic) over 1000 steps.
    /// </summary>
    [Fact]
    public void Theory31_L2AndDecoupledDecay_SameTrajectoryOver1000Steps()
    {
        var run = RegularizationClaims.RunSgd(1000);
        Assert.Equal(1001, run.L2.Length);
        // ≤ 1: every step within |Δ| ≤ 1e-6 + 1e-5·|θ_L2| of the L2 trajectory.
        Assert.True(run.DecayError <= 1, $"L2 vs decay λ = 2ηγ: error {run.DecayError}");
        Assert.True(run.ScaledDecayError <= 1, $"L2 vs lr-scaled decay λ = 2γ: error {run.ScaledDecayError}");
        Assert.True(run.UnregularizedGap > 0.1, $"the regularization barely acted (gap {run.UnregularizedGap:G3})");
    }
}
