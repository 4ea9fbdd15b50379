using Recur.Nn.Normalization;
using Recur.Tensors;
using Recur.Tests.Support;

namespace Recur.Tests.Nn.Normalization;

public class BatchNormTests
{
    private static BatchNorm WithRandomAffine(int c, BatchNormOptions? options = null, ulong seed = 3)
    {
        var bn = new BatchNorm(c, options);
        NormData.RandomAffine(bn.Weight, bn.Bias, seed);
        return bn;
    }

    [Theory]
    [InlineData(new[] { 5, 3 })]
    [InlineData(new[] { 3, 4, 5 })]
    [InlineData(new[] { 2, 3, 17 })]
    public void Gradients_Training_MatchFiniteDifferences(int[] dims)
    {
        var bn = WithRandomAffine(dims[1]);
        var x = NormData.Normal(1, 2, 1, dims);
        LayerCheck.Gradients(() => bn.Forward(x), bn.Backward, x, bn.Parameters());
    }

    [Theory]
    [InlineData(new[] { 5, 3 })]
    [InlineData(new[] { 3, 4, 5 })]
    public void Gradients_Evaluation_MatchFiniteDifferences(int[] dims)
    {
        var bn = WithRandomAffine(dims[1]);
        new Rng(4).FillUniform(bn.RunningMean!.Span, -1, 1);
        new Rng(5).FillUniform(bn.RunningVar!.Span, 0.5f, 2);
        bn.Training = false;
        var x = NormData.Normal(1, 2, 1, dims);
        LayerCheck.Gradients(() => bn.Forward(x), bn.Backward, x, bn.Parameters());
    }

    [Fact]
    public void Gradients_WithoutAffineOrRunningStatistics_MatchFiniteDifferences()
    {
        var bn = new BatchNorm(4, new BatchNormOptions(Affine: false, TrackRunningStats: false)) { Training = false };
        var x = NormData.Normal(2, 1, 0, 3, 4, 6);
        Assert.Empty(bn.Parameters());
        LayerCheck.Gradients(() => bn.Forward(x), bn.Backward, x, []);
    }

    [Fact]
    public void RunningVar_AfterOneBatch_UsesTheUnbiasedVariance()
    {
        // One channel, n = 4 values 1, 2, 3, 6: mean 3, biased variance 3.5, unbiased 14/3.
        var bn = new BatchNorm(1);
        bn.Forward(Tensor.FromSpan([1, 2, 3, 6], 4, 1));
        Assert.Equal(3.5, bn.Variance[0], 12);
        AssertClose.Scalar(0.9 * 0 + 0.1 * 3, bn.RunningMean![0], 1e-7);
        AssertClose.Scalar(0.9 * 1 + 0.1 * (3.5 * 4 / 3), bn.RunningVar![0], 1e-7);
        Assert.Equal(1, bn.NumBatchesTracked);
    }

    [Fact]
    public void RunningStatistics_WithNullMomentum_AreTheCumulativeAverage()
    {
        var bn = new BatchNorm(2, new BatchNormOptions(Momentum: null));
        double[] sumMean = new double[2], sumVar = new double[2];
        for (int step = 0; step < 5; step++)
        {
            var x = NormData.Normal(10 + (ulong)step, step + 1, step, 3, 2, 4);
            bn.Forward(x);
            for (int c = 0; c < 2; c++)
            {
                sumMean[c] += bn.Mean[c];
                sumVar[c] += bn.Variance[c] * 12 / 11.0;
            }
        }
        for (int c = 0; c < 2; c++)
        {
            AssertClose.Scalar(sumMean[c] / 5, bn.RunningMean![c], 1e-6, 1e-6);
            AssertClose.Scalar(sumVar[c] / 5, bn.RunningVar![c], 1e-6, 1e-6);
        }
        Assert.Equal(5, bn.NumBatchesTracked);
    }

    [Fact]
    public void Forward_OneValuePerChannelInTraining_Throws()
    {
        var bn = new BatchNorm(3);
        var e = Assert.Throws<ArgumentException>(() => bn.Forward(Tensor.Zeros(1, 3)));
        Assert.Contains("Expected more than 1 value per channel when training", e.Message);
        Assert.Throws<ArgumentException>(() => bn.Forward(Tensor.Zeros(1, 3, 1)));
        bn.Training = false;
        bn.Forward(Tensor.Zeros(1, 3));
    }

    [Fact]
    public void Evaluation_WithoutRunningStatistics_UsesTheBatch()
    {
        var x = NormData.Normal(3, 2, 5, 6, 2);
        var train = new BatchNorm(2, new BatchNormOptions(TrackRunningStats: false));
        var expected = train.Forward(x).Span.ToArray();
        train.Training = false;
        Assert.Equal(expected, train.Forward(x).Span.ToArray());
        Assert.Null(train.RunningMean);
        Assert.Empty(train.Buffers());
    }

    [Fact]
    public void Forward_WrongShape_ThrowsNamingTheExpectedShape()
    {
        var bn = new BatchNorm(4);
        var e = Assert.Throws<ArgumentException>(() => bn.Forward(Tensor.Zeros(3, 5, 2)));
        Assert.Contains("(N, 4)", e.Message);
        Assert.Contains("(3, 5, 2)", e.Message);
        Assert.Throws<ArgumentException>(() => bn.Forward(Tensor.Zeros(12)));
        bn.Forward(Tensor.Zeros(3, 4, 2));
        Assert.Throws<ArgumentException>(() => bn.Backward(Tensor.Zeros(3, 4, 3)));
    }

    [Fact]
    public void Backward_BeforeForward_Throws()
    {
        Assert.Throws<InvalidOperationException>(() => new BatchNorm(2).Backward(Tensor.Zeros(2, 2)));
    }

    [Fact]
    public void Constructor_BadHyperParameters_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new BatchNorm(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BatchNorm(2, new BatchNormOptions(Eps: -1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BatchNorm(2, new BatchNormOptions(Eps: double.NaN)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BatchNorm(2, new BatchNormOptions(Momentum: 1.5)));
    }

    [Fact]
    public void Names_FollowPyTorch()
    {
        var bn = new BatchNorm(3, prefix: "bn");
        Assert.Equal(["bn.weight", "bn.bias"], bn.Parameters().Select(p => p.Name));
        Assert.Equal(["bn.running_mean", "bn.running_var"], bn.Buffers().Select(b => b.Name));
        Assert.All(bn.Weight!.Value.Span.ToArray(), v => Assert.Equal(1f, v));
        Assert.All(bn.RunningVar!.Span.ToArray(), v => Assert.Equal(1f, v));
    }

    [Theory]
    [InlineData("nc")]
    [InlineData("ncl")]
    public void Golden_TrainingRunningStatisticsAndEvaluation_MatchPyTorch(string c)
    {
        var g = new NnGolden("norm/batch_norm.safetensors");
        var bn = new BatchNorm(4);
        g.Load($"{c}.weight", bn.Weight!.Value);
        g.Load($"{c}.bias", bn.Bias!.Value);
        var x = g.T($"{c}.train.x");
        g.Match($"{c}.train.out", bn.Forward(x).Span);
        var dx = g.Backward($"{c}.train", bn.Backward, bn.Parameters());
        g.Match($"{c}.train.grad_x", dx.Span);
        g.Match($"{c}.train.grad_weight", bn.Weight.Grad.Span);
        g.Match($"{c}.train.grad_bias", bn.Bias.Grad.Span);
        bn.Forward(g.T($"{c}.step2.x"));
        bn.Forward(g.T($"{c}.step3.x"));
        g.Match($"{c}.running_mean", bn.RunningMean!.Span);
        g.Match($"{c}.running_var", bn.RunningVar!.Span);
        Assert.Equal(3, bn.NumBatchesTracked);

        bn.Training = false;
        g.Match($"{c}.eval.out", bn.Forward(g.T($"{c}.eval.x")).Span);
        dx = g.Backward($"{c}.eval", bn.Backward, bn.Parameters());
        g.Match($"{c}.eval.grad_x", dx.Span);
        g.Match($"{c}.eval.grad_weight", bn.Weight.Grad.Span);
        g.Match($"{c}.eval.grad_bias", bn.Bias.Grad.Span);
    }

    [Fact]
    public void Golden_CumulativeAverage_MatchesPyTorch()
    {
        var g = new NnGolden("norm/batch_norm.safetensors");
        var bn = new BatchNorm(4, new BatchNormOptions(Momentum: null));
        for (int step = 1; step <= 3; step++) bn.Forward(g.T($"cumulative.step{step}.x"));
        g.Match("cumulative.running_mean", bn.RunningMean!.Span);
        g.Match("cumulative.running_var", bn.RunningVar!.Span);
    }
}
