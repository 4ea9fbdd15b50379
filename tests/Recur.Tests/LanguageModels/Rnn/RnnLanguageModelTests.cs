using Recur.Diagnostics;
using Recur.Kernels;
using Recur.LanguageModels.Rnn;
using Recur.Nn.Output;
using Recur.Nn.Recurrent;
using Recur.Tensors;
using Recur.Tests.Support;
using Recur.Text;

namespace Recur.Tests.LanguageModels.Rnn;

public class RnnLanguageModelTests
{
    private static readonly Tokenizer Chars = Tokenizer.Build(TokenizerKind.Char, "ab c\n");

    private static RnnLanguageModel Model(CellKind cell, float dropout = 0f, int layers = 1) =>
        new(Chars, new RnnLanguageModelOptions { Cell = cell, Embedding = 3, Hidden = 4, Layers = layers, Dropout = dropout }, new Rng(3));

    [Theory]
    [InlineData(CellKind.Lstm, 0f, 1)]
    [InlineData(CellKind.Gru, 0.3f, 2)]
    [InlineData(CellKind.Rnn, 0.2f, 1)]
    public void Backward_WholeModel_MatchesFiniteDifferences(CellKind cell, float dropout, int layers)
    {
        var model = Model(cell, dropout, layers);
        var rng = new Rng(9);
        const int t = 6, b = 2;
        int[] inputs = new int[t * b], targets = new int[t * b];
        for (int i = 0; i < inputs.Length; i++) { inputs[i] = rng.NextInt(5); targets[i] = rng.NextInt(5); }
        var initial = model.Rnn.CreateState(b);
        rng.FillUniform(initial.Hidden.Span, -0.5f, 0.5f);
        var masks = model.DropoutRng.GetState();
        // Each evaluation starts from the same state and the same dropout masks.
        double Loss()
        {
            var state = model.Rnn.CreateState(b);
            state.CopyFrom(initial);
            model.DropoutRng = Rng.FromState(masks);
            return model.Forward(inputs, targets, t, b, state);
        }
        var store = new ParameterStore(model.Parameters());
        Loss();
        model.Backward();
        foreach (var p in store.Parameters)
        {
            var grad = p.Grad.Span.ToArray();
            var report = GradientChecker.Check(p.Name, p.Value.Span, grad, Loss, new GradientChecker.Options(Step: 1e-2, MaxCoordinates: 40));
            Assert.True(report.Passed, report.ToString());
            Assert.True(report.Checked >= report.Skipped * 4, report.ToString());
        }
    }

    [Theory]
    [InlineData(CellKind.Lstm, 1, true)]
    [InlineData(CellKind.Gru, 2, true)]
    [InlineData(CellKind.Rnn, 1, true)]
    [InlineData(CellKind.Lstm, 2, false)]
    public void Forward_TokenInput_EqualsEmbeddingLookupUpToRoundOff(CellKind cell, int layers, bool training)
    {
        // 24 positions, 5 tokens: the first layer projects the table's rows, not the looked-up ones.
        const int t = 8, b = 3;
        var rng = new Rng(11);
        int[] inputs = new int[t * b], targets = new int[t * b];
        for (int i = 0; i < inputs.Length; i++) { inputs[i] = rng.NextInt(5); targets[i] = rng.NextInt(5); }
        (double Loss, float[] State, float[][] Grads) Run(bool tokenInput)
        {
            var model = Model(cell, layers: layers);
            model.Training = training;
            model.TokenInput = tokenInput;
            var state = model.Rnn.CreateState(b);
            double loss = model.Forward(inputs, targets, t, b, state);
            model.Backward();
            return (loss, state.Hidden.Span.ToArray(), model.Parameters().Select(p => p.Grad.Span.ToArray()).ToArray());
        }
        var lookup = Run(tokenInput: false);
        var tokens = Run(tokenInput: true);
        // Each gathered projection is the same sum in the same order: the forward pass is bitwise equal.
        Assert.Equal(lookup.Loss, tokens.Loss);
        Assert.Equal(lookup.State, tokens.State);
        for (int i = 0; i < lookup.Grads.Length; i++)
            AssertClose.All(lookup.Grads[i], tokens.Grads[i], 1e-5, 1e-7, $"gradient {i}");
        Assert.Contains(tokens.Grads[0], g => g != 0f);
    }

    [Fact]
    public void Step_OneTokenAtATime_EqualsLogSoftmaxOfTheSequenceForward()
    {
        var model = Model(CellKind.Lstm, layers: 2);
        model.Training = false;
        int[] tokens = [4, 1, 0, 2, 3, 1, 1];
        // Sequence form, batch 1, from a zero state: logits of every position.
        var state = model.Rnn.CreateState(1);
        model.Forward(tokens, tokens, tokens.Length, 1, state);
        var logits = ((SoftmaxOutput)model.Head).Linear.Forward(new Tensor(ForwardHidden(model, tokens), new Shape(tokens.Length, 4))).Span.ToArray();
        var decoding = model.CreateState(1);
        var row = new float[5];
        for (int i = 0; i < tokens.Length; i++)
        {
            model.Step(decoding, [tokens[i]], row);
            var expected = new float[5];
            Softmax.LogForward(logits.AsSpan(i * 5, 5), expected);
            AssertClose.All(expected, row, 1e-5, 1e-6, $"position {i}");
        }
    }

    private static float[] ForwardHidden(RnnLanguageModel model, int[] tokens)
    {
        var x = model.Embedding.Forward(tokens).Span.ToArray();
        var h = new float[tokens.Length * 4];
        model.Rnn.Forward(x, h, tokens.Length, 1);
        return h;
    }

    [Fact]
    public void Gather_ReordersRows_AndPrimerSetsTheStartingState()
    {
        var model = Model(CellKind.Gru);
        model.Training = false;
        var a = model.CreateState(2);
        var dist = new float[10];
        model.Step(a, [0, 3], dist);
        var b = model.CreateState(2);
        model.Gather(a, [1, 1], b);
        var d2 = new float[10];
        model.Step(a, [2, 2], dist);
        model.Step(b, [2, 2], d2);
        Assert.Equal(dist.AsSpan(5, 5).ToArray(), d2.AsSpan(0, 5).ToArray());

        var plain = model.CreateState(1);
        var p0 = new float[5];
        model.Step(plain, [model.BeginToken], p0);
        model.Primer = [0, 1, 2];
        var primed = model.CreateState(1);
        var p1 = new float[5];
        model.Step(primed, [model.BeginToken], p1);
        Assert.NotEqual(p0, p1);
        Assert.Throws<InvalidOperationException>(() => { model.Training = true; model.Step(primed, [0], p1); });
    }

    [Fact]
    public void Parameters_HavePyTorchNamesAndShapes()
    {
        var model = Model(CellKind.Lstm);
        Assert.Equal(["embedding.weight", "rnn.weight_ih_l0", "rnn.weight_hh_l0", "rnn.bias_ih_l0", "rnn.bias_hh_l0", "head.weight", "head.bias"],
            model.Parameters().Select(p => p.Name));
        Assert.Equal(new Shape(16, 3), model.Parameters().ElementAt(1).Shape);
        Assert.Equal(new Shape(5, 4), ((SoftmaxOutput)model.Head).Linear.Weight.Shape);
    }

    [Theory]
    [InlineData(CellKind.Lstm, 1, 1)]
    [InlineData(CellKind.Gru, 2, 2)]
    [InlineData(CellKind.Rnn, 5, 1)]
    public void Step_ThroughTheProjectedTokenTable_GivesTheEmbeddingPathsLogProbabilities(CellKind cell, int batch, int layers)
    {
        // Step reads the first layer's input projection as a row of b + E·W_ihᵀ, kept across
        // steps; the reference copies the embedding rows and projects them, as before.
        var model = Model(cell, layers: layers);
        model.Training = false;
        var state = model.CreateState(batch);
        var reference = model.Rnn.CreateState(batch);
        int v = model.Vocabulary.Count, e = model.Options.Embedding, h = model.Options.Hidden;
        var actual = new float[batch * v];
        var expected = new float[batch * v];
        var x = new float[batch * e];
        var hidden = new float[batch * h];
        var rng = new Rng(4);
        for (int step = 0; step < 40; step++)
        {
            // Halfway, the weights change and the mode flips: the kept table must follow.
            if (step == 20)
            {
                rng.FillUniform(model.Embedding.Weight.Value.Span, -1f, 1f);
                model.Training = true;
                model.Training = false;
            }
            var tokens = new int[batch];
            for (int r = 0; r < batch; r++) tokens[r] = rng.NextInt(v);
            model.Step(state, tokens, actual);
            for (int r = 0; r < batch; r++) model.Embedding.Weight.Value.Span.Slice(tokens[r] * e, e).CopyTo(x.AsSpan(r * e, e));
            model.Rnn.Step(x, hidden, reference);
            model.Head.LogProbabilities(hidden, expected, batch);
            AssertClose.All(expected, actual, rtol: 1e-5, atol: 1e-6);
        }
    }
}
