using Recur.Nn.Normalization;
using Recur.Tensors;
using Recur.Tests.Support;

namespace Recur.Tests.Nn.Normalization;

public class RmsNormTests
{
    [Theory]
    [InlineData(new[] { 4, 7 }, new[] { 7 })]
    [InlineData(new[] { 2, 3, 20 }, new[] { 3, 20 })]
    public void Gradients_MatchFiniteDifferences(int[] dims, int[] normalized)
    {
        foreach (bool training in new[] { true, false })
        {
            var rms = new RmsNorm(normalized) { Training = training };
            NormData.RandomAffine(rms.Weight, null);
            var x = NormData.Normal(1, 2, 0.5f, dims);
            LayerCheck.Gradients(() => rms.Forward(x), rms.Backward, x, rms.Parameters());
        }
    }

    [Fact]
    public void Forward_Row_IsXOverRootMeanSquare()
    {
        // x = (3, 4): mean square 12.5; y = x/√(12.5 + ε)·γ.
        var rms = new RmsNorm(2, new RmsNormOptions(Eps: 0), "norm");
        rms.Weight!.Value.Span[1] = 2f;
        var y = rms.Forward(Tensor.FromSpan([3f, 4f], 1, 2));
        AssertClose.Scalar(12.5, rms.MeanSquare[0], 1e-12);
        AssertClose.All([(float)(3 / Math.Sqrt(12.5)), (float)(8 / Math.Sqrt(12.5))], y.Span, 1e-6);
        Assert.Equal(["norm.weight"], rms.Parameters().Select(p => p.Name));
        Assert.Equal(1e-5, new RmsNormOptions().Eps);
    }

    [Fact]
    public void Forward_WrongShape_Throws()
    {
        Assert.Throws<ArgumentException>(() => new RmsNorm(4).Forward(Tensor.Zeros(4, 3)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new RmsNorm(-1));
    }

    [Fact]
    public void Golden_MatchesPyTorch()
    {
        var g = new NnGolden("norm/rms_norm.safetensors");
        var rms = new RmsNorm(8);
        g.Load("affine.weight", rms.Weight!.Value);
        g.Match("affine.out", rms.Forward(g.T("affine.x")).Span);
        var dx = g.Backward("affine", rms.Backward, rms.Parameters());
        g.Match("affine.grad_x", dx.Span);
        g.Match("affine.grad_weight", rms.Weight.Grad.Span);
    }
}
