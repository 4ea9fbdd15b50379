using Recur.Diagnostics;
using Recur.LanguageModels.Rnn;
using Recur.Nn.Recurrent;
using Recur.Tensors;
using Recur.Tests.Support;
using Recur.Text;

namespace Recur.Tests.Diagnostics;

/// <summary>‖∂ℓ_T/∂h_t‖ of a language model against central differences of its decoding steps.</summary>
public class GradientsThroughTimeTests
{
    private static readonly Tokenizer Chars = Tokenizer.Build(TokenizerKind.Char, "ab c\n");

    // ℓ_T = −log p(target | inputs) when the top layer starts from h_0 + e_k·delta (c_0 and lower layers at 0).
    private static double LastLoss(RnnLanguageModel model, int[] inputs, int target, int k, float delta)
    {
        var state = model.CreateState(1);
        var recurrent = ((RnnLanguageModelState)state).Recurrent;
        recurrent.HiddenOf(recurrent.Layers - 1)[k] += delta;
        var logProbs = new float[model.Vocabulary.Count];
        foreach (int token in inputs) model.Step(state, [token], logProbs);
        return -logProbs[target];
    }

    [Theory]
    [InlineData(CellKind.Lstm, 1)]
    [InlineData(CellKind.Gru, 2)]
    [InlineData(CellKind.Rnn, 1)]
    public void NormAtTheStart_EqualsTheNormOfCentralDifferences(CellKind cell, int layers)
    {
        const int window = 6, hidden = 5;
        var model = new RnnLanguageModel(Chars, new RnnLanguageModelOptions { Cell = cell, Embedding = 3, Hidden = hidden, Layers = layers }, new Rng(3));
        foreach (var layer in model.Rnn.Layers)
            foreach (ref float w in layer.WeightHH.Value.Span) w *= 4;
        int[] tokens = [4, 1, 0, 2, 3, 1, 1, 2];   // one window of 6 inputs, its target tokens[6]
        var flow = GradientsThroughTime.Measure(model, tokens, window, rows: 1);
        Assert.True(model.Training, "the model's mode is restored");
        Assert.Equal([6, 5, 4, 3, 2, 1, 0], flow.Steps);
        Assert.Equal(layers - 1, flow.Layer);

        model.Training = false;
        int[] inputs = tokens[..window];
        int target = tokens[window];
        AssertClose.Scalar(LastLoss(model, inputs, target, 0, 0), flow.MeanLoss, 1e-5);
        double sum = 0;
        for (int k = 0; k < hidden; k++)
        {
            const float step = 1e-2f;
            double d = (LastLoss(model, inputs, target, k, step) - LastLoss(model, inputs, target, k, -step)) / (2 * step);
            sum += d * d;
        }
        AssertClose.Scalar(Math.Sqrt(sum), flow.MeanNorm[^1], 2e-3, 1e-6, "‖∂ℓ_T/∂h_0‖");
        Assert.Equal(flow.MeanNorm, flow.MinNorm);
        Assert.Equal(flow.MeanNorm, flow.MaxNorm);
        Assert.All(flow.MeanNorm, v => Assert.True(v > 0 && double.IsFinite(v)));
    }

    [Fact]
    public void SeveralRows_MeanLiesBetweenMinAndMax()
    {
        var model = new RnnLanguageModel(Chars, new RnnLanguageModelOptions { Cell = CellKind.Lstm, Embedding = 3, Hidden = 4 }, new Rng(5));
        var rng = new Rng(6);
        var tokens = new int[200];
        for (int i = 0; i < tokens.Length; i++) tokens[i] = rng.NextInt(5);
        var flow = GradientsThroughTime.Measure(model, tokens, window: 10, rows: 4);
        Assert.Equal(11, flow.MeanNorm.Length);
        for (int k = 0; k < 11; k++)
            Assert.InRange(flow.MeanNorm[k], flow.MinNorm[k] * (1 - 1e-12), flow.MaxNorm[k] * (1 + 1e-12));
        Assert.True(flow.MinNorm[0] < flow.MaxNorm[0], "rows differ");
        Assert.Throws<InputException>(() => GradientsThroughTime.Measure(model, tokens[..20], window: 10, rows: 4));
    }
}
