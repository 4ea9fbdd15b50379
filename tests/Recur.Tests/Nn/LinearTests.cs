using Recur.Nn;
using Recur.Tensors;

namespace Recur.Tests.Nn;

public class LinearTests
{
    [Theory]
    [InlineData(new[] { 4, 5 }, true)]
    [InlineData(new[] { 2, 3, 5 }, true)]
    [InlineData(new[] { 5 }, false)]
    public void Gradients_MatchFiniteDifferences(int[] dims, bool bias)
    {
        var layer = new Linear(5, 3, new Rng(1), bias);
        var x = Tensor.Zeros(dims);
        new Rng(2).FillNormal(x.Span, 0, 1);
        LayerCheck.Gradients(() => layer.Forward(x), layer.Backward, x, layer.Parameters());
    }

    [Fact]
    public void Constructor_InitializesUniformWithinOneOverRootIn()
    {
        var layer = new Linear(64, 200, new Rng(3), prefix: "head");
        float bound = 1 / 8f;
        var w = layer.Weight.Value.Span.ToArray();
        Assert.All(w, v => Assert.InRange(v, -bound, bound));
        Assert.All(layer.Bias!.Value.Span.ToArray(), v => Assert.InRange(v, -bound, bound));
        // U(−a, a) has variance a²/3; 12,800 draws estimate it within a few percent.
        double variance = w.Select(v => (double)v * v).Average();
        Assert.InRange(variance, 0.95 * bound * bound / 3, 1.05 * bound * bound / 3);
        Assert.Equal(["head.weight", "head.bias"], layer.Parameters().Select(p => p.Name));
        Assert.Equal(new Shape(200, 64), layer.Weight.Shape);
    }

    [Fact]
    public void Forward_WrongShape_Throws()
    {
        var layer = new Linear(5, 3, new Rng(1));
        var e = Assert.Throws<ArgumentException>(() => layer.Forward(Tensor.Zeros(4, 6)));
        Assert.Contains("(*, 5)", e.Message);
        layer.Forward(Tensor.Zeros(4, 5));
        Assert.Throws<ArgumentException>(() => layer.Backward(Tensor.Zeros(4, 4)));
        Assert.Throws<InvalidOperationException>(() => new Linear(2, 2, new Rng(1)).Backward(Tensor.Zeros(1, 2)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Linear(0, 2, new Rng(1)));
    }

    [Fact]
    public void Golden_MatchesPyTorch()
    {
        var g = new NnGolden("layers/linear.safetensors");
        var layer = new Linear(5, 4, new Rng(1));
        g.Load("weight", layer.Weight.Value);
        g.Load("bias", layer.Bias!.Value);
        var y = layer.Forward(g.T("x"));
        Assert.Equal(new Shape(2, 3, 4), y.Shape);
        g.Match("out", y.Span);
        foreach (var p in layer.Parameters()) p.Grad.Clear();
        var dx = layer.Backward(g.T("loss_weight"));
        g.Match("grad_x", dx.Span);
        g.Match("grad_weight", layer.Weight.Grad.Span);
        g.Match("grad_bias", layer.Bias.Grad.Span);
    }
}
