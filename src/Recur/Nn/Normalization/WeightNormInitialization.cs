using Recur.Tensors;

namespace Recur.Nn.Normalization;

/// <summary>
/// The data-dependent initialization of Salimans &amp; Kingma (2016, §3) for a weight-normalized
/// <see cref="Linear"/> layer, which PyTorch does not offer (Salimans &amp; Kingma 2016, §3).
/// </summary>
public static class WeightNormInitialization
{
    /// <summary>Standard deviation of the paper's initial v: N(0, 0.05).</summary>
    public const float PaperScale = 0.05f;

    /// <summary>
    /// Sets g and the bias so that the layer's pre-activations on <paramref name="batch"/> (N, I)
    /// have mean 0 and variance 1 per output unit: g ← g/σ, b ← (b − μ)/σ from one forward pass.
    /// With <paramref name="resample"/>, v is first drawn from N(0, 0.05²) as in the paper;
    /// otherwise the layer's own initial directions are kept (only the direction of v matters).
    /// </summary>
    public static void InitializeFromData(this WeightNormalized<Linear> layer, Tensor batch, Rng? resample = null)
    {
        ArgumentNullException.ThrowIfNull(layer);
        ArgumentNullException.ThrowIfNull(batch);
        var norm = layer.Norm(layer.Inner.Weight.Name);
        if (resample is not null) resample.FillNormal(norm.V.Value.Span, 0f, PaperScale);
        var preactivations = layer.Forward(m => m.Forward(batch));
        norm.InitializeFromPreactivations(preactivations.Span, layer.Inner.Bias is null ? [] : layer.Inner.Bias.Value.Span);
    }
}
