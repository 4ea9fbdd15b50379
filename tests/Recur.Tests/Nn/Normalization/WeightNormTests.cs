using Recur.Nn;
using Recur.Nn.Normalization;
using Recur.Tensors;
using Recur.Tests.Support;

namespace Recur.Tests.Nn.Normalization;

public class WeightNormTests
{
    private static WeightNormalized<Linear> Layer(int input = 5, int output = 3, ulong seed = 1)
    {
        var layer = new WeightNormalized<Linear>(new Linear(input, output, new Rng(seed), prefix: "fc"));
        new Rng(seed + 1).FillUniform(layer.Norms[0].G.Value.Span, 0.5f, 2f);
        return layer;
    }

    [Fact]
    public void Parameters_AreTheInnerOnesWithTheWeightReplacedByGAndV()
    {
        var layer = Layer();
        Assert.Equal(["fc.weight_g", "fc.weight_v", "fc.bias"], layer.Parameters().Select(p => p.Name));
        Assert.Equal(new Shape(3, 1), layer.Norms[0].G.Shape);
        Assert.Equal(new Shape(3, 5), layer.Norms[0].V.Shape);
        Assert.Equal(ParameterKind.Normalization, layer.Norms[0].G.Kind);
        Assert.Equal(ParameterKind.Weight, layer.Norms[0].V.Kind);
        Assert.Same(layer.Norms[0], layer.Norm("weight"));
        Assert.Same(layer.Norms[0], layer.Norm("fc.weight"));
        // A parameter store packs exactly these, and the layer still trains through it.
        var store = new ParameterStore(layer.Parameters());
        Assert.Equal(3 + 15 + 3, store.Count);
    }

    [Fact]
    public void Constructor_KeepsTheFunction_GIsTheRowNorm()
    {
        var linear = new Linear(4, 2, new Rng(3));
        var before = linear.Weight.Value.Span.ToArray();
        var layer = new WeightNormalized<Linear>(linear);
        AssertClose.All(before, linear.Weight.Value.Span, 1e-6, 1e-7);
        for (int o = 0; o < 2; o++)
        {
            double norm = Math.Sqrt(before.Skip(o * 4).Take(4).Sum(v => (double)v * v));
            AssertClose.Scalar(norm, layer.Norms[0].G.Value[o], 1e-6);
        }
    }

    [Fact]
    public void Constructor_UnknownOrAmbiguousWeight_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() => new WeightNormalized<Linear>(new Linear(2, 2, new Rng(1)), "weight_hh"));
        Assert.Contains("choose one of weight, bias", e.Message);
        Assert.Throws<ArgumentException>(() => new WeightNormalized<Linear>(new Linear(2, 2, new Rng(1)), "weight", "weight"));
        Assert.Throws<KeyNotFoundException>(() => Layer().Norm("bias"));
    }

    [Fact]
    public void Gradients_OfGVBiasAndInput_MatchFiniteDifferences()
    {
        var layer = Layer();
        var x = Tensor.Zeros(4, 5);
        new Rng(9).FillNormal(x.Span, 0, 1);
        LayerCheck.Gradients(() => layer.Forward(m => m.Forward(x)), dy => layer.Backward(m => m.Backward(dy)), x, layer.Parameters());
        Assert.All(layer.Inner.Weight.Grad.Span.ToArray(), g => Assert.Equal(0f, g));
    }

    [Fact]
    public void Backward_CalledPerStep_AddsUpToOneCall()
    {
        // Moving gradients after each of two backward passes equals moving their sum once.
        var a = Layer();
        var b = Layer();
        var x = Tensor.FromSpan(Data.Uniform(new Rng(4), 10), 2, 5);
        var dy1 = Tensor.FromSpan(Data.Uniform(new Rng(5), 6), 2, 3);
        var dy2 = Tensor.FromSpan(Data.Uniform(new Rng(6), 6), 2, 3);
        a.Forward(m => m.Forward(x));
        a.Backward(m => m.Backward(dy1));
        a.Backward(m => m.Backward(dy2));
        b.Forward(m => m.Forward(x));
        b.Inner.Backward(dy1);
        b.Inner.Backward(dy2);
        b.MoveGradients();
        AssertClose.All(b.Norms[0].V.Grad.Span, a.Norms[0].V.Grad.Span, 1e-5, 1e-7);
        AssertClose.All(b.Norms[0].G.Grad.Span, a.Norms[0].G.Grad.Span, 1e-5, 1e-7);
    }

    [Fact]
    public void InitializeFromData_GivesZeroMeanUnitVariancePreactivations()
    {
        foreach (var resample in new Rng?[] { null, new Rng(11) })
        {
            var layer = Layer(6, 4);
            var batch = Tensor.Zeros(32, 6);
            new Rng(12).FillNormal(batch.Span, 2, 3);
            layer.InitializeFromData(batch, resample);
            var y = layer.Forward(m => m.Forward(batch)).Span;
            for (int o = 0; o < 4; o++)
            {
                double mean = 0, squares = 0;
                for (int i = 0; i < 32; i++) mean += y[i * 4 + o] / 32.0;
                for (int i = 0; i < 32; i++) squares += (y[i * 4 + o] - mean) * (y[i * 4 + o] - mean) / 32;
                Assert.InRange(mean, -1e-5, 1e-5);
                AssertClose.Scalar(1, squares, 1e-5);
            }
        }
    }

    [Fact]
    public void InitializeFromData_ConstantPreactivation_Throws()
    {
        var layer = Layer();
        var e = Assert.Throws<InvalidOperationException>(() => layer.InitializeFromData(Tensor.Zeros(4, 5)));
        Assert.Contains("varied inputs", e.Message);
    }

    [Fact]
    public void WeightNorm_OfAThreeDimensionalWeight_NormalizesEachOutputSlice()
    {
        var w = new Parameter("conv.weight", new Shape(3, 4, 2), ParameterKind.Weight);
        new Rng(2).FillNormal(w.Value.Span, 0, 1);
        var norm = new WeightNorm(w);
        Assert.Equal(new Shape(3, 1, 1), norm.G.Shape);
        Assert.Equal("conv.weight_g", norm.G.Name);
        norm.G.Value.Span.Fill(2f);
        norm.Recompute();
        for (int o = 0; o < 3; o++) AssertClose.Scalar(2, Math.Sqrt(w.Value.Span.Slice(o * 8, 8).ToArray().Sum(v => (double)v * v)), 1e-6);
    }

    [Fact]
    public void Golden_MatchesTorchWeightNorm()
    {
        var g = new NnGolden("norm/weight_norm.safetensors");
        var layer = new WeightNormalized<Linear>(new Linear(5, 3, new Rng(1)));
        var norm = layer.Norms[0];
        g.Load("linear.weight_g", norm.G.Value);
        g.Load("linear.weight_v", norm.V.Value);
        g.Load("linear.bias", layer.Inner.Bias!.Value);
        g.Match("linear.out", layer.Forward(m => m.Forward(g.T("linear.x"))).Span);
        g.Match("linear.weight", layer.Inner.Weight.Value.Span);
        var dx = g.Backward("linear", dy => layer.Backward(m => m.Backward(dy)), layer.Parameters());
        g.Match("linear.grad_x", dx.Span);
        g.Match("linear.grad_weight_g", norm.G.Grad.Span);
        g.Match("linear.grad_weight_v", norm.V.Grad.Span);
        g.Match("linear.grad_bias", layer.Inner.Bias.Grad.Span);
    }
}
