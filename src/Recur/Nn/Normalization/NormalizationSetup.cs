using Recur.Tensors;

namespace Recur.Nn.Normalization;

/// <summary>What the normalization layers' constructors share: hyper-parameter checks and the affine parameters.</summary>
internal static class NormalizationSetup
{
    /// <summary>ε must be finite and ≥ 0 (PyTorch allows 0).</summary>
    public static void Eps(double eps)
    {
        if (!(eps >= 0) || double.IsInfinity(eps))
            throw new ArgumentOutOfRangeException(nameof(eps), eps, "eps must be a finite number ≥ 0.");
    }

    /// <summary>Momentum must lie in [0, 1].</summary>
    public static void Momentum(double momentum)
    {
        if (!(momentum >= 0 && momentum <= 1))
            throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "momentum must lie in [0, 1] (or be null for a cumulative average).");
    }

    /// <summary>A normalized shape needs at least one dimension, each ≥ 1.</summary>
    public static void NormalizedShape(int[] normalizedShape)
    {
        if (normalizedShape.Length == 0) throw new ArgumentOutOfRangeException(nameof(normalizedShape), "The normalized shape needs at least one dimension.");
        foreach (int d in normalizedShape) ArgumentOutOfRangeException.ThrowIfLessThan(d, 1, nameof(normalizedShape));
    }

    /// <summary>A gain γ named "prefix.weight", initialized to ones.</summary>
    public static Parameter Gain(string prefix, Shape shape)
    {
        var p = new Parameter(LayerBuffers.Name(prefix, "weight"), shape, ParameterKind.Normalization);
        p.Value.Span.Fill(1f);
        return p;
    }

    /// <summary>A shift β named "prefix.bias", initialized to zeros.</summary>
    public static Parameter Shift(string prefix, Shape shape) => new(LayerBuffers.Name(prefix, "bias"), shape, ParameterKind.Normalization);
}
