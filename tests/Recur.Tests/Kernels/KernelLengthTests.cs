using Recur.Kernels;
using Recur.Tensors;
using Recur.Tests.Support;

namespace Recur.Tests.Kernels;

/// <summary>
/// Every hand-written kernel against its plain-loop twin in <see cref="Reference"/>, over
/// every length 0…257 (all vector widths and tails), with SIMD on and forced off.
/// </summary>
public class KernelLengthTests
{
    public static TheoryData<bool> SimdModes => new() { true, false };

    private static IDisposable? Mode(bool simd) => simd ? null : Simd.ForceScalar();

    [Theory]
    [MemberData(nameof(SimdModes))]
    public void ActivationBackward_EveryLength_MatchesReference(bool simd)
    {
        using var _ = Mode(simd);
        var rng = new Rng(10);
        for (int n = 0; n <= 257; n++)
        {
            float[] x = Data.Uniform(rng, n, -3, 3), dy = Data.Uniform(rng, n);
            var y = new float[n];
            var expected = new float[n];
            var actual = new float[n];

            Activations.Tanh(x, y);
            Reference.TanhBackward(y, dy, expected);
            Activations.TanhBackward(y, dy, actual);
            AssertClose.All(expected, actual, 1e-6, 1e-7, $"tanh' n={n}");

            Activations.Sigmoid(x, y);
            Reference.SigmoidBackward(y, dy, expected);
            Activations.SigmoidBackward(y, dy, actual);
            AssertClose.All(expected, actual, 1e-6, 1e-7, $"sigmoid' n={n}");

            Activations.Relu(x, y);
            Reference.ReluBackward(y, dy, expected);
            Activations.ReluBackward(y, dy, actual);
            Assert.Equal(expected, actual);
        }
    }

    [Theory]
    [MemberData(nameof(SimdModes))]
    public void ActivationBackward_InPlace_MatchesReference(bool simd)
    {
        using var _ = Mode(simd);
        var rng = new Rng(11);
        float[] y = Data.Uniform(rng, 77, -1, 1), dy = Data.Uniform(rng, 77);
        var expected = new float[77];
        Reference.TanhBackward(y, dy, expected);
        Activations.TanhBackward(y, dy, dy);
        AssertClose.All(expected, dy, 1e-6, 1e-7);
    }

    [Theory]
    [MemberData(nameof(SimdModes))]
    public void TanhAndSigmoid_EveryLength_MatchDoublePrecisionWithinAFewUlps(bool simd)
    {
        using var _ = Mode(simd);
        var rng = new Rng(16);
        for (int n = 0; n <= 257; n++)
        {
            float[] x = Data.Uniform(rng, n, -12, 12);
            var expected = new float[n];
            var actual = new float[n];
            Reference.Tanh(x, expected);
            Activations.Tanh(x, actual);
            AssertClose.All(expected, actual, 5e-7, 1e-30, $"tanh n={n}");
            Reference.Sigmoid(x, expected);
            Activations.Sigmoid(x, actual);
            AssertClose.All(expected, actual, 5e-7, 1e-30, $"sigmoid n={n}");
        }
    }

    [Fact]
    public void TanhAndSigmoid_DenseGridAndSpecialValues_AreAccurateEverywhere()
    {
        // Every magnitude from 1e-30 to 100, both signs: the polynomial, the switch at 0.625,
        // both tails and the clamps of exp.
        var grid = new List<float>();
        for (double m = 1e-30; m < 100; m *= 1.0007) { grid.Add((float)m); grid.Add((float)-m); }
        grid.AddRange([0f, -0f, 0.625f, -0.625f, 0.62499994f, 87.3f, -87.3f, 88.8f, -103.9f]);
        float[] x = [.. grid];
        var expected = new float[x.Length];
        var actual = new float[x.Length];
        Reference.Tanh(x, expected);
        Activations.Tanh(x, actual);
        AssertClose.All(expected, actual, 5e-7, 1e-45, "tanh");
        Reference.Sigmoid(x, expected);
        Activations.Sigmoid(x, actual);
        // Subnormal results (σ(x) below 1.2e-38, x < −87.3) flush to zero.
        AssertClose.All(expected, actual, 5e-7, 1.2e-38, "sigmoid");
        float[] special = [float.PositiveInfinity, float.NegativeInfinity, float.NaN];
        var y = new float[3];
        Activations.Tanh(special, y);
        Assert.Equal([1f, -1f], y[..2]);
        Assert.True(float.IsNaN(y[2]));
        Activations.Sigmoid(special, y);
        Assert.Equal([1f, 0f], y[..2]);
        Assert.True(float.IsNaN(y[2]));
    }

    [Fact]
    public void ActivationForward_MatchesMathFunctions()
    {
        var rng = new Rng(12);
        float[] x = Data.Uniform(rng, 300, -8, 8);
        var y = new float[300];
        Activations.Forward(Activation.Tanh, x, y);
        AssertClose.All(x.Select(v => (float)Math.Tanh(v)).ToArray(), y, 1e-6, 1e-7);
        Activations.Forward(Activation.Sigmoid, x, y);
        AssertClose.All(x.Select(v => (float)(1 / (1 + Math.Exp(-v)))).ToArray(), y, 1e-6, 1e-7);
        Activations.Forward(Activation.Relu, x, y);
        Assert.Equal(x.Select(v => Math.Max(v, 0f)).ToArray(), y);
    }

    [Theory]
    [MemberData(nameof(SimdModes))]
    public void Reductions_EveryLength_MatchReference(bool simd)
    {
        using var _ = Mode(simd);
        var rng = new Rng(13);
        for (int n = 0; n <= 257; n++)
        {
            float[] x = Data.Uniform(rng, n), y = Data.Uniform(rng, n);
            AssertClose.Scalar(Reference.Sum(x), Reductions.Sum(x), 1e-12, 1e-12, $"sum n={n}");
            AssertClose.Scalar(Reference.Dot(x, y), Reductions.Dot(x, y), 1e-12, 1e-12, $"dot n={n}");
            AssertClose.Scalar(Reference.Dot(x, x), Reductions.SumOfSquares(x), 1e-12, 1e-12, $"sumsq n={n}");
        }
    }

    [Fact]
    public void Sum_AccumulatesInDouble()
    {
        // 2^24 + 1 ones: a float accumulator stops at 2^24.
        var x = new float[(1 << 24) + 1];
        Array.Fill(x, 1f);
        Assert.Equal((1 << 24) + 1, Reductions.Sum(x));
    }

    [Theory]
    [MemberData(nameof(SimdModes))]
    public void Softmax_EveryLength_MatchesReference(bool simd)
    {
        using var _ = Mode(simd);
        var rng = new Rng(14);
        for (int n = 1; n <= 257; n++)
        {
            float[] x = Data.Uniform(rng, n, -20, 20);
            var expected = new float[n];
            var actual = new float[n];
            Reference.Softmax(x, expected);
            Softmax.Forward(x, actual);
            AssertClose.All(expected, actual, 1e-5, 1e-7, $"softmax n={n}");
            Reference.LogSoftmax(x, expected);
            Softmax.LogForward(x, actual);
            AssertClose.All(expected, actual, 1e-5, 1e-5, $"log-softmax n={n}");
            AssertClose.Scalar(Reference.LogSumExp(x), Softmax.LogSumExp(x), 1e-6, 1e-6, $"lse n={n}");
        }
    }

    [Fact]
    public void Softmax_HugeLogits_DoesNotOverflow()
    {
        float[] x = [1000f, 999f, -1000f, float.NegativeInfinity];
        var y = new float[4];
        Softmax.Forward(x, y);
        AssertClose.All([(float)(1 / (1 + Math.Exp(-1))), (float)(Math.Exp(-1) / (1 + Math.Exp(-1))), 0f, 0f], y, 1e-6, 1e-7);
        AssertClose.Scalar(1000 + Math.Log(1 + Math.Exp(-1)), Softmax.LogSumExp(x), rtol: 1e-7, atol: 0);
        Softmax.LogForward(x, y);
        Assert.Equal(float.NegativeInfinity, y[3]);
    }

    [Fact]
    public void LogSumExp_AllNegativeInfinity_IsNegativeInfinity()
    {
        Assert.Equal(float.NegativeInfinity, Softmax.LogSumExp([float.NegativeInfinity, float.NegativeInfinity]));
        Assert.Equal(float.NegativeInfinity, Softmax.LogSumExp([]));
    }

    [Fact]
    public void Axpy_EveryLength_MatchesLoop()
    {
        var rng = new Rng(15);
        for (int n = 0; n <= 257; n++)
        {
            float[] x = Data.Uniform(rng, n), y = Data.Uniform(rng, n);
            var expected = y.Select((v, i) => MathF.FusedMultiplyAdd(0.75f, x[i], v)).ToArray();
            Elementwise.Axpy(0.75f, x, y);
            AssertClose.All(expected, y, 1e-6, 1e-7);
        }
    }

    [Fact]
    public void RowAndColumnHelpers_MatchLoops()
    {
        float[] m = [1, 2, 3, 4, 5, 6];
        Elementwise.AddRowVector([10, 20, 30], m);
        Assert.Equal(new float[] { 11, 22, 33, 14, 25, 36 }, m);
        var sums = new float[] { 1, 1, 1 };
        Elementwise.AddColumnSums(m, sums);
        Assert.Equal(new float[] { 26, 48, 70 }, sums);
    }
}
