using Recur.Diagnostics;
using Recur.Nn.Output;
using Recur.Tensors;
using Recur.Tests.Support;

namespace Recur.Tests.Nn.Output;

/// <summary>
/// The adaptive softmax against central differences, against its own full log-probability rows,
/// and against PyTorch's nn.AdaptiveLogSoftmaxWithLoss (tools/golden/layers.py): H = 6,
/// V = 11, cutoffs [3, 7], div_value 2, targets in the shortlist and in both clusters.
/// </summary>
public class AdaptiveSoftmaxTests
{
    private static readonly int[] Targets = [0, 4, 10, 2, 7, 3, 1, 9, 6];

    private static (AdaptiveSoftmax Layer, Tensor Input) Example(bool headBias, ulong seed = 3)
    {
        var layer = new AdaptiveSoftmax(6, 11, [3, 7], new Rng(seed), divValue: 2, headBias: headBias, prefix: "");
        var x = Tensor.Zeros(Targets.Length, 6);
        new Rng(seed + 1).FillNormal(x.Span, 0, 1);
        return (layer, x);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Gradients_MatchCentralDifferences(bool headBias)
    {
        var (layer, x) = Example(headBias);
        foreach (var p in layer.Parameters()) p.Grad.Clear();
        layer.Forward(x, Targets);
        var dx = layer.Backward().Span.ToArray();
        var grads = layer.Parameters().Select(p => p.Grad.Span.ToArray()).ToList();
        double Loss() => layer.Forward(x, Targets);
        var options = new GradientChecker.Options(Step: 1e-2, RelativeTolerance: 1e-2, AbsoluteTolerance: 1e-4);
        Assert.True(GradientChecker.Check("input", x.Span, dx, Loss, options).Passed);
        int i = 0;
        foreach (var p in layer.Parameters())
        {
            var report = GradientChecker.Check(p.Name, p.Value.Span, grads[i++], Loss, options);
            Assert.True(report.Passed, report.ToString());
        }
        Assert.Equal(headBias ? 6 : 5, i);
    }

    [Fact]
    public void LogProbabilities_RowsAreNormalized_AndHoldTheTargets()
    {
        var (layer, x) = Example(headBias: true);
        var rows = new float[Targets.Length * 11];
        layer.LogProbabilities(x.Span, rows, Targets.Length);
        var picked = new float[Targets.Length];
        layer.TargetLogProbabilities(x.Span, Targets, picked);
        double loss = layer.Forward(x, Targets);
        for (int r = 0; r < Targets.Length; r++)
        {
            double sum = rows.AsSpan(r * 11, 11).ToArray().Sum(v => Math.Exp(v));
            Assert.Equal(1.0, sum, 5);
            Assert.Equal(rows[r * 11 + Targets[r]], picked[r], 5);
        }
        Assert.Equal(-picked.Average(v => (double)v), loss, 5);
    }

    [Theory]
    [InlineData("adaptive_softmax", false)]
    [InlineData("adaptive_softmax_bias", true)]
    public void Golden_MatchesPyTorch(string file, bool headBias)
    {
        var g = new NnGolden($"layers/{file}.safetensors");
        var (layer, _) = Example(headBias);
        foreach (var p in layer.Parameters()) g.Load(p.Name, p.Value);
        var x = g.T("x");
        int[] targets = g.Ints("targets");
        foreach (var p in layer.Parameters()) p.Grad.Clear();
        double loss = layer.Forward(x, targets);
        var dx = layer.Backward();
        g.Match("loss", [(float)loss]);
        g.Match("grad_x", dx.Span);
        foreach (var p in layer.Parameters()) g.Match("grad_" + p.Name, p.Grad.Span);
        var output = new float[targets.Length];
        layer.TargetLogProbabilities(x.Span, targets, output);
        g.Match("output", output);
        var rows = new float[targets.Length * 11];
        layer.LogProbabilities(x.Span, rows, targets.Length);
        g.Match("log_prob", rows);
    }

    [Theory]
    [InlineData(new[] { 7, 3 }, "increase strictly")]
    [InlineData(new[] { 3, 3 }, "increase strictly")]
    [InlineData(new[] { 0, 5 }, "outside [1, 10]")]
    [InlineData(new[] { 3, 11 }, "outside [1, 10]")]
    [InlineData(new int[0], "at least one cutoff")]
    public void BadCutoffs_AreRefused(int[] cutoffs, string why)
    {
        var e = Assert.ThrowsAny<ArgumentException>(() => new AdaptiveSoftmax(6, 11, cutoffs, new Rng(1)));
        Assert.Contains(why, e.Message);
    }

    [Fact]
    public void Names_FollowPyTorch()
    {
        var layer = new AdaptiveSoftmax(8, 20, [4, 10], new Rng(1), divValue: 2);
        Assert.Equal(["head.head.weight", "head.tail.0.0.weight", "head.tail.0.1.weight", "head.tail.1.0.weight", "head.tail.1.1.weight"],
            layer.Parameters().Select(p => p.Name));
        Assert.Equal(new Shape(6, 8), layer.Parameters().First().Shape);          // shortlist 4 + 2 clusters
        Assert.Equal(new Shape(4, 8), layer.Parameters().ElementAt(1).Shape);     // ⌊8 / 2⌋
        Assert.Equal(new Shape(6, 4), layer.Parameters().ElementAt(2).Shape);     // tokens [4, 10)
        Assert.Equal(new Shape(2, 8), layer.Parameters().ElementAt(3).Shape);     // ⌊8 / 4⌋
        Assert.Equal(new Shape(10, 2), layer.Parameters().ElementAt(4).Shape);    // tokens [10, 20)
    }
}
