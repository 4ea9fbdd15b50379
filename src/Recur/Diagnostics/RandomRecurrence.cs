using Recur.Kernels;
using Recur.Nn.Recurrent;
using Recur.Tensors;

namespace Recur.Diagnostics;

// Dimension glossary: T steps, I input features, H hidden units, G gates.

/// <summary>
/// A one-layer recurrent network with random weights for Jacobian experiments (docs/theory.md
/// 1.2–1.3, <c>recur diagnose jacobian</c>): PyTorch's initialization, then W_hh rescaled to a
/// chosen spectral norm, driven by Gaussian inputs from a Gaussian initial state, one batch row.
/// (Not from h_0 = 0: with ReLU in the pre-activation form, σ′(0) = 0 would make J_1 = 0.)
/// </summary>
public sealed record RandomRecurrence
{
    /// <summary>The unit. Default Elman.</summary>
    public CellKind Cell { get; init; } = CellKind.Rnn;

    /// <summary>H. Default 32.</summary>
    public int Hidden { get; init { ArgumentOutOfRangeException.ThrowIfLessThan(value, 1); field = value; } } = 32;

    /// <summary>I. Default 8.</summary>
    public int InputSize { get; init { ArgumentOutOfRangeException.ThrowIfLessThan(value, 1); field = value; } } = 8;

    /// <summary>σ of an Elman layer. Default tanh.</summary>
    public Activation Activation { get; init; } = Activation.Tanh;

    /// <summary>Where an Elman layer applies σ. Default standard.</summary>
    public ElmanForm Form { get; init; } = ElmanForm.Standard;

    /// <summary>‖W_hh‖₂ after rescaling (the whole GH×H matrix); null keeps the drawn weights.</summary>
    public double? SpectralNorm
    {
        get;
        init
        {
            if (value is { } v && !(v >= 0 && double.IsFinite(v))) throw new ArgumentOutOfRangeException(nameof(SpectralNorm), v, "The spectral norm must be finite and ≥ 0.");
            field = value;
        }
    }

    /// <summary>The inputs are x_t ~ N(0, s²) with this s; large values saturate the units. Default 1.</summary>
    public double InputScale
    {
        get;
        init
        {
            if (!(value >= 0 && double.IsFinite(value))) throw new ArgumentOutOfRangeException(nameof(InputScale), value, "The input scale must be finite and ≥ 0.");
            field = value;
        }
    } = 1;

    /// <summary>The initial state is h_0 ~ N(0, s²) (and c_0 for the LSTM) with this s. Default 1.</summary>
    public double InitialScale
    {
        get;
        init
        {
            if (!(value >= 0 && double.IsFinite(value))) throw new ArgumentOutOfRangeException(nameof(InitialScale), value, "The initial-state scale must be finite and ≥ 0.");
            field = value;
        }
    } = 1;

    /// <summary>Seeds the weights, the inputs and the initial state. Default 1.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>The layer with its initial weights and W_hh at <see cref="SpectralNorm"/>.</summary>
    public RecurrentStack CreateStack()
    {
        var stack = new RecurrentStack(new RecurrentOptions(Cell, InputSize, Hidden) { Activation = Activation, Form = Form }, new Rng(Seed));
        if (SpectralNorm is { } norm)
        {
            var w = stack.Layers[0].WeightHH;
            Diagnostics.SpectralNorm.ScaleTo(w.Value.Span, w.Shape[0], w.Shape[1], norm);
        }
        return stack;
    }

    /// <summary>T inputs (T, 1, I).</summary>
    public float[] Inputs(int steps)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        var x = new float[steps * InputSize];
        new Rng(Seed ^ 0x5EED).FillNormal(x, 0, (float)InputScale);
        return x;
    }

    /// <summary>The initial state (one row).</summary>
    public RecurrentState InitialState(RecurrentStack stack)
    {
        ArgumentNullException.ThrowIfNull(stack);
        var state = stack.CreateState(1);
        var rng = new Rng(Seed ^ 0x1417);
        rng.FillNormal(state.Hidden.Span, 0, (float)InitialScale);
        if (state.Cell is { } cell) rng.FillNormal(cell.Span, 0, (float)InitialScale);
        return state;
    }

    /// <summary>Runs <paramref name="stack"/> (one layer, made like <see cref="CreateStack"/>) on <see cref="Inputs"/> from <see cref="InitialState"/> and measures the Jacobian norms for T = minSteps … maxSteps.</summary>
    public JacobianSeries Measure(RecurrentStack stack, int maxSteps, int minSteps = 1)
    {
        ArgumentNullException.ThrowIfNull(stack);
        stack.Forward(Inputs(maxSteps), new float[maxSteps * Hidden], maxSteps, 1, InitialState(stack));
        return JacobianSeries.Measure(stack.Layers[0], 0, maxSteps, minSteps);
    }

    /// <summary>A fresh <see cref="CreateStack"/> measured for T = minSteps … maxSteps.</summary>
    public JacobianSeries Measure(int maxSteps, int minSteps = 1) => Measure(CreateStack(), maxSteps, minSteps);
}
