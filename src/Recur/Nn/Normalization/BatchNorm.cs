using Recur.Kernels;
using Recur.Tensors;

namespace Recur.Nn.Normalization;

/// <summary>Settings of <see cref="BatchNorm"/>; the defaults are PyTorch's BatchNorm1d.</summary>
/// <param name="Eps">ε added to the variance.</param>
/// <param name="Momentum">Weight of the new batch in the running statistics; null for a cumulative average
/// (PyTorch allows this; TorchSharp's non-nullable momentum cannot express it).</param>
/// <param name="Affine">Learn a per-channel scale γ (weight) and shift β (bias).</param>
/// <param name="TrackRunningStats">Keep running statistics and use them in evaluation; without them
/// evaluation normalizes with the batch's statistics too.</param>
public sealed record BatchNormOptions(double Eps = 1e-5, double? Momentum = 0.1, bool Affine = true, bool TrackRunningStats = true);

/// <summary>
/// Batch normalization (Ioffe &amp; Szegedy 2015), as PyTorch's BatchNorm1d, over input (N, C) or
/// (N, C, L) (N batch, C channels, L length): y = (x − μ_c)/√(σ²_c + ε)·γ_c + β_c, with μ, σ²
/// per channel over N and L. Training normalizes with the batch's biased variance and moves the
/// running statistics toward its mean and UNBIASED variance (docs/theory.md 4.1; PyTorch's documented
/// n/(n − 1) correction); evaluation uses the running statistics. Statistics accumulate in
/// double. Parameters: weight (C) = 1, bias (C) = 0; buffers running_mean (C) = 0,
/// running_var (C) = 1.
/// </summary>
public sealed class BatchNorm : Module
{
    private readonly SegmentNormCore _core;
    private readonly RunningStatistics? _running;
    private readonly string _prefix;

    /// <param name="numFeatures">C, the number of channels.</param>
    /// <param name="options">Settings; PyTorch's defaults when null.</param>
    /// <param name="prefix">Name prefix of the parameters and buffers (e.g. "bn" gives "bn.weight").</param>
    public BatchNorm(int numFeatures, BatchNormOptions? options = null, string prefix = "")
    {
        Options = options ?? new BatchNormOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(numFeatures, 1);
        NormalizationSetup.Eps(Options.Eps);
        if (Options.Momentum is { } m) NormalizationSetup.Momentum(m);
        NumFeatures = numFeatures;
        _prefix = prefix;
        if (Options.Affine)
        {
            Weight = NormalizationSetup.Gain(prefix, new Shape(numFeatures));
            Bias = NormalizationSetup.Shift(prefix, new Shape(numFeatures));
        }
        if (Options.TrackRunningStats) _running = new RunningStatistics(numFeatures, Options.Momentum);
        _core = new SegmentNormCore("BatchNorm", Weight, Bias, Options.Eps);
    }

    /// <summary>C.</summary>
    public int NumFeatures { get; }

    /// <summary>The settings.</summary>
    public BatchNormOptions Options { get; }

    /// <summary>γ (C), or null without affine.</summary>
    public Parameter? Weight { get; }

    /// <summary>β (C), or null without affine.</summary>
    public Parameter? Bias { get; }

    /// <summary>running_mean (C), or null without running statistics.</summary>
    public Tensor? RunningMean => _running?.Mean;

    /// <summary>running_var (C) — unbiased estimates — or null without running statistics.</summary>
    public Tensor? RunningVar => _running?.Variance;

    /// <summary>num_batches_tracked: training forward passes so far (0 without running statistics).</summary>
    public long NumBatchesTracked
    {
        get => _running?.BatchesTracked ?? 0;
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value);
            if (_running is not null) _running.BatchesTracked = value;
        }
    }

    /// <summary>The per-channel mean (C) the last forward pass normalized with.</summary>
    public ReadOnlySpan<double> Mean => _core.Mean;

    /// <summary>The per-channel variance (C) the last forward pass normalized with (biased, for batch statistics).</summary>
    public ReadOnlySpan<double> Variance => _core.Variance;

    public override IEnumerable<Parameter> Parameters() => Weight is null ? [] : [Weight, Bias!];

    /// <summary>The buffers, named as in PyTorch's state_dict (running_mean, running_var).</summary>
    public IEnumerable<(string Name, Tensor Value)> Buffers() => _running is null ? [] : _running.Buffers(_prefix);

    /// <summary>
    /// y for input (N, C) or (N, C, L). The returned tensor belongs to the layer and is
    /// overwritten by the next call; <paramref name="input"/> must stay unchanged until
    /// <see cref="Backward"/>.
    /// </summary>
    public Tensor Forward(Tensor input)
    {
        var s = input.Shape;
        if (s.Rank is not (2 or 3) || s[1] != NumFeatures)
            throw new ArgumentException($"BatchNorm: expected input (N, {NumFeatures}) or (N, {NumFeatures}, L), got {s}.", nameof(input));
        int n = s[0], l = s.Rank == 3 ? s[2] : 1;
        bool batchStatistics = Training || _running is null;
        if (batchStatistics && n * l <= 1)
            throw new ArgumentException($"Expected more than 1 value per channel when training, got input size {s}.", nameof(input));
        return _core.Forward(input, SegmentLayout.Batch(n, NumFeatures, l), batchStatistics, _running, updateRunning: Training && _running is not null);
    }

    /// <summary>
    /// The input gradient for the last <see cref="Forward"/>; adds ∂L/∂γ = Σ dy·x̂ and ∂L/∂β = Σ dy
    /// into the parameter gradients. In training the gradient flows through the batch mean and
    /// variance. The returned tensor belongs to the layer.
    /// </summary>
    public Tensor Backward(Tensor outputGradient) => _core.Backward(outputGradient);
}
