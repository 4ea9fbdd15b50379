using Recur.Nn.Recurrent;
using Recur.Tensors;
using Recur.Tests.Support;

namespace Recur.Tests.Nn.Recurrent;

/// <summary>The sequence form against the single-step form and truncated BPTT, and the state plumbing.</summary>
public class RecurrentStackTests
{
    public static TheoryData<CellKind, bool> CellsWithNorm() => new()
    {
        { CellKind.Rnn, false }, { CellKind.Rnn, true }, { CellKind.Lstm, false }, { CellKind.Lstm, true }, { CellKind.Gru, false }, { CellKind.Gru, true },
    };

    private static RecurrentStack Stack(CellKind cell, bool layerNorm, ulong seed = 3, int layers = 2, ElmanForm form = ElmanForm.Standard) =>
        new(new RecurrentOptions(cell, 3, 5) { Layers = layers, LayerNorm = layerNorm, Dropout = 0.4f, Form = form }, new Rng(seed)) { Training = false };

    private static RecurrentState RandomState(RecurrentStack stack, int batch, Rng rng)
    {
        var s = stack.CreateState(batch);
        rng.FillUniform(s.Hidden.Span, -1, 1);
        if (s.Cell is not null) rng.FillUniform(s.Cell.Span, -1, 1);
        return s;
    }

    [Theory]
    [MemberData(nameof(CellsWithNorm))]
    public void Step_RepeatedOverASequence_EqualsForward(CellKind cell, bool layerNorm)
    {
        const int steps = 7, batch = 3;
        var stack = Stack(cell, layerNorm, form: cell == CellKind.Rnn && layerNorm ? ElmanForm.PreActivation : ElmanForm.Standard);
        var rng = new Rng(5);
        float[] x = Data.Uniform(rng, steps * batch * 3);
        var initial = RandomState(stack, batch, rng);
        var final = stack.CreateState(batch);
        var whole = new float[steps * batch * 5];
        stack.Forward(x, whole, steps, batch, initial, final);

        var state = stack.CreateState(batch);
        state.CopyFrom(initial);
        var stepOut = new float[batch * 5];
        for (int t = 0; t < steps; t++)
        {
            stack.Step(x.AsSpan(t * batch * 3, batch * 3), stepOut, state);
            AssertClose.All(whole.AsSpan(t * batch * 5, batch * 5), stepOut, 1e-6, 1e-7, $"output at step {t}");
        }
        AssertClose.All(final.Hidden.Span, state.Hidden.Span, 1e-6, 1e-7, "final h");
        if (final.Cell is not null) AssertClose.All(final.Cell.Span, state.Cell!.Span, 1e-6, 1e-7, "final c");
    }

    [Theory]
    [MemberData(nameof(CellsWithNorm))]
    public void Forward_TwoHalvesWithCarriedState_EqualsWholeSequence(CellKind cell, bool layerNorm)
    {
        const int steps = 12, batch = 2, half = steps / 2;
        var stack = Stack(cell, layerNorm);
        var rng = new Rng(9);
        float[] x = Data.Uniform(rng, steps * batch * 3);
        var initial = RandomState(stack, batch, rng);
        var final = stack.CreateState(batch);
        var whole = new float[steps * batch * 5];
        stack.Forward(x, whole, steps, batch, initial, final);

        // Truncated BPTT's forward: the same state object carries h_T (and c_T) into the next batch.
        var carried = stack.CreateState(batch);
        carried.CopyFrom(initial);
        var halves = new float[steps * batch * 5];
        stack.Forward(x.AsSpan(0, half * batch * 3), halves.AsSpan(0, half * batch * 5), half, batch, carried, carried);
        stack.Forward(x.AsSpan(half * batch * 3), halves.AsSpan(half * batch * 5), half, batch, carried, carried);
        AssertClose.All(whole, halves, 1e-6, 1e-7, "outputs");
        AssertClose.All(final.Hidden.Span, carried.Hidden.Span, 1e-6, 1e-7, "final h");
        if (final.Cell is not null) AssertClose.All(final.Cell.Span, carried.Cell!.Span, 1e-6, 1e-7, "final c");
    }

    [Theory]
    [MemberData(nameof(CellsWithNorm))]
    public void ForwardBackward_SixRows_EqualEachRowAlone(CellKind cell, bool layerNorm)
    {
        // Above four rows the per-step products multiply by a transposed copy of W_hh; one row
        // takes Gemm's dot-product path. Rows are independent, so both must agree.
        const int steps = 5, batch = 6, input = 3, hidden = 5;
        var stack = Stack(cell, layerNorm, form: cell == CellKind.Rnn ? ElmanForm.PreActivation : ElmanForm.Standard);
        var rng = new Rng(14);
        float[] x = Data.Uniform(rng, steps * batch * input), dOut = Data.Uniform(rng, steps * batch * hidden);
        var initial = RandomState(stack, batch, rng);
        var output = new float[steps * batch * hidden];
        var dx = new float[x.Length];
        var dInitial = stack.CreateState(batch);
        stack.Forward(x, output, steps, batch, initial);
        stack.Backward(dOut, dx, null, dInitial);
        var together = stack.Parameters().Select(p => p.Grad.Span.ToArray()).ToList();

        foreach (var p in stack.Parameters()) p.Grad.Clear();
        for (int b = 0; b < batch; b++)
        {
            float[] xb = Rows(x, steps, batch, input, b), dOutB = Rows(dOut, steps, batch, hidden, b);
            var initialB = stack.CreateState(1);
            initialB.CopyRowsFrom(initial, [b]);
            var outB = new float[steps * hidden];
            var dxB = new float[steps * input];
            var dInitialB = stack.CreateState(1);
            stack.Forward(xb, outB, steps, 1, initialB);
            stack.Backward(dOutB, dxB, null, dInitialB);
            AssertClose.All(Rows(output, steps, batch, hidden, b), outB, 1e-5, 1e-6, $"output row {b}");
            AssertClose.All(Rows(dx, steps, batch, input, b), dxB, 1e-5, 1e-6, $"dx row {b}");
            for (int l = 0; l < 2; l++)
                AssertClose.All(dInitial.HiddenOf(l).Slice(b * hidden, hidden), dInitialB.HiddenOf(l), 1e-5, 1e-6, $"dh0 row {b}");
        }
        int i = 0;
        foreach (var p in stack.Parameters()) AssertClose.All(together[i++], p.Grad.Span, 1e-4, 1e-5, p.Name);
    }

    /// <summary>Row b of every step of a (T, B, F) sequence, as (T, 1, F).</summary>
    private static float[] Rows(float[] sequence, int steps, int batch, int features, int b)
    {
        var r = new float[steps * features];
        for (int t = 0; t < steps; t++) sequence.AsSpan((t * batch + b) * features, features).CopyTo(r.AsSpan(t * features));
        return r;
    }

    [Fact]
    public void Forward_NoInitialState_EqualsZeroState()
    {
        var stack = Stack(CellKind.Lstm, false);
        var rng = new Rng(2);
        float[] x = Data.Uniform(rng, 4 * 2 * 3);
        var a = new float[4 * 2 * 5];
        var b = new float[4 * 2 * 5];
        stack.Forward(x, a, 4, 2);
        stack.Forward(x, b, 4, 2, stack.CreateState(2));
        Assert.Equal(a, b);
    }

    [Fact]
    public void Dropout_TrainingWithSeed_IsRepeatableAndBetweenLayersOnly()
    {
        var stack = Stack(CellKind.Gru, false);
        stack.Training = true;
        var rng = new Rng(4);
        float[] x = Data.Uniform(rng, 6 * 2 * 3);
        var first = new float[6 * 2 * 5];
        var second = new float[6 * 2 * 5];
        var eval = new float[6 * 2 * 5];
        stack.DropoutRng = new Rng(77);
        stack.Forward(x, first, 6, 2);
        stack.DropoutRng = new Rng(77);
        stack.Forward(x, second, 6, 2);
        Assert.Equal(first, second);
        stack.Training = false;
        stack.Forward(x, eval, 6, 2);
        Assert.NotEqual(first, eval);

        // One layer: nothing follows it, so dropout never applies (as PyTorch).
        var single = Stack(CellKind.Gru, false, layers: 1);
        var train = new float[6 * 2 * 5];
        var test = new float[6 * 2 * 5];
        single.Training = true;
        single.Forward(x, train, 6, 2);
        single.Training = false;
        single.Forward(x, test, 6, 2);
        Assert.Equal(test, train);
    }

    [Fact]
    public void Backward_Twice_AccumulatesParameterGradients()
    {
        var stack = Stack(CellKind.Lstm, true);
        var rng = new Rng(8);
        float[] x = Data.Uniform(rng, 5 * 2 * 3), dOut = Data.Uniform(rng, 5 * 2 * 5);
        var output = new float[5 * 2 * 5];
        var dx = new float[x.Length];
        stack.Forward(x, output, 5, 2);
        stack.Backward(dOut, dx);
        var once = stack.Parameters().Select(p => p.Grad.Span.ToArray()).ToList();
        stack.Backward(dOut, dx);
        int i = 0;
        foreach (var p in stack.Parameters())
        {
            var expected = once[i++].Select(v => 2 * v).ToArray();
            AssertClose.All(expected, p.Grad.Span, 1e-6, 1e-7, p.Name);
        }
    }

    [Fact]
    public void Forward_WeightsRepacked_ReadsCurrentValues()
    {
        // Weights are read at every Forward, never cached: packing them into a ParameterStore
        // (which moves their storage) or rewriting them (weight normalization) takes effect.
        var stack = Stack(CellKind.Lstm, false);
        var rng = new Rng(6);
        float[] x = Data.Uniform(rng, 4 * 2 * 3);
        var before = new float[4 * 2 * 5];
        var after = new float[4 * 2 * 5];
        stack.Forward(x, before, 4, 2);
        var store = new ParameterStore(stack.Parameters());
        stack.Forward(x, after, 4, 2);
        Assert.Equal(before, after);
        store.Get("weight_hh_l1").Value.Span.Clear();
        stack.Forward(x, after, 4, 2);
        Assert.NotEqual(before, after);
    }

    [Fact]
    public void Step_AfterWarmUp_AllocatesNothing()
    {
        foreach (var (cell, norm) in new[] { (CellKind.Lstm, false), (CellKind.Gru, true), (CellKind.Rnn, true) })
        {
            var stack = Stack(cell, norm);
            var state = stack.CreateState(2);
            float[] x = Data.Uniform(new Rng(1), 2 * 3);
            var output = new float[2 * 5];
            stack.Step(x, output, state);
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 20; i++) stack.Step(x, output, state);
            Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
        }
    }

    [Fact]
    public void State_CopyRowsFrom_ReordersEveryLayer()
    {
        var stack = Stack(CellKind.Lstm, false);
        var source = RandomState(stack, 3, new Rng(1));
        var target = stack.CreateState(3);
        target.CopyRowsFrom(source, [2, 2, 0]);
        for (int l = 0; l < 2; l++)
        {
            Assert.Equal(source.HiddenOf(l).Slice(2 * 5, 5).ToArray(), target.HiddenOf(l)[..5].ToArray());
            Assert.Equal(source.CellOf(l).Slice(2 * 5, 5).ToArray(), target.CellOf(l).Slice(5, 5).ToArray());
            Assert.Equal(source.CellOf(l)[..5].ToArray(), target.CellOf(l).Slice(10, 5).ToArray());
        }
        Assert.Throws<ArgumentException>(() => target.CopyRowsFrom(target, [0, 1, 2]));
        Assert.Throws<ArgumentOutOfRangeException>(() => target.CopyRowsFrom(source, [0, 3, 1]));
    }
}
