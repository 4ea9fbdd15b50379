using Recur.Nn.Normalization;
using Recur.Tensors;

namespace Recur.Tests.Nn.Normalization;

public class InstanceNormTests
{
    [Theory]
    [InlineData(new[] { 3, 4, 5 }, false, false)]
    [InlineData(new[] { 2, 3, 19 }, true, false)]
    [InlineData(new[] { 3, 6 }, true, false)]
    [InlineData(new[] { 3, 4, 5 }, true, true)]
    public void Gradients_TrainingAndEvaluation_MatchFiniteDifferences(int[] dims, bool affine, bool track)
    {
        int c = dims[^2];
        foreach (bool training in new[] { true, false })
        {
            var inorm = new InstanceNorm(c, new InstanceNormOptions(Affine: affine, TrackRunningStats: track)) { Training = training };
            NormData.RandomAffine(inorm.Weight, inorm.Bias);
            if (track)
            {
                new Rng(4).FillUniform(inorm.RunningMean!.Span, -1, 1);
                new Rng(5).FillUniform(inorm.RunningVar!.Span, 0.5f, 2);
            }
            var x = NormData.Normal(1, 2, 1, dims);
            LayerCheck.Gradients(() => inorm.Forward(x), inorm.Backward, x, inorm.Parameters());
        }
    }

    [Fact]
    public void Defaults_AreNoAffineAndNoRunningStatistics()
    {
        var inorm = new InstanceNorm(4);
        Assert.Empty(inorm.Parameters());
        Assert.Null(inorm.RunningMean);
        Assert.Equal(new InstanceNormOptions(1e-5, 0.1, false, false), inorm.Options);
    }

    [Fact]
    public void Forward_OneSpatialElement_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => new InstanceNorm(3).Forward(Tensor.Zeros(2, 3, 1)));
        Assert.Contains("more than 1 spatial element", e.Message);
        Assert.Throws<ArgumentException>(() => new InstanceNorm(3).Forward(Tensor.Zeros(2, 4, 5)));
        Assert.Throws<ArgumentException>(() => new InstanceNorm(3).Forward(Tensor.Zeros(3)));
    }

    [Theory]
    [InlineData("plain")]
    [InlineData("affine")]
    public void Golden_MatchesPyTorch(string c)
    {
        var g = new NnGolden("norm/instance_norm.safetensors");
        var inorm = new InstanceNorm(4, new InstanceNormOptions(Affine: c == "affine"));
        if (inorm.Weight is not null)
        {
            g.Load($"{c}.weight", inorm.Weight.Value);
            g.Load($"{c}.bias", inorm.Bias!.Value);
        }
        g.Match($"{c}.out", inorm.Forward(g.T($"{c}.x")).Span);
        var dx = g.Backward(c, inorm.Backward, inorm.Parameters());
        g.Match($"{c}.grad_x", dx.Span);
        if (inorm.Weight is not null)
        {
            g.Match($"{c}.grad_weight", inorm.Weight.Grad.Span);
            g.Match($"{c}.grad_bias", inorm.Bias!.Grad.Span);
        }
    }

    [Fact]
    public void Golden_RunningStatistics_MatchPyTorch()
    {
        var g = new NnGolden("norm/instance_norm.safetensors");
        var inorm = new InstanceNorm(4, new InstanceNormOptions(Affine: true, TrackRunningStats: true));
        g.Load("tracked.weight", inorm.Weight!.Value);
        g.Load("tracked.bias", inorm.Bias!.Value);
        g.Match("tracked.train.out", inorm.Forward(g.T("tracked.train.x")).Span);
        var dx = g.Backward("tracked.train", inorm.Backward, inorm.Parameters());
        g.Match("tracked.train.grad_x", dx.Span);
        g.Match("tracked.train.grad_weight", inorm.Weight.Grad.Span);
        inorm.Forward(g.T("tracked.step2.x"));
        g.Match("tracked.running_mean", inorm.RunningMean!.Span);
        g.Match("tracked.running_var", inorm.RunningVar!.Span);
        inorm.Training = false;
        g.Match("tracked.eval.out", inorm.Forward(g.T("tracked.eval.x")).Span);
        dx = g.Backward("tracked.eval", inorm.Backward, inorm.Parameters());
        g.Match("tracked.eval.grad_x", dx.Span);
        g.Match("tracked.eval.grad_weight", inorm.Weight.Grad.Span);
        g.Match("tracked.eval.grad_bias", inorm.Bias.Grad.Span);
    }
}
