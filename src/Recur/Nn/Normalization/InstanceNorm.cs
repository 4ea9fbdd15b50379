using Recur.Kernels;
using Recur.Tensors;

namespace Recur.Nn.Normalization;

/// <summary>
/// Settings of <see cref="InstanceNorm"/>. The defaults are PyTorch's InstanceNorm1d, which
/// differ from batch norm's: no affine and no running statistics (as PyTorch's nn.InstanceNorm1d; a frequent surprise).
/// </summary>
/// <param name="Eps">ε added to the variance.</param>
/// <param name="Momentum">Weight of the new batch in the running statistics.</param>
/// <param name="Affine">Learn a per-channel scale γ (weight) and shift β (bias).</param>
/// <param name="TrackRunningStats">Keep running statistics and use them in evaluation.</param>
public sealed record InstanceNormOptions(double Eps = 1e-5, double Momentum = 0.1, bool Affine = false, bool TrackRunningStats = false);

/// <summary>
/// Instance normalization (Ulyanov et al. 2016), as PyTorch's InstanceNorm1d, over input
/// (N, C, L) or unbatched (C, L) (N batch, C channels, L length): each (sample, channel) row is
/// normalized over L with its own mean and biased variance, y = x̂·γ_c + β_c. With running
/// statistics, training folds the per-channel averages over the batch of the rows' means and
/// unbiased variances into running_mean / running_var, and evaluation uses them. Statistics
/// accumulate in double. Unlike PyTorch (which only warns), C must equal num_features even
/// without affine.
/// </summary>
public sealed class InstanceNorm : Module
{
    private readonly SegmentNormCore _core;
    private readonly RunningStatistics? _running;
    private readonly string _prefix;

    /// <param name="numFeatures">C, the number of channels.</param>
    /// <param name="options">Settings; PyTorch's defaults when null.</param>
    /// <param name="prefix">Name prefix of the parameters and buffers.</param>
    public InstanceNorm(int numFeatures, InstanceNormOptions? options = null, string prefix = "")
    {
        Options = options ?? new InstanceNormOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(numFeatures, 1);
        NormalizationSetup.Eps(Options.Eps);
        NormalizationSetup.Momentum(Options.Momentum);
        NumFeatures = numFeatures;
        _prefix = prefix;
        if (Options.Affine)
        {
            Weight = NormalizationSetup.Gain(prefix, new Shape(numFeatures));
            Bias = NormalizationSetup.Shift(prefix, new Shape(numFeatures));
        }
        if (Options.TrackRunningStats) _running = new RunningStatistics(numFeatures, Options.Momentum);
        _core = new SegmentNormCore("InstanceNorm", Weight, Bias, Options.Eps);
    }

    /// <summary>C.</summary>
    public int NumFeatures { get; }

    /// <summary>The settings.</summary>
    public InstanceNormOptions Options { get; }

    /// <summary>γ (C), or null without affine.</summary>
    public Parameter? Weight { get; }

    /// <summary>β (C), or null without affine.</summary>
    public Parameter? Bias { get; }

    /// <summary>running_mean (C), or null without running statistics.</summary>
    public Tensor? RunningMean => _running?.Mean;

    /// <summary>running_var (C), or null without running statistics.</summary>
    public Tensor? RunningVar => _running?.Variance;

    /// <summary>The mean of each (sample, channel) row (N·C) the last forward pass normalized with.</summary>
    public ReadOnlySpan<double> Mean => _core.Mean;

    /// <summary>The variance of each (sample, channel) row (N·C) the last forward pass normalized with.</summary>
    public ReadOnlySpan<double> Variance => _core.Variance;

    public override IEnumerable<Parameter> Parameters() => Weight is null ? [] : [Weight, Bias!];

    /// <summary>The buffers, named as in PyTorch's state_dict (running_mean, running_var).</summary>
    public IEnumerable<(string Name, Tensor Value)> Buffers() => _running is null ? [] : _running.Buffers(_prefix);

    /// <summary>
    /// y for input (N, C, L) or (C, L). The returned tensor belongs to the layer;
    /// <paramref name="input"/> must stay unchanged until <see cref="Backward"/>.
    /// </summary>
    public Tensor Forward(Tensor input)
    {
        var s = input.Shape;
        if (s.Rank is not (2 or 3) || s[-2] != NumFeatures)
            throw new ArgumentException($"InstanceNorm: expected input (N, {NumFeatures}, L) or ({NumFeatures}, L), got {s}.", nameof(input));
        int n = s.Rank == 3 ? s[0] : 1, l = s[-1];
        bool instanceStatistics = Training || _running is null;
        if (instanceStatistics && l <= 1)
            throw new ArgumentException($"Expected more than 1 spatial element when training, got input size {s}.", nameof(input));
        return _core.Forward(input, SegmentLayout.Instance(n, NumFeatures, l), instanceStatistics, _running, updateRunning: Training && _running is not null);
    }

    /// <summary>The input gradient; adds into the affine gradients. The returned tensor belongs to the layer.</summary>
    public Tensor Backward(Tensor outputGradient) => _core.Backward(outputGradient);
}
