using Recur.Nn.Normalization;
using Recur.Tensors;

namespace Recur.Tests.Nn.Normalization;

public class LayerNormTests
{
    [Theory]
    [InlineData(new[] { 4, 7 }, new[] { 7 }, true)]
    [InlineData(new[] { 2, 3, 5 }, new[] { 3, 5 }, true)]
    [InlineData(new[] { 3, 33 }, new[] { 33 }, false)]
    public void Gradients_MatchFiniteDifferences(int[] dims, int[] normalized, bool training)
    {
        var ln = new LayerNorm(normalized) { Training = training };
        NormData.RandomAffine(ln.Weight, ln.Bias);
        var x = NormData.Normal(1, 2, 1, dims);
        LayerCheck.Gradients(() => ln.Forward(x), ln.Backward, x, ln.Parameters());
    }

    [Fact]
    public void Gradients_WithoutAffine_MatchFiniteDifferences()
    {
        var ln = new LayerNorm(6, new LayerNormOptions(ElementwiseAffine: false));
        Assert.Empty(ln.Parameters());
        var x = NormData.Normal(2, 1, 0, 5, 6);
        LayerCheck.Gradients(() => ln.Forward(x), ln.Backward, x, []);
    }

    [Fact]
    public void Gradients_WithoutBias_MatchFiniteDifferences()
    {
        var ln = new LayerNorm(6, new LayerNormOptions(Bias: false), "ln");
        Assert.Equal(["ln.weight"], ln.Parameters().Select(p => p.Name));
        NormData.RandomAffine(ln.Weight, null);
        var x = NormData.Normal(2, 1, 0, 5, 6);
        LayerCheck.Gradients(() => ln.Forward(x), ln.Backward, x, ln.Parameters());
    }

    [Fact]
    public void Forward_WrongTrailingShape_Throws()
    {
        var ln = new LayerNorm([3, 5]);
        var e = Assert.Throws<ArgumentException>(() => ln.Forward(Tensor.Zeros(2, 5, 3)));
        Assert.Contains("(*, 3, 5)", e.Message);
        Assert.Throws<ArgumentException>(() => ln.Forward(Tensor.Zeros(5)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LayerNorm(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LayerNorm(Array.Empty<int>()));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LayerNorm(3, new LayerNormOptions(Eps: -1e-5)));
    }

    [Theory]
    [InlineData("last", new[] { 5 })]
    [InlineData("last2", new[] { 4, 5 })]
    [InlineData("plain", new[] { 5 })]
    public void Golden_MatchesPyTorch(string c, int[] normalized)
    {
        var g = new NnGolden("norm/layer_norm.safetensors");
        var ln = new LayerNorm(normalized, new LayerNormOptions(ElementwiseAffine: c != "plain"));
        if (ln.Weight is not null)
        {
            g.Load($"{c}.weight", ln.Weight.Value);
            g.Load($"{c}.bias", ln.Bias!.Value);
        }
        g.Match($"{c}.out", ln.Forward(g.T($"{c}.x")).Span);
        var dx = g.Backward(c, ln.Backward, ln.Parameters());
        g.Match($"{c}.grad_x", dx.Span);
        if (ln.Weight is not null)
        {
            g.Match($"{c}.grad_weight", ln.Weight.Grad.Span);
            g.Match($"{c}.grad_bias", ln.Bias!.Grad.Span);
        }
    }
}
