using Recur.Diagnostics;
using Recur.Kernels;
using Recur.Nn.Recurrent;
using Recur.Tensors;
using Recur.Tests.Support;

namespace Recur.Tests.Diagnostics;

/// <summary>The exact state Jacobians against finite differences of the layers' Forward and against their own BPTT.</summary>
public class RecurrentJacobianTests
{
    public static TheoryData<CellKind, Activation, ElmanForm> Cells => new()
    {
        { CellKind.Rnn, Activation.Tanh, ElmanForm.Standard },
        { CellKind.Rnn, Activation.Sigmoid, ElmanForm.Standard },
        { CellKind.Rnn, Activation.Relu, ElmanForm.Standard },
        { CellKind.Rnn, Activation.Tanh, ElmanForm.PreActivation },
        { CellKind.Rnn, Activation.Sigmoid, ElmanForm.PreActivation },
        { CellKind.Rnn, Activation.Relu, ElmanForm.PreActivation },
        { CellKind.Gru, Activation.Tanh, ElmanForm.Standard },
        { CellKind.Lstm, Activation.Tanh, ElmanForm.Standard },
    };

    private const int Steps = 6, Batch = 2, Input = 3, Hidden = 4;

    private sealed class Setup
    {
        public Setup(CellKind cell, Activation activation, ElmanForm form)
        {
            var options = new RecurrentOptions(cell, Input, Hidden) { Activation = activation, Form = form };
            Stack = new RecurrentStack(options, new Rng(5));
            // Larger recurrent weights than the default init, so the Jacobians are far from zero.
            foreach (ref float w in Stack.Layers[0].WeightHH.Value.Span) w *= 3;
            var rng = new Rng(6);
            X = Data.Uniform(rng, Steps * Batch * Input);
            State = Stack.CreateState(Batch);
            rng.FillUniform(State.Hidden.Span, -0.8f, 0.8f);
            if (State.Cell is not null) rng.FillUniform(State.Cell.Span, -0.8f, 0.8f);
        }

        public RecurrentStack Stack { get; }
        public float[] X { get; }
        public RecurrentState State { get; }
        public RecurrentLayer Layer => Stack.Layers[0];

        /// <summary>The final state (h_T, c_T) of batch row <paramref name="row"/>, in double.</summary>
        public double[] Run(int row)
        {
            var final = Stack.CreateState(Batch);
            Stack.Forward(X, new float[Steps * Batch * Hidden], Steps, Batch, State, final);
            var s = final.HiddenOf(0).Slice(row * Hidden, Hidden).ToArray().Select(v => (double)v);
            if (final.Cell is not null) s = s.Concat(final.CellOf(0).Slice(row * Hidden, Hidden).ToArray().Select(v => (double)v));
            return s.ToArray();
        }

        /// <summary>Coordinate k of row <paramref name="row"/>'s initial state (h, then c).</summary>
        public Span<float> Coordinate(int row, int k) => k < Hidden
            ? State.HiddenOf(0).Slice(row * Hidden + k, 1)
            : State.CellOf(0).Slice(row * Hidden + k - Hidden, 1);
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public void Product_AgainstCentralDifferencesOfForward_Agrees(CellKind cell, Activation activation, ElmanForm form)
    {
        var setup = new Setup(cell, activation, form);
        int s = cell == CellKind.Lstm ? 2 * Hidden : Hidden;
        int compared = 0;
        for (int row = 0; row < Batch; row++)
        {
            setup.Run(row);
            var exact = RecurrentJacobian.Product(setup.Layer, row, Steps);
            Assert.Equal(s * s, exact.Length);
            for (int k = 0; k < s; k++)
            {
                // Richardson's extrapolation of central differences at h and h/2: O(h⁴) truncation,
                // so a step large enough to keep float32 rounding small.
                var x = setup.Coordinate(row, k);
                var coarse = Central(setup, x, row, 1e-2f);
                var fine = Central(setup, x, row, 5e-3f);
                for (int i = 0; i < s; i++)
                {
                    // A ReLU kink within the step shows as differences at h and h/2 that disagree: no derivative to compare there.
                    if (Math.Abs(coarse[i] - fine[i]) > 1e-3 + 1e-2 * Math.Abs(fine[i])) continue;
                    double numeric = (4 * fine[i] - coarse[i]) / 3;
                    AssertClose.Scalar(numeric, exact[i * s + k], 2e-3, 1e-4, $"{cell} {activation} {form} row {row} ∂s_T[{i}]/∂s_0[{k}]");
                    compared++;
                }
            }
        }
        Assert.True(compared >= 0.9 * Batch * s * s, $"only {compared} of {Batch * s * s} entries compared");
        // The product is not trivially small: the check above compares real derivatives.
        setup.Run(0);
        Assert.True(SpectralNorm.Compute(RecurrentJacobian.Product(setup.Layer, 0, Steps), s, s) > 1e-3);
    }

    private static double[] Central(Setup setup, Span<float> x, int row, float step)
    {
        float saved = x[0];
        x[0] = saved + step;
        var up = setup.Run(row);
        x[0] = saved - step;
        var down = setup.Run(row);
        x[0] = saved;
        double taken = (double)(saved + step) - (saved - step);
        return up.Select((u, i) => (u - down[i]) / taken).ToArray();
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public void Product_TransposedTimesVector_EqualsTheLayersBackpropagation(CellKind cell, Activation activation, ElmanForm form)
    {
        // With ∂L/∂output nonzero only at step T (= v for h_T), BPTT returns ∂L/∂(h_0, c_0) = vᵀ·∂(h_T)/∂(h_0, c_0):
        // the first H rows of the state Jacobian, transposed, times v.
        var setup = new Setup(cell, activation, form);
        int s = cell == CellKind.Lstm ? 2 * Hidden : Hidden;
        setup.Run(0);
        var v = Data.Uniform(new Rng(9), Batch * Hidden);
        var dOut = new float[Steps * Batch * Hidden];
        v.CopyTo(dOut.AsSpan((Steps - 1) * Batch * Hidden));
        var dInitial = setup.Stack.CreateState(Batch);
        setup.Stack.Backward(dOut, default, dInitial: dInitial);
        for (int row = 0; row < Batch; row++)
        {
            var exact = RecurrentJacobian.Product(setup.Layer, row, Steps);
            var expected = new double[s];
            for (int k = 0; k < s; k++)
                for (int i = 0; i < Hidden; i++) expected[k] += v[row * Hidden + i] * exact[i * s + k];
            var actual = dInitial.HiddenOf(0).Slice(row * Hidden, Hidden).ToArray().Select(x => (double)x);
            if (cell == CellKind.Lstm) actual = actual.Concat(dInitial.CellOf(0).Slice(row * Hidden, Hidden).ToArray().Select(x => (double)x));
            AssertClose.All(expected, actual.ToArray(), 1e-4, 1e-6, $"{cell} {activation} {form} row {row}");
        }
    }

    [Fact]
    public void HiddenBlock_OfAnLstmProduct_IsTheTopLeftBlock()
    {
        var m = Enumerable.Range(0, 16).Select(i => (double)i).ToArray();
        Assert.Equal([0, 1, 4, 5], RecurrentJacobian.HiddenBlock(m, 2));
    }

    [Fact]
    public void Step_LayerNormalizedOrBeforeForward_ThrowsClearly()
    {
        var normalized = new RecurrentStack(new RecurrentOptions(CellKind.Lstm, 2, 3) { LayerNorm = true }, new Rng(1));
        normalized.Forward(new float[2], new float[3], 1, 1);
        var e = Assert.Throws<ArgumentException>(() => RecurrentJacobian.Product(normalized.Layers[0], 0, 1));
        Assert.Contains("layer-normalized", e.Message);
        var fresh = new RecurrentStack(new RecurrentOptions(CellKind.Rnn, 2, 3), new Rng(1));
        Assert.Throws<InvalidOperationException>(() => RecurrentJacobian.Product(fresh.Layers[0], 0, 1));
        fresh.Forward(new float[2], new float[3], 1, 1);
        Assert.Throws<ArgumentOutOfRangeException>(() => RecurrentJacobian.Product(fresh.Layers[0], 1, 1));
    }

    [Fact]
    public void Series_ElmanTanh_StaysUnderTheBoundAndMatchesJacobiOnEveryT()
    {
        var probe = new RandomRecurrence { Hidden = 6, SpectralNorm = 1.3, Seed = 4 };
        var series = probe.Measure(40);
        Assert.Equal(Enumerable.Range(1, 40), series.Steps);
        AssertClose.Scalar(1.3, series.WeightNorm, 1e-6);
        Assert.Equal(1.0, series.Gamma);
        var stack = probe.CreateStack();
        stack.Forward(probe.Inputs(40), new float[40 * 6], 40, 1, probe.InitialState(stack));
        for (int k = 0; k < 40; k++)
        {
            Assert.True(series.JacobianNorm[k] <= series.Bound![k] * (1 + 1e-9), $"T = {k + 1}: {series.JacobianNorm[k]} > {series.Bound[k]}");
            var j = RecurrentJacobian.Product(stack.Layers[0], 0, k + 1);
            var jtj = new double[36];
            for (int a = 0; a < 6; a++)
                for (int b = 0; b < 6; b++)
                    for (int r = 0; r < 6; r++) jtj[a * 6 + b] += j[r * 6 + a] * j[r * 6 + b];
            AssertClose.Scalar(Math.Sqrt(SymmetricEigen.Eigenvalues(jtj, 6)[^1]), series.JacobianNorm[k], 1e-7, 1e-300, $"T = {k + 1}");
        }
    }

    [Fact]
    public void Series_GatedCells_HaveNoBoundAndTheLstmReportsItsStateNorm()
    {
        var lstm = new RandomRecurrence { Cell = CellKind.Lstm, Hidden = 5 }.Measure(10, minSteps: 3);
        Assert.Equal([3, 4, 5, 6, 7, 8, 9, 10], lstm.Steps);
        Assert.Null(lstm.Bound);
        Assert.Null(lstm.Gamma);
        Assert.NotNull(lstm.StateNorm);
        for (int k = 0; k < lstm.Steps.Length; k++) Assert.True(lstm.StateNorm![k] >= lstm.JacobianNorm[k] * (1 - 1e-9), "a block's norm cannot exceed the matrix's");
        var gru = new RandomRecurrence { Cell = CellKind.Gru, Hidden = 5 }.Measure(4);
        Assert.Null(gru.Bound);
        Assert.Null(gru.StateNorm);
        Assert.All(gru.JacobianNorm, v => Assert.True(v > 0));
    }
}
