using Recur.Nn;
using Recur.Tensors;

namespace Recur.Tests.Nn;

public class EmbeddingTests
{
    [Fact]
    public void Backward_RepeatedIds_AddEveryGradientToTheirRow()
    {
        var emb = new Embedding(4, 2, new Rng(1));
        var y = emb.Forward([2, 0, 2]);
        Assert.Equal(emb.Weight.Value.Span.Slice(4, 2).ToArray(), y.Span.Slice(0, 2).ToArray());
        emb.Backward(Tensor.FromSpan([1, 2, 3, 4, 10, 20], 3, 2));
        Assert.Equal(new float[] { 3, 4, 0, 0, 11, 22, 0, 0 }, emb.Weight.Grad.Span.ToArray());
    }

    [Fact]
    public void Gradients_MatchFiniteDifferences()
    {
        var emb = new Embedding(6, 3, new Rng(2), "embedding");
        int[] ids = [5, 1, 1, 0, 5, 3];
        LayerCheck.Gradients(() => emb.Forward(ids), dy => { emb.Backward(dy); return null; }, null, emb.Parameters());
        Assert.Equal("embedding.weight", emb.Weight.Name);
    }

    [Fact]
    public void Constructor_InitializesStandardNormal()
    {
        var w = new Embedding(100, 100, new Rng(3)).Weight.Value.Span.ToArray();
        double mean = w.Average(v => (double)v), variance = w.Average(v => ((double)v - mean) * (v - mean));
        Assert.InRange(mean, -0.03, 0.03);
        Assert.InRange(variance, 0.95, 1.05);
    }

    [Fact]
    public void Forward_IdOutOfRange_ThrowsNamingIt()
    {
        var emb = new Embedding(5, 2, new Rng(1));
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => emb.Forward([0, 5]));
        Assert.Contains("id 5 at position 1", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => emb.Forward([-1]));
        Assert.Throws<InvalidOperationException>(() => new Embedding(2, 2, new Rng(1)).Backward(Tensor.Zeros(1, 2)));
    }

    [Fact]
    public void Golden_MatchesPyTorch()
    {
        var g = new NnGolden("layers/embedding.safetensors");
        var emb = new Embedding(7, 5, new Rng(1));
        g.Load("weight", emb.Weight.Value);
        g.Match("out", emb.Forward(g.Ints("ids")).Span);
        emb.Backward(g.T("loss_weight"));
        g.Match("grad_weight", emb.Weight.Grad.Span);
    }
}
