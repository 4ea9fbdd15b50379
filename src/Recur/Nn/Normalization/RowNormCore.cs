using Recur.Kernels;
using Recur.Tensors;

namespace Recur.Nn.Normalization;

/// <summary>
/// What layer norm and RMS norm share: the trailing normalized shape, the per-row statistics,
/// the input kept for the backward pass, reusable buffers and the calls into
/// <see cref="RowNormalization"/>. Dimension glossary: R rows (the product of the leading
/// dimensions), M elements per row (the product of the normalized shape).
/// </summary>
internal sealed class RowNormCore
{
    private readonly string _layer;
    private readonly int[] _normalizedShape;
    private readonly bool _centered;
    private readonly double _eps;
    private readonly Parameter? _weight, _bias;
    private readonly float[] _ones, _zeros;                 // (M): γ and β when a layer has none
    private double[]? _mean, _variance, _rstd, _sums;       // (R), (R), (R), ScratchLength
    private Tensor? _output, _inputGrad, _input;
    private int _rows;

    public RowNormCore(string layer, int[] normalizedShape, bool centered, double eps, Parameter? weight, Parameter? bias)
    {
        _layer = layer;
        _normalizedShape = normalizedShape;
        _centered = centered;
        _eps = eps;
        _weight = weight;
        _bias = bias;
        Length = new Shape(normalizedShape).Size;
        _ones = new float[Length];
        _ones.AsSpan().Fill(1f);
        _zeros = new float[Length];
    }

    /// <summary>M.</summary>
    public int Length { get; }

    /// <summary>Row means of the last forward pass (R); zeros for RMS norm.</summary>
    public ReadOnlySpan<double> Mean => _mean is null ? [] : _mean.AsSpan(0, _rows);

    /// <summary>Row biased variances (layer norm) or mean squares (RMS norm) of the last forward pass (R).</summary>
    public ReadOnlySpan<double> Variance => _variance is null ? [] : _variance.AsSpan(0, _rows);

    public Tensor Forward(Tensor input)
    {
        var s = input.Shape;
        int k = _normalizedShape.Length;
        bool ok = s.Rank >= k;
        for (int i = 0; ok && i < k; i++) ok = s[s.Rank - k + i] == _normalizedShape[i];
        if (!ok)
            throw new ArgumentException($"{_layer}: expected input (*, {string.Join(", ", _normalizedShape)}) ending in the normalized shape, got {s}.", nameof(input));
        int rows = s.Size / Math.Max(1, Length);
        var mean = LayerBuffers.AtLeast(ref _mean, rows).AsSpan(0, rows);
        var variance = LayerBuffers.AtLeast(ref _variance, rows).AsSpan(0, rows);
        var rstd = LayerBuffers.AtLeast(ref _rstd, rows).AsSpan(0, rows);
        var y = LayerBuffers.Like(ref _output, s);
        ReadOnlySpan<float> gamma = _weight is null ? _ones : _weight.Value.Span;
        ReadOnlySpan<float> beta = _bias is null ? _zeros : _bias.Value.Span;
        RowNormalization.Forward(input.Span, y.Span, rows, Length, gamma, beta, _centered, _eps, mean, variance, rstd);
        _rows = rows;
        _input = input;
        return y;
    }

    public Tensor Backward(Tensor outputGradient)
    {
        var input = _input ?? throw new InvalidOperationException($"{_layer}: Backward was called before Forward.");
        if (outputGradient.Shape != input.Shape)
            throw new ArgumentException($"{_layer}: the output gradient has shape {outputGradient.Shape}; the output had shape {input.Shape}.", nameof(outputGradient));
        var dx = LayerBuffers.Like(ref _inputGrad, input.Shape);
        int need = RowNormalization.ScratchLength(_rows, Length);
        var sums = LayerBuffers.AtLeast(ref _sums, need);
        ReadOnlySpan<float> gamma = _weight is null ? _ones : _weight.Value.Span;
        RowNormalization.Backward(outputGradient.Span, input.Span, dx.Span, _rows, Length, gamma, _centered, Mean, _rstd.AsSpan(0, _rows),
            _weight is null ? [] : _weight.Grad.Span, _bias is null ? [] : _bias.Grad.Span, sums);
        return dx;
    }
}
