using Recur.Kernels;
using Recur.Nn.Recurrent;
using Recur.Reproduce.Claims;
using Recur.Tensors;
using Recur.Tests.Support;

namespace Recur.Tests.Nn.Recurrent;

/// <summary>Theory 1.1, the per-step caches, parameter names and initialization, and input validation.</summary>
public class RecurrentLayerTests
{
    [Theory]
    [InlineData(Activation.Tanh)]
    [InlineData(Activation.Relu)]
    [InlineData(Activation.Sigmoid)]
    public void ElmanForms_SameWeightsHundredSteps_AgreeToRoundOff(Activation activation)
    {
        // docs/theory.md 1.1: with g_0 = σ(h_0), g_t = σ(W g_{t−1} + U x_t + b) and
        // h_t = W σ(h_{t−1}) + U x_t + b satisfy g_t = σ(h_t) for every t.
        const int steps = 150;
        var run = RecurrentClaims.RunElmanForms(activation, steps);
        var sigmaH = new float[run.PreActivation.Batch * run.PreActivation.HiddenSize];
        for (int t = 0; t <= steps; t++)
        {
            // The pre-activation layer's cached σ(h_t) is σ applied to its state.
            Activations.Forward(activation, run.PreActivation.Hidden(t), sigmaH);
            Assert.Equal(sigmaH, run.PreActivation.Activated(t).ToArray());
        }
        Assert.True(run.WorstGap <= 1e-6, $"max |g_t − σ(h_t)| = {run.WorstGap}");
        Assert.Contains(run.Standard.Hidden(steps).ToArray(), v => v != 0f);
    }

    [Fact]
    public void LstmCaches_AfterForward_ReproduceTheEquations()
    {
        var stack = new RecurrentStack(new RecurrentOptions(CellKind.Lstm, 3, 4), new Rng(1));
        var rng = new Rng(2);
        var initial = stack.CreateState(2);
        rng.FillUniform(initial.Hidden.Span, -1, 1);
        rng.FillUniform(initial.Cell!.Span, -1, 1);
        stack.Forward(Data.Uniform(rng, 5 * 2 * 3), new float[5 * 2 * 4], 5, 2, initial);
        var layer = (LstmLayer)stack.Layers[0];
        Assert.Equal(initial.Cell.Span.ToArray(), layer.Cell(0).ToArray());
        for (int t = 1; t <= 5; t++)
        {
            var gates = layer.GateValues(t);
            for (int b = 0; b < 2; b++)
                for (int j = 0; j < 4; j++)
                {
                    float i = gates[b * 16 + j], f = gates[b * 16 + 4 + j], g = gates[b * 16 + 8 + j], o = gates[b * 16 + 12 + j];
                    float c = f * layer.Cell(t - 1)[b * 4 + j] + i * g;
                    Assert.Equal(c, layer.Cell(t)[b * 4 + j], 5);
                    Assert.Equal(o * MathF.Tanh(c), layer.Hidden(t)[b * 4 + j], 5);
                }
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => layer.GateValues(0).Length);
        Assert.Throws<ArgumentOutOfRangeException>(() => layer.Cell(6).Length);
    }

    [Fact]
    public void GruCaches_AfterForward_ReproduceTheEquations()
    {
        var stack = new RecurrentStack(new RecurrentOptions(CellKind.Gru, 3, 4), new Rng(1));
        var rng = new Rng(2);
        stack.Forward(Data.Uniform(rng, 4 * 2 * 3), new float[4 * 2 * 4], 4, 2);
        var layer = (GruLayer)stack.Layers[0];
        var whn = layer.WeightHH.Value.Span;
        for (int t = 1; t <= 4; t++)
            for (int b = 0; b < 2; b++)
                for (int j = 0; j < 4; j++)
                {
                    float z = layer.GateValues(t)[b * 12 + 4 + j], n = layer.GateValues(t)[b * 12 + 8 + j];
                    float hPrev = layer.Hidden(t - 1)[b * 4 + j];
                    Assert.Equal((1 - z) * n + z * hPrev, layer.Hidden(t)[b * 4 + j], 5);
                    double p = layer.BiasHH.Value[8 + j];
                    for (int k = 0; k < 4; k++) p += whn[(8 + j) * 4 + k] * layer.Hidden(t - 1)[b * 4 + k];
                    Assert.Equal(p, layer.RecurrentProjection(t)[b * 12 + 8 + j], 5);
                }
    }

    [Theory]
    [InlineData(CellKind.Rnn, 1)]
    [InlineData(CellKind.Lstm, 4)]
    [InlineData(CellKind.Gru, 3)]
    public void Parameters_Created_HavePyTorchNamesShapesKindsAndInit(CellKind cell, int gates)
    {
        const int input = 7, hidden = 16;
        var stack = new RecurrentStack(new RecurrentOptions(cell, input, hidden) { Layers = 2, Prefix = "rnn", LayerNorm = true }, new Rng(3));
        var names = stack.Parameters().Select(p => p.Name).ToList();
        var expected = new List<string>();
        for (int l = 0; l < 2; l++)
        {
            expected.AddRange([$"rnn.weight_ih_l{l}", $"rnn.weight_hh_l{l}", $"rnn.bias_ih_l{l}", $"rnn.bias_hh_l{l}",
                $"rnn.ln_ih_weight_l{l}", $"rnn.ln_ih_bias_l{l}", $"rnn.ln_hh_weight_l{l}", $"rnn.ln_hh_bias_l{l}"]);
            if (cell == CellKind.Lstm) expected.AddRange([$"rnn.ln_cell_weight_l{l}", $"rnn.ln_cell_bias_l{l}"]);
        }
        Assert.Equal(expected, names);
        float k = 1f / MathF.Sqrt(hidden);
        var drawn = new List<float>();
        foreach (var p in stack.Parameters())
        {
            if (p.Name.Contains(".ln_"))
            {
                Assert.Equal(ParameterKind.Normalization, p.Kind);
                Assert.All(p.Value.Span.ToArray(), v => Assert.Equal(p.Name.Contains("_weight_") ? 1f : 0f, v));
                continue;
            }
            Assert.Equal(p.Name.Contains(".weight_") ? ParameterKind.Weight : ParameterKind.Bias, p.Kind);
            Assert.All(p.Value.Span.ToArray(), v => Assert.InRange(v, -k, k));
            drawn.AddRange(p.Value.Span.ToArray());
        }
        // Hundreds of draws from U(−k, k): the extremes come close to ±k and the mean to 0.
        Assert.True(drawn.Max() > 0.95f * k && drawn.Min() < -0.95f * k, "the weights do not fill U(−k, k)");
        Assert.InRange(drawn.Average(), -0.1 * k, 0.1 * k);
        var layer1 = stack.Layers[1];
        Assert.Equal([gates * hidden, hidden], layer1.WeightIH.Shape.ToArray());
        Assert.Equal([gates * hidden, hidden], layer1.WeightHH.Shape.ToArray());
        Assert.Equal([gates * hidden, input], stack.Layers[0].WeightIH.Shape.ToArray());
        Assert.Equal([gates * hidden], layer1.BiasHH.Shape.ToArray());
        Assert.Equal("weight_ih_l0", new RecurrentStack(new RecurrentOptions(cell, 2, 2), new Rng(1)).Parameters().First().Name);
    }

    public static TheoryData<RecurrentOptions> BadOptions() => new()
    {
        new RecurrentOptions(CellKind.Lstm, 0, 4),
        new RecurrentOptions(CellKind.Lstm, 3, 0),
        new RecurrentOptions(CellKind.Lstm, 3, 4) { Layers = 0 },
        new RecurrentOptions(CellKind.Gru, 3, 4) { Dropout = 1f },
        new RecurrentOptions(CellKind.Gru, 3, 4) { Dropout = -0.1f },
        new RecurrentOptions(CellKind.Gru, 3, 4) { Dropout = float.NaN },
        new RecurrentOptions(CellKind.Lstm, 3, 4) { Activation = Activation.Relu },
        new RecurrentOptions(CellKind.Gru, 3, 4) { Form = ElmanForm.PreActivation },
        new RecurrentOptions((CellKind)9, 3, 4),
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void Constructor_BadHyperParameter_Throws(RecurrentOptions options)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RecurrentStack(options, new Rng(1)));
    }

    [Fact]
    public void Forward_BadShapes_ThrowClearErrors()
    {
        var stack = new RecurrentStack(new RecurrentOptions(CellKind.Gru, 3, 4) { Layers = 2 }, new Rng(1));
        var e = Assert.Throws<ArgumentException>(() => stack.Forward(new float[5], new float[2 * 1 * 4], 2, 1));
        Assert.Contains("(T, B, I) needs 6", e.Message);
        Assert.Throws<ArgumentException>(() => stack.Forward(new float[6], new float[7], 2, 1));
        Assert.Throws<ArgumentException>(() => stack.Forward(new float[6], new float[8], 2, 1, stack.CreateState(2)));
        Assert.Throws<ArgumentException>(() => stack.Forward(new float[6], new float[8], 2, 1, new RecurrentState(2, 1, 4, hasCell: true)));
        Assert.Throws<ArgumentOutOfRangeException>(() => stack.Forward([], [], 0, 1));
        Assert.Throws<InvalidOperationException>(() => stack.Backward(new float[8], new float[6]));
        stack.Forward(new float[6], new float[8], 2, 1);
        Assert.Throws<ArgumentException>(() => stack.Backward(new float[7], new float[6]));
        Assert.Throws<ArgumentException>(() => stack.Backward(new float[8], new float[5]));
        var layer = stack.Layers[0];
        Assert.Throws<ArgumentException>(() => layer.Forward(new float[6], new float[8], 2, 1, c0: new float[4]));
        Assert.Throws<ArgumentException>(() => layer.Forward(new float[6], new float[8], 2, 1, h0: new float[3]));
    }
}
