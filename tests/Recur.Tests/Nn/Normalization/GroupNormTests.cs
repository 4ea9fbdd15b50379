using Recur.Nn.Normalization;
using Recur.Tensors;

namespace Recur.Tests.Nn.Normalization;

public class GroupNormTests
{
    [Theory]
    [InlineData(2, new[] { 3, 6, 5 }, true)]
    [InlineData(3, new[] { 2, 6, 17 }, true)]
    [InlineData(1, new[] { 2, 4, 3 }, false)]
    [InlineData(4, new[] { 2, 4, 3 }, true)]
    [InlineData(2, new[] { 5, 8 }, true)]
    [InlineData(2, new[] { 2, 4, 2, 3 }, true)]
    public void Gradients_MatchFiniteDifferences(int groups, int[] dims, bool affine)
    {
        foreach (bool training in new[] { true, false })
        {
            var gn = new GroupNorm(groups, dims[1], new GroupNormOptions(Affine: affine)) { Training = training };
            NormData.RandomAffine(gn.Weight, gn.Bias);
            var x = NormData.Normal(1, 2, 1, dims);
            LayerCheck.Gradients(() => gn.Forward(x), gn.Backward, x, gn.Parameters());
        }
    }

    [Fact]
    public void Constructor_GroupsNotDividingChannels_Throws()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new GroupNorm(4, 6));
        Assert.Contains("divisible", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new GroupNorm(0, 6));
        Assert.Throws<ArgumentException>(() => new GroupNorm(2, 6).Forward(Tensor.Zeros(2, 4, 3)));
        Assert.Throws<ArgumentException>(() => new GroupNorm(2, 6).Forward(Tensor.Zeros(6)));
    }

    [Theory]
    [InlineData("affine", 2, 6)]
    [InlineData("plain", 3, 6)]
    public void Golden_MatchesPyTorch(string c, int groups, int channels)
    {
        var g = new NnGolden("norm/group_norm.safetensors");
        var gn = new GroupNorm(groups, channels, new GroupNormOptions(Affine: c == "affine"));
        if (gn.Weight is not null)
        {
            g.Load($"{c}.weight", gn.Weight.Value);
            g.Load($"{c}.bias", gn.Bias!.Value);
        }
        g.Match($"{c}.out", gn.Forward(g.T($"{c}.x")).Span);
        var dx = g.Backward(c, gn.Backward, gn.Parameters());
        g.Match($"{c}.grad_x", dx.Span);
        if (gn.Weight is not null)
        {
            g.Match($"{c}.grad_weight", gn.Weight.Grad.Span);
            g.Match($"{c}.grad_bias", gn.Bias!.Grad.Span);
        }
    }
}
