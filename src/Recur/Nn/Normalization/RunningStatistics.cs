using Recur.Kernels;
using Recur.Tensors;

namespace Recur.Nn.Normalization;

/// <summary>
/// Running mean and variance per channel, as PyTorch's running_mean / running_var buffers
/// (dimension glossary: C channels, G statistics groups). Each training step moves them toward
/// the batch's statistics: r ← (1 − m)·r + m·s, where the variance s is the UNBIASED one,
/// n/(n − 1) times the biased variance the batch was normalized with (Ioffe &amp; Szegedy 2015,
/// Alg. 2; pytorch/pytorch#3122). With momentum null, m = 1/t at step t: a cumulative average.
/// Instance norm has several groups per channel (one per sample); their statistics are
/// averaged first, as PyTorch does.
/// </summary>
internal sealed class RunningStatistics
{
    private readonly double[] _sumMean, _sumVariance;
    private readonly int[] _groups;

    public RunningStatistics(int channels, double? momentum)
    {
        Momentum = momentum;
        Mean = Tensor.Zeros(channels);
        Variance = Tensor.Zeros(channels);
        Variance.Span.Fill(1f);
        _sumMean = new double[channels];
        _sumVariance = new double[channels];
        _groups = new int[channels];
    }

    /// <summary>running_mean (C), zeros at first.</summary>
    public Tensor Mean { get; }

    /// <summary>running_var (C), ones at first.</summary>
    public Tensor Variance { get; }

    /// <summary>Momentum, or null for a cumulative average.</summary>
    public double? Momentum { get; }

    /// <summary>num_batches_tracked: training steps taken so far.</summary>
    public long BatchesTracked { get; set; }

    /// <summary>running_mean and running_var named as in PyTorch's state_dict.</summary>
    public IEnumerable<(string Name, Tensor Value)> Buffers(string prefix) =>
        [(LayerBuffers.Name(prefix, "running_mean"), Mean), (LayerBuffers.Name(prefix, "running_var"), Variance)];

    /// <summary>One training step: folds in the groups' means and biased variances (G) per channel.</summary>
    public void Update(SegmentLayout layout, ReadOnlySpan<double> groupMean, ReadOnlySpan<double> groupVariance)
    {
        BatchesTracked++;
        double m = Momentum ?? 1.0 / BatchesTracked;
        double unbiased = layout.GroupSize / (layout.GroupSize - 1.0);
        Array.Clear(_sumMean);
        Array.Clear(_sumVariance);
        Array.Clear(_groups);
        for (int g = 0, c = 0; g < layout.Groups; g++, c = layout.NextGroup(c))
        {
            _sumMean[c] += groupMean[g];
            _sumVariance[c] += groupVariance[g] * unbiased;
            _groups[c]++;
        }
        var mean = Mean.Span;
        var variance = Variance.Span;
        for (int c = 0; c < mean.Length; c++)
        {
            mean[c] = (float)((1 - m) * mean[c] + m * (_sumMean[c] / _groups[c]));
            variance[c] = (float)((1 - m) * variance[c] + m * (_sumVariance[c] / _groups[c]));
        }
    }

    /// <summary>Each group's mean and 1/√(var + ε) from the running statistics of its channel (evaluation).</summary>
    public void Fill(SegmentLayout layout, double eps, Span<double> mean, Span<double> variance, Span<double> rstd)
    {
        var rm = Mean.Span;
        var rv = Variance.Span;
        for (int g = 0, c = 0; g < layout.Groups; g++, c = layout.NextGroup(c))
        {
            mean[g] = rm[c];
            variance[g] = rv[c];
            rstd[g] = 1 / Math.Sqrt(rv[c] + eps);
        }
    }
}
