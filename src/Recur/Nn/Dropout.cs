using System.Numerics.Tensors;
using Recur.Tensors;

namespace Recur.Nn;

// Dimension glossary: N elements (any shape, flattened).

/// <summary>
/// Inverted dropout (Srivastava et al. 2014; PyTorch's nn.Dropout): in training mode each
/// element is kept with probability 1 − p and scaled by 1/(1 − p), else zeroed, so that the
/// expected output equals the input and evaluation mode is the identity. The mask comes from an
/// explicit, seeded <see cref="Tensors.Rng"/> (one draw per element: kept when u ≥ p), so the
/// same seed gives the same mask on every machine.
/// </summary>
public sealed class Dropout : Module
{
    private float[] _mask = [];  // (N) 0 or 1/(1 − p), from the last training-mode Forward
    private int _length = -1;    // N of the last Forward; -1 before any
    private bool _masked;        // whether the last Forward applied a mask

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
    /// mode or when p = 0. <paramref name="output"/> may be <paramref name="input"/>.
    /// </summary>
    public void Forward(ReadOnlySpan<float> input, Span<float> output)
    {
        if (output.Length != input.Length) throw new ArgumentException($"The output has {output.Length} elements, the input {input.Length}.", nameof(output));
        _length = input.Length;
        _masked = Training && Probability > 0f;
        if (!_masked)
        {
            input.CopyTo(output);
            return;
        }
        if (_mask.Length < input.Length) _mask = new float[input.Length];
        var mask = _mask.AsSpan(0, input.Length);
        float scale = 1f / (1f - Probability);
        for (int i = 0; i < mask.Length; i++) mask[i] = Rng.NextFloat() >= Probability ? scale : 0f;
        TensorPrimitives.Multiply(input, mask, output);
    }

    /// <summary>dx = dy ⊙ m with the mask of the last Forward (dx = dy if it applied none). <paramref name="dInput"/> may be <paramref name="dOutput"/>.</summary>
    public void Backward(ReadOnlySpan<float> dOutput, Span<float> dInput)
    {
        if (_length < 0) throw new InvalidOperationException("Backward needs a Forward first.");
        if (dOutput.Length != _length || dInput.Length != _length)
            throw new ArgumentException($"The last Forward had {_length} elements; got gradients of {dOutput.Length} and {dInput.Length}.");
        if (_masked) TensorPrimitives.Multiply(dOutput, _mask.AsSpan(0, _length), dInput);
        else dOutput.CopyTo(dInput);
    }
}
