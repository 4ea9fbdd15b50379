using Recur.Optim;
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
    /// theory.md 3.1: SGD on L + γ‖θ‖² equals SGD with weight decay θ ← θ − η∇L − λθ at λ = 2ηγ
    /// (DecoupledWeightDecay scaled by the schedule only), and equally with the learning-rate-scaled
    /// decay at λ = 2γ. Checked on a logistic-regression loss (not quadratic) over 1000 steps.
    /// </summary>
    [Fact]
    public void Theory31_L2AndDecoupledDecay_SameTrajectoryOver1000Steps()
    {
        const double eta = 0.5, gamma = 0.02;
        const int features = 8, samples = 32, steps = 1000;
        var rng = new Rng(31);
        double[] x = new double[samples * features], y = new double[samples];
        for (int i = 0; i < x.Length; i++) x[i] = rng.NextNormal();
        for (int i = 0; i < samples; i++) y[i] = rng.NextDouble() < 0.5 ? -1 : 1;
        float[] init = Data.Uniform(rng, features, -1, 1);

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
        var stores = new ParameterStore[schemes.Length];
        var optimizers = new Sgd[schemes.Length];
        for (int s = 0; s < schemes.Length; s++)
        {
            stores[s] = new ParameterStore([new Parameter("w", new Shape(features), ParameterKind.Weight)]);
            init.CopyTo(stores[s].Values);
            optimizers[s] = new Sgd(stores[s], new SgdOptions(eta) { Regularization = schemes[s] });
        }
        double maxUnregularizedGap = 0;
        for (int t = 1; t <= steps; t++)
        {
            for (int s = 0; s < schemes.Length; s++)
            {
                Gradient(stores[s].Values, stores[s].Grads);
                optimizers[s].Step();
            }
            AssertClose.All(stores[0].Values, stores[1].Values, 1e-5, 1e-6, $"L2 vs decay λ = 2ηγ, step {t}");
            AssertClose.All(stores[0].Values, stores[2].Values, 1e-5, 1e-6, $"L2 vs lr-scaled decay λ = 2γ, step {t}");
            for (int j = 0; j < features; j++) maxUnregularizedGap = Math.Max(maxUnregularizedGap, Math.Abs(stores[0].Values[j] - stores[3].Values[j]));
        }
        Assert.True(maxUnregularizedGap > 0.1, $"the regularization barely acted (gap {maxUnregularizedGap:G3})");
    }
}
