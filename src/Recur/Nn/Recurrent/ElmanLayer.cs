using Recur.Kernels;
using Recur.Tensors;

namespace Recur.Nn.Recurrent;

// Dimension glossary: T steps, B batch, H hidden units (one gate: GH = H).

/// <summary>
/// An Elman layer in PyTorch's nn.RNN layout (W = <c>weight_hh_lK</c>, U = <c>weight_ih_lK</c>,
/// b = <c>bias_ih_lK</c> + <c>bias_hh_lK</c>), in either placement of σ (docs/theory.md 1.1):
/// standard g_t = σ(W g_{t−1} + U x_t + b) — exactly nn.RNN — or pre-activation
/// h_t = W σ(h_{t−1}) + U x_t + b, whose state and output are the pre-activations. With
/// g_0 = σ(h_0) the two give g_t = σ(h_t) at every step. σ is tanh, ReLU or the sigmoid.
/// Layer-normalized: see <see cref="RecurrentLayer"/> (the two projections are normalized
/// separately before b is added).
/// </summary>
public sealed class ElmanLayer : RecurrentLayer
{
    private float[] _activated = [];  // pre-activation form: (T + 1, B, H) σ(h_0) … σ(h_T)
    private float[] _dActivated = []; // pre-activation form: (B, H) ∂L/∂σ(h_{t−1})

    internal ElmanLayer(RecurrentOptions options, int layer, Rng rng) : base(options, layer, 1, rng)
    {
        Activation = options.Activation;
        Form = options.Form;
    }

    /// <summary>σ.</summary>
    public Activation Activation { get; }

    /// <summary>Where σ is applied.</summary>
    public ElmanForm Form { get; }

    /// <summary>
    /// σ(h_t) (B, H) of the last Forward for the pre-activation form, t = 0 … T; for the
    /// standard form the state is already g_t = σ(·), and this is <see cref="RecurrentLayer.Hidden"/>.
    /// </summary>
    public ReadOnlySpan<float> Activated(int t) => Form == ElmanForm.PreActivation
        ? _activated.AsSpan(CheckState(t) * Batch * HiddenSize, Batch * HiddenSize)
        : Hidden(t);

    private protected override ReadOnlySpan<float> RecurrentInputs(int rows) =>
        Form == ElmanForm.PreActivation ? _activated.AsSpan(0, rows * HiddenSize) : base.RecurrentInputs(rows);

    private protected override void InitializeState(ReadOnlySpan<float> c0)
    {
        int bh = Batch * HiddenSize;
        if (Form == ElmanForm.PreActivation) Activations.Forward(Activation, States.AsSpan(0, bh), _activated.AsSpan(0, bh));
    }

    private protected override void ForwardStep(int t, int batch)
    {
        int bh = batch * HiddenSize;
        var pre = Pre.AsSpan(t * bh, bh);               // (B, H): U x_t + b, then + W·(recurrent input)
        var next = States.AsSpan((t + 1) * bh, bh);
        if (Form == ElmanForm.Standard)
        {
            AddRecurrentProjection(t, batch, States.AsSpan(t * bh, bh), pre);
            Activations.Forward(Activation, pre, next);
        }
        else
        {
            AddRecurrentProjection(t, batch, _activated.AsSpan(t * bh, bh), pre);
            pre.CopyTo(next);
            Activations.Forward(Activation, next, _activated.AsSpan((t + 1) * bh, bh));
        }
    }

    private protected override void BackwardStep(int t, int batch, Span<float> dh, Span<float> dhPrev)
    {
        int bh = batch * HiddenSize;
        var dPre = DPre.AsSpan(t * bh, bh);
        if (Form == ElmanForm.Standard)
        {
            Activations.Backward(Activation, States.AsSpan((t + 1) * bh, bh), dh, dPre);
            AddRecurrentGradient(t, batch, dPre, dhPrev, accumulate: true);
        }
        else
        {
            // h_t is the pre-activation itself; the path to h_{t−1} runs through σ(h_{t−1}).
            dh.CopyTo(dPre);
            var ds = _dActivated.AsSpan(0, bh);
            AddRecurrentGradient(t, batch, dPre, ds, accumulate: false);
            Activations.Backward(Activation, _activated.AsSpan(t * bh, bh), ds, ds);
            Elementwise.AddTo(ds, dhPrev);
        }
    }

    private protected override void EnsureCaches(int steps, int batch)
    {
        base.EnsureCaches(steps, batch);
        if (Form != ElmanForm.PreActivation) return;
        Grow(ref _activated, ((long)steps * batch + batch) * HiddenSize);
        Grow(ref _dActivated, (long)batch * HiddenSize);
    }
}
