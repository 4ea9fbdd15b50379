using Recur.Tensors;

namespace Recur.Nn.Normalization;

/// <summary>Settings of <see cref="LayerNorm"/>; the defaults are PyTorch's.</summary>
/// <param name="Eps">ε added to the variance.</param>
/// <param name="ElementwiseAffine">Learn a per-element scale γ (weight) of the normalized shape.</param>
/// <param name="Bias">Also learn a per-element shift β (bias); only with <paramref name="ElementwiseAffine"/>.</param>
public sealed record LayerNormOptions(double Eps = 1e-5, bool ElementwiseAffine = true, bool Bias = true);

/// <summary>
/// Layer normalization (Ba, Kiros &amp; Hinton 2016, eq. 4), as PyTorch's LayerNorm: each row of
/// the trailing <c>normalizedShape</c> (M elements) is normalized with its own mean and biased
/// variance, y = (x − μ)/√(σ² + ε)·γ + β with a per-element γ, β of the normalized shape. The
/// same computation in training and evaluation. Statistics accumulate in double.
/// </summary>
public sealed class LayerNorm : Module
{
    private readonly RowNormCore _core;

    /// <summary>Layer norm over the last dimension, of size <paramref name="normalizedSize"/>.</summary>
    public LayerNorm(int normalizedSize, LayerNormOptions? options = null, string prefix = "")
        : this([normalizedSize], options, prefix)
    {
    }

    /// <param name="normalizedShape">The trailing dimensions normalized together.</param>
    /// <param name="options">Settings; PyTorch's defaults when null.</param>
    /// <param name="prefix">Name prefix of the parameters.</param>
    public LayerNorm(int[] normalizedShape, LayerNormOptions? options = null, string prefix = "")
    {
        ArgumentNullException.ThrowIfNull(normalizedShape);
        Options = options ?? new LayerNormOptions();
        NormalizationSetup.NormalizedShape(normalizedShape);
        NormalizationSetup.Eps(Options.Eps);
        int[] dims = (int[])normalizedShape.Clone();
        NormalizedShape = dims;
        var shape = new Shape(dims);
        if (Options.ElementwiseAffine)
        {
            Weight = NormalizationSetup.Gain(prefix, shape);
            if (Options.Bias) Bias = NormalizationSetup.Shift(prefix, shape);
        }
        _core = new RowNormCore("LayerNorm", dims, centered: true, Options.Eps, Weight, Bias);
    }

    /// <summary>The trailing dimensions normalized together.</summary>
    public IReadOnlyList<int> NormalizedShape { get; }

    /// <summary>The settings.</summary>
    public LayerNormOptions Options { get; }

    /// <summary>γ (normalized shape), or null without affine.</summary>
    public Parameter? Weight { get; }

    /// <summary>β (normalized shape), or null.</summary>
    public Parameter? Bias { get; }

    /// <summary>The mean of each row of the last forward pass.</summary>
    public ReadOnlySpan<double> Mean => _core.Mean;

    /// <summary>The biased variance of each row of the last forward pass.</summary>
    public ReadOnlySpan<double> Variance => _core.Variance;

    public override IEnumerable<Parameter> Parameters()
    {
        if (Weight is not null) yield return Weight;
        if (Bias is not null) yield return Bias;
    }

    /// <summary>
    /// y for input (*, normalized shape). The returned tensor belongs to the layer;
    /// <paramref name="input"/> must stay unchanged until <see cref="Backward"/>.
    /// </summary>
    public Tensor Forward(Tensor input) => _core.Forward(input);

    /// <summary>
    /// dx = (dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂))/√(σ² + ε) per row, dx̂ = γ·dy; adds Σ dy·x̂ and Σ dy
    /// into the parameter gradients. The returned tensor belongs to the layer.
    /// </summary>
    public Tensor Backward(Tensor outputGradient) => _core.Backward(outputGradient);
}
