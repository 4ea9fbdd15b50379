using Recur.Kernels;
using Recur.Tensors;

namespace Recur.Nn.Normalization;

/// <summary>
/// What batch, instance and group norm share: the cached statistics, the input kept for the
/// backward pass, reusable output buffers and the calls into <see cref="SegmentNormalization"/>.
/// Dimension glossary: G statistics groups, C channels.
/// </summary>
internal sealed class SegmentNormCore(string layer, Parameter? weight, Parameter? bias, double eps)
{
    private double[]? _mean, _variance, _rstd, _scratch;   // (G), (G), (G), see ScratchLength
    private Tensor? _output, _inputGrad, _input;
    private SegmentLayout _layout;
    private bool _batchStatistics;

    /// <summary>Group means of the last forward pass (G).</summary>
    public ReadOnlySpan<double> Mean => _mean is null ? [] : _mean.AsSpan(0, _layout.Groups);

    /// <summary>Group biased variances of the last forward pass (G).</summary>
    public ReadOnlySpan<double> Variance => _variance is null ? [] : _variance.AsSpan(0, _layout.Groups);

    /// <summary>
    /// Normalizes <paramref name="input"/> with its own statistics (<paramref name="batchStatistics"/>),
    /// optionally folding them into <paramref name="running"/>, or with the running statistics.
    /// </summary>
    public Tensor Forward(Tensor input, SegmentLayout layout, bool batchStatistics, RunningStatistics? running, bool updateRunning)
    {
        int groups = layout.Groups;
        var mean = LayerBuffers.AtLeast(ref _mean, groups).AsSpan(0, groups);
        var variance = LayerBuffers.AtLeast(ref _variance, groups).AsSpan(0, groups);
        var rstd = LayerBuffers.AtLeast(ref _rstd, groups).AsSpan(0, groups);
        if (!batchStatistics) running!.Fill(layout, eps, mean, variance, rstd);
        var y = LayerBuffers.Like(ref _output, input.Shape);
        SegmentNormalization.Forward(input.Span, y.Span, layout, Span(weight), Span(bias), batchStatistics, eps, mean, variance, rstd);
        if (batchStatistics && updateRunning) running!.Update(layout, mean, variance);
        _layout = layout;
        _batchStatistics = batchStatistics;
        _input = input;
        return y;
    }

    /// <summary>The input gradient; adds into the weight and bias gradients.</summary>
    public Tensor Backward(Tensor outputGradient)
    {
        var input = _input ?? throw new InvalidOperationException($"{layer}: Backward was called before Forward.");
        if (outputGradient.Shape != input.Shape)
            throw new ArgumentException($"{layer}: the output gradient has shape {outputGradient.Shape}; the output had shape {input.Shape}.", nameof(outputGradient));
        var dx = LayerBuffers.Like(ref _inputGrad, input.Shape);
        var scratch = LayerBuffers.AtLeast(ref _scratch, SegmentNormalization.ScratchLength(_layout));
        SegmentNormalization.Backward(outputGradient.Span, input.Span, dx.Span, _layout, Span(weight), _batchStatistics,
            Mean, _rstd.AsSpan(0, _layout.Groups), weight is null ? [] : weight.Grad.Span, bias is null ? [] : bias.Grad.Span, scratch);
        return dx;
    }

    private static ReadOnlySpan<float> Span(Parameter? p) => p is null ? [] : p.Value.Span;
}
