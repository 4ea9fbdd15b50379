namespace Recur.Tensors;

/// <summary>
/// A named trainable tensor and its gradient. Layers create parameters; a
/// <see cref="ParameterStore"/> then moves every value into one contiguous buffer and every
/// gradient into another, so an optimizer step is one loop and a checkpoint one write
/// (llm.c's malloc_and_point_parameters).
/// </summary>
public sealed class Parameter
{
    /// <summary>Creates a zero-filled parameter with its own storage.</summary>
    public Parameter(string name, Shape shape, ParameterKind kind)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
        Kind = kind;
        Value = Tensor.Zeros(shape);
        Grad = Tensor.Zeros(shape);
    }

    /// <summary>PyTorch-style name, e.g. <c>rnn.weight_ih_l0</c>.</summary>
    public string Name { get; }

    /// <summary>What the parameter is for; decides default weight decay.</summary>
    public ParameterKind Kind { get; }

    /// <summary>The parameter's shape.</summary>
    public Shape Shape => Value.Shape;

    /// <summary>Number of elements.</summary>
    public int Length => Value.Length;

    /// <summary>The value.</summary>
    public Tensor Value { get; }

    /// <summary>The gradient; backward passes add into it, only ZeroGrad clears it.</summary>
    public Tensor Grad { get; }

    public override string ToString() => $"{Name} {Shape}";
}
