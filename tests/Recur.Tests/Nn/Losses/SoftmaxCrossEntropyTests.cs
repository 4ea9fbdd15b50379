using Recur.Diagnostics;
using Recur.Nn.Losses;
using Recur.Tensors;
using Recur.Tests.Support;

namespace Recur.Tests.Nn.Losses;

public class SoftmaxCrossEntropyTests
{
    /// <summary>The loss by definition, in double: −mean over kept rows of log softmax(z)[t].</summary>
    private static double Brute(float[] z, int v, int[] targets, int ignore)
    {
        double total = 0;
        int count = 0;
        for (int r = 0; r < targets.Length; r++)
        {
            if (targets[r] == ignore) continue;
            double sum = 0;
            for (int j = 0; j < v; j++) sum += Math.Exp(z[r * v + j]);
            total -= Math.Log(Math.Exp(z[r * v + targets[r]]) / sum);
            count++;
        }
        return total / count;
    }

    [Fact]
    public void Forward_RandomCases_MatchTheDefinition()
    {
        var rng = new Rng(1);
        for (int trial = 0; trial < 50; trial++)
        {
            int n = 1 + rng.NextInt(6), v = 1 + rng.NextInt(9);
            var z = Data.Uniform(rng, n * v, -4, 4);
            var targets = Enumerable.Range(0, n).Select(_ => rng.NextInt(4) == 0 ? -100 : rng.NextInt(v)).ToArray();
            targets[0] = rng.NextInt(v);
            var loss = new SoftmaxCrossEntropy();
            AssertClose.Scalar(Brute(z, v, targets, -100), loss.Forward(Tensor.FromSpan(z, n, v), targets), 1e-6, 1e-6);
            Assert.Equal(targets.Count(t => t != -100), loss.Count);
        }
    }

    [Fact]
    public void Gradients_WithIgnoredRows_MatchFiniteDifferences()
    {
        var z = Tensor.FromSpan(Data.Uniform(new Rng(2), 5 * 7, -3, 3), 5, 7);
        int[] targets = [3, -100, 0, 6, -100];
        var loss = new SoftmaxCrossEntropy();
        loss.Forward(z, targets);
        var grad = loss.Backward().Span.ToArray();
        Assert.All(grad.AsSpan(7, 7).ToArray(), g => Assert.Equal(0f, g));
        var report = GradientChecker.Check("logits", z.Span, grad, () => loss.Forward(z, targets), new GradientChecker.Options(Step: 1e-2));
        Assert.True(report.Passed, report.ToString());
        Assert.True(report.Checked >= 0.9 * z.Length, report.ToString());
    }

    [Fact]
    public void Forward_HugeLogits_StaysFinite()
    {
        var loss = new SoftmaxCrossEntropy();
        double value = loss.Forward(Tensor.FromSpan([1e4f, 0f, -1e4f], 1, 3), [1]);
        AssertClose.Scalar(1e4, value, 1e-6);
        var grad = loss.Backward().Span.ToArray();
        AssertClose.All([1f, -1f, 0f], grad, 1e-6, 1e-6);
    }

    [Fact]
    public void Forward_EveryTargetIgnored_IsNaNWithZeroGradient()
    {
        var loss = new SoftmaxCrossEntropy(ignoreIndex: 2);
        Assert.True(double.IsNaN(loss.Forward(Tensor.FromSpan([1f, 2f, 3f, 4f], 2, 2), [2, 2])));
        Assert.Equal(0, loss.Count);
        Assert.All(loss.Backward().Span.ToArray(), g => Assert.Equal(0f, g));
    }

    [Fact]
    public void Forward_BadInput_ThrowsNamingIt()
    {
        var loss = new SoftmaxCrossEntropy();
        var z = Tensor.Zeros(2, 3);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => loss.Forward(z, [0, 3]));
        Assert.Contains("target 3 of row 1", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => loss.Forward(z, [0, -1]));
        Assert.Throws<ArgumentException>(() => loss.Forward(z, [0]));
        Assert.Throws<ArgumentException>(() => loss.Forward(Tensor.Zeros(6), [0]));
        Assert.Throws<InvalidOperationException>(() => new SoftmaxCrossEntropy().Backward());
    }

    [Theory]
    [InlineData("default")]
    [InlineData("custom")]
    public void Golden_WithIgnoredTargets_MatchesPyTorch(string c)
    {
        var g = new NnGolden("layers/cross_entropy.safetensors");
        var loss = new SoftmaxCrossEntropy(g.Ints($"{c}.ignore_index")[0]);
        double value = loss.Forward(g.T($"{c}.logits"), g.Ints($"{c}.targets"));
        g.Match($"{c}.loss", [(float)value]);
        g.Match($"{c}.grad_logits", loss.Backward().Span);
    }
}
