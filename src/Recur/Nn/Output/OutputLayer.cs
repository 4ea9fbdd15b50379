using Recur.Tensors;

namespace Recur.Nn.Output;

// N rows, H input features (the hidden size), V tokens.

/// <summary>
/// The last layer of a language model together with its loss: hidden rows (N, H) become a
/// distribution over V tokens. Training goes through the mean cross-entropy of the targets
/// (<see cref="Forward"/>, <see cref="Backward"/>); decoding and evaluation read normalized
/// natural-log probabilities, whole rows or only the targets'. <see cref="SoftmaxOutput"/> is a
/// linear layer and a full softmax (optionally tied to the embedding); <see cref="AdaptiveSoftmax"/>
/// is Grave et al.'s (2017) exact softmax over frequency clusters.
/// </summary>
public abstract class OutputLayer : Module
{
    /// <summary>H.</summary>
    public abstract int InputSize { get; }

    /// <summary>V.</summary>
    public abstract int OutputSize { get; }

    /// <summary>
    /// The mean of −ln p(target_r | input_r) over the N rows of <paramref name="input"/> (N, H);
    /// keeps what <see cref="Backward"/> needs. <paramref name="input"/> must stay unchanged until then.
    /// </summary>
    public abstract double Forward(Tensor input, ReadOnlySpan<int> targets);

    /// <summary>∂loss/∂input (N, H) of the last <see cref="Forward"/>; adds the parameter gradients. The tensor belongs to the layer.</summary>
    public abstract Tensor Backward();

    /// <summary>ln p(token | input_r) for every token: <paramref name="destination"/> (rows, V) from <paramref name="input"/> (rows, H).</summary>
    public abstract void LogProbabilities(ReadOnlySpan<float> input, Span<float> destination, int rows);

    /// <summary>ln p(targets[r] | input_r) for each row of <paramref name="input"/> (N, H), into <paramref name="destination"/> (N).</summary>
    public abstract void TargetLogProbabilities(ReadOnlySpan<float> input, ReadOnlySpan<int> targets, Span<float> destination);

    /// <summary>Throws unless <paramref name="inputLength"/> values make <paramref name="rows"/> rows of H.</summary>
    protected void CheckRows(int inputLength, int rows)
    {
        if (inputLength != (long)rows * InputSize)
            throw new ArgumentException($"{GetType().Name}: {inputLength} input values for {rows} rows of {InputSize}.");
    }

    /// <summary>Throws unless every target is a token id.</summary>
    protected void CheckTargets(ReadOnlySpan<int> targets)
    {
        for (int r = 0; r < targets.Length; r++)
            if ((uint)targets[r] >= (uint)OutputSize)
                throw new ArgumentOutOfRangeException(nameof(targets), targets[r], $"{GetType().Name}: target {targets[r]} of row {r} is outside [0, {OutputSize}).");
    }
}
