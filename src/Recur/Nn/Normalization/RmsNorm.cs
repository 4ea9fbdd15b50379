using Recur.Tensors;

namespace Recur.Nn.Normalization;

/// <summary>
/// Settings of <see cref="RmsNorm"/>. PyTorch's torch.nn.RMSNorm defaults eps to None, which
/// means the float32 machine epsilon (≈1.19e-7); Recur uses 1e-5, as layer norm does, on
/// purpose: pass <c>Eps = 1.1920929e-7</c> to match PyTorch's default exactly.
/// </summary>
/// <param name="Eps">ε added to the mean square.</param>
/// <param name="ElementwiseAffine">Learn a per-element scale γ (weight) of the normalized shape.</param>
public sealed record RmsNormOptions(double Eps = 1e-5, bool ElementwiseAffine = true);

/// <summary>
/// Root-mean-square normalization (Zhang &amp; Sennrich 2019, eq. 4), as torch.nn.RMSNorm:
/// y = x/√(mean(x²) + ε)·γ over each row of the trailing normalized shape (M elements), with
/// no centering and no bias. The same computation in training and evaluation. Statistics
/// accumulate in double.
/// </summary>
public sealed class RmsNorm : Module
{
    private readonly RowNormCore _core;

    /// <summary>RMS norm over the last dimension, of size <paramref name="normalizedSize"/>.</summary>
    public RmsNorm(int normalizedSize, RmsNormOptions? options = null, string prefix = "")
        : this([normalizedSize], options, prefix)
    {
    }

    /// <param name="normalizedShape">The trailing dimensions normalized together.</param>
    /// <param name="options">Settings; see <see cref="RmsNormOptions"/> for ε.</param>
    /// <param name="prefix">Name prefix of the parameters.</param>
    public RmsNorm(int[] normalizedShape, RmsNormOptions? options = null, string prefix = "")
    {
        ArgumentNullException.ThrowIfNull(normalizedShape);
        Options = options ?? new RmsNormOptions();
        NormalizationSetup.NormalizedShape(normalizedShape);
        NormalizationSetup.Eps(Options.Eps);
        int[] dims = (int[])normalizedShape.Clone();
        NormalizedShape = dims;
        if (Options.ElementwiseAffine) Weight = NormalizationSetup.Gain(prefix, new Shape(dims));
        _core = new RowNormCore("RmsNorm", dims, centered: false, Options.Eps, Weight, bias: null);
    }

    /// <summary>The trailing dimensions normalized together.</summary>
    public IReadOnlyList<int> NormalizedShape { get; }

    /// <summary>The settings.</summary>
    public RmsNormOptions Options { get; }

    /// <summary>γ (normalized shape), or null without affine.</summary>
    public Parameter? Weight { get; }

    /// <summary>mean(x²) of each row of the last forward pass.</summary>
    public ReadOnlySpan<double> MeanSquare => _core.Variance;

    public override IEnumerable<Parameter> Parameters() => Weight is null ? [] : [Weight];

    /// <summary>
    /// y for input (*, normalized shape). The returned tensor belongs to the layer;
    /// <paramref name="input"/> must stay unchanged until <see cref="Backward"/>.
    /// </summary>
    public Tensor Forward(Tensor input) => _core.Forward(input);

    /// <summary>
    /// dx = (dx̂ − x̂·mean(dx̂·x̂))/√(mean(x²) + ε) per row, x̂ = x/√(mean(x²) + ε), dx̂ = γ·dy;
    /// adds Σ dy·x̂ into the weight gradient. The returned tensor belongs to the layer.
    /// </summary>
    public Tensor Backward(Tensor outputGradient) => _core.Backward(outputGradient);
}
