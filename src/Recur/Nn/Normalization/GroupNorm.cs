using Recur.Kernels;
using Recur.Tensors;

namespace Recur.Nn.Normalization;

/// <summary>Settings of <see cref="GroupNorm"/>; the defaults are PyTorch's.</summary>
/// <param name="Eps">ε added to the variance.</param>
/// <param name="Affine">Learn a per-channel scale γ (weight) and shift β (bias).</param>
public sealed record GroupNormOptions(double Eps = 1e-5, bool Affine = true);

/// <summary>
/// Group normalization (Wu &amp; He 2018, eq. 1–3), as PyTorch's GroupNorm, over input
/// (N, C, *) (N batch, C channels, * any trailing dimensions, flattened to L): the C channels
/// are split into G groups of C/G, and each (sample, group) is normalized over its C/G·L values
/// with its own mean and biased variance; then y = x̂·γ_c + β_c per channel. G = C is instance
/// norm, G = 1 layer norm over (C, *) with a per-channel affine. The same computation in
/// training and evaluation. Statistics accumulate in double.
/// </summary>
public sealed class GroupNorm : Module
{
    private readonly SegmentNormCore _core;

    /// <param name="numGroups">G; must divide <paramref name="numChannels"/>.</param>
    /// <param name="numChannels">C.</param>
    /// <param name="options">Settings; PyTorch's defaults when null.</param>
    /// <param name="prefix">Name prefix of the parameters.</param>
    public GroupNorm(int numGroups, int numChannels, GroupNormOptions? options = null, string prefix = "")
    {
        Options = options ?? new GroupNormOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(numGroups, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(numChannels, 1);
        if (numChannels % numGroups != 0)
            throw new ArgumentOutOfRangeException(nameof(numGroups), numGroups, $"num_channels ({numChannels}) must be divisible by num_groups ({numGroups}).");
        NormalizationSetup.Eps(Options.Eps);
        NumGroups = numGroups;
        NumChannels = numChannels;
        if (Options.Affine)
        {
            Weight = NormalizationSetup.Gain(prefix, new Shape(numChannels));
            Bias = NormalizationSetup.Shift(prefix, new Shape(numChannels));
        }
        _core = new SegmentNormCore("GroupNorm", Weight, Bias, Options.Eps);
    }

    /// <summary>G.</summary>
    public int NumGroups { get; }

    /// <summary>C.</summary>
    public int NumChannels { get; }

    /// <summary>The settings.</summary>
    public GroupNormOptions Options { get; }

    /// <summary>γ (C), or null without affine.</summary>
    public Parameter? Weight { get; }

    /// <summary>β (C), or null without affine.</summary>
    public Parameter? Bias { get; }

    /// <summary>The mean of each (sample, group) (N·G) of the last forward pass.</summary>
    public ReadOnlySpan<double> Mean => _core.Mean;

    /// <summary>The biased variance of each (sample, group) (N·G) of the last forward pass.</summary>
    public ReadOnlySpan<double> Variance => _core.Variance;

    public override IEnumerable<Parameter> Parameters() => Weight is null ? [] : [Weight, Bias!];

    /// <summary>
    /// y for input (N, C, *). The returned tensor belongs to the layer; <paramref name="input"/>
    /// must stay unchanged until <see cref="Backward"/>.
    /// </summary>
    public Tensor Forward(Tensor input)
    {
        var s = input.Shape;
        if (s.Rank < 2 || s[1] != NumChannels)
            throw new ArgumentException($"GroupNorm: expected input (N, {NumChannels}, *), got {s}.", nameof(input));
        int l = s.RowSize / NumChannels;
        return _core.Forward(input, SegmentLayout.Grouped(s[0], NumChannels, NumGroups, l), batchStatistics: true, running: null, updateRunning: false);
    }

    /// <summary>The input gradient; adds into the affine gradients. The returned tensor belongs to the layer.</summary>
    public Tensor Backward(Tensor outputGradient) => _core.Backward(outputGradient);
}
