using System.Numerics.Tensors;
using Recur.Tensors;

namespace Recur.Nn;

// Dimension glossary: N elements (any shape, flattened).

/// <summary>
/// Inverted dropout (Srivastava et al. 2014; PyTorch's nn.Dropout): in training mode each
/// element is kept with probability 1 − p and scaled by 1/(1 − p), else zeroed, so that the
/// expected output equals the input and evaluation mode is the identity. The mask comes from an
/// explicit, seeded <see cref="Tensors.Rng"/> (one draw per element: kept when u ≥ p), so the
/// same seed gives the same mask on every machine. With a period P the mask is drawn for P
/// elements and repeated: on a (T, B, F) time-major input with P = B·F every time step shares
/// one mask per sequence and feature — variational or "locked" dropout (Gal &amp; Ghahramani
/// 2016; Merity et al. 2018, AWD-LSTM).
/// </summary>
public sealed class Dropout : Module
{
    private float[] _mask = [];  // (N) 0 or 1/(1 − p), from the last training-mode Forward
    private int _length = -1;    // N of the last Forward; -1 before any
    private bool _masked;        // whether the last Forward applied a mask
    private int _period;         // P of the last Forward: the mask repeats every P elements

    /// <summary>Creates a dropout layer; p must be in [0, 1).</summary>
    public Dropout(float probability, Rng rng)
    {
        if (!(probability >= 0f && probability < 1f))
            throw new ArgumentOutOfRangeException(nameof(probability), probability, "Dropout probability must be in [0, 1).");
        ArgumentNullException.ThrowIfNull(rng);
        Probability = probability;
        Rng = rng;
    }

    /// <summary>p, the probability of zeroing an element.</summary>
    public float Probability { get; }

    /// <summary>The generator the masks come from; replace it to restore a checkpointed stream.</summary>
    public Rng Rng
    {
        get;
        set => field = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <inheritdoc/>
    public override IEnumerable<Parameter> Parameters() => [];

    /// <summary>
    /// y = x ⊙ m with m_i ∈ {0, 1/(1 − p)} drawn afresh in training mode; y = x in evaluation
    /// mode or when p = 0. A positive <paramref name="period"/> P draws P mask values and
    /// repeats them (P must divide the length); 0 draws one per element. <paramref name="output"/>
    /// may be <paramref name="input"/>.
    /// </summary>
    public void Forward(ReadOnlySpan<float> input, Span<float> output, int period = 0)
    {
        if (output.Length != input.Length) throw new ArgumentException($"The output has {output.Length} elements, the input {input.Length}.", nameof(output));
        int p = period > 0 ? period : input.Length;
        if (input.Length % Math.Max(p, 1) != 0) throw new ArgumentException($"The period {period} does not divide the {input.Length} elements.", nameof(period));
        _length = input.Length;
        _period = p;
        _masked = Training && Probability > 0f;
        if (!_masked)
        {
            input.CopyTo(output);
            return;
        }
        if (_mask.Length < p) _mask = new float[p];
        var mask = _mask.AsSpan(0, p);
        float scale = 1f / (1f - Probability);
        for (int i = 0; i < mask.Length; i++) mask[i] = Rng.NextFloat() >= Probability ? scale : 0f;
        for (int start = 0; start < input.Length; start += p) TensorPrimitives.Multiply(input.Slice(start, p), mask, output.Slice(start, p));
    }

    /// <summary>dx = dy ⊙ m with the mask of the last Forward (dx = dy if it applied none). <paramref name="dInput"/> may be <paramref name="dOutput"/>.</summary>
    public void Backward(ReadOnlySpan<float> dOutput, Span<float> dInput)
    {
        if (_length < 0) throw new InvalidOperationException("Backward needs a Forward first.");
        if (dOutput.Length != _length || dInput.Length != _length)
            throw new ArgumentException($"The last Forward had {_length} elements; got gradients of {dOutput.Length} and {dInput.Length}.");
        if (!_masked)
        {
            dOutput.CopyTo(dInput);
            return;
        }
        var mask = _mask.AsSpan(0, _period);
        for (int start = 0; start < _length; start += _period) TensorPrimitives.Multiply(dOutput.Slice(start, _period), mask, dInput.Slice(start, _period));
    }
}
