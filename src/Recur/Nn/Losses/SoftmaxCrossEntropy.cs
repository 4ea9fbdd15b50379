using System.Numerics.Tensors;
using Tensor = Recur.Tensors.Tensor;

namespace Recur.Nn.Losses;

/// <summary>
/// Softmax cross-entropy, fused, as PyTorch's F.cross_entropy with reduction "mean":
/// L = (1/n) Σ_{r: t_r ≠ ignore} (log Σ_j exp(z_rj) − z_r,t_r), the mean over the n rows whose
/// target is not the ignore index. Dimension glossary: N rows, V classes. The log-sum-exp
/// subtracts the row maximum (docs/architecture.md, conventions; <see cref="Kernels.Softmax.LogSumExp"/>). The
/// gradient is ∂L/∂z_r = (softmax(z_r) − onehot(t_r))/n, and 0 for ignored rows. With every
/// target ignored the loss is NaN (0/0) and the gradient 0, as in PyTorch.
/// </summary>
public sealed class SoftmaxCrossEntropy
{
    /// <summary>PyTorch's default ignore_index.</summary>
    public const int DefaultIgnoreIndex = -100;

    private float[] _logSumExp = [];   // (N)
    private int[] _targets = [];       // (N)
    private Tensor? _logits, _grad;    // (N, V), (N, V)

    /// <param name="ignoreIndex">Targets equal to this contribute neither loss nor gradient.</param>
    public SoftmaxCrossEntropy(int ignoreIndex = DefaultIgnoreIndex)
    {
        IgnoreIndex = ignoreIndex;
    }

    /// <summary>The ignored target value.</summary>
    public int IgnoreIndex { get; }

    /// <summary>Targets counted by the last <see cref="Forward"/> (rows not ignored).</summary>
    public int Count { get; private set; }

    /// <summary>
    /// The mean loss over logits (N, V) and targets (N), each in [0, V) or the ignore index.
    /// <paramref name="logits"/> must stay unchanged until <see cref="Backward"/>.
    /// </summary>
    public double Forward(Tensor logits, ReadOnlySpan<int> targets)
    {
        var s = logits.Shape;
        if (s.Rank != 2 || s[1] < 1) throw new ArgumentException($"SoftmaxCrossEntropy: expected logits (N, V), got {s}.", nameof(logits));
        int n = s[0], v = s[1];
        if (targets.Length != n)
            throw new ArgumentException($"SoftmaxCrossEntropy: {targets.Length} targets for {n} rows of logits.", nameof(targets));
        if (_logSumExp.Length < n)
        {
            _logSumExp = new float[n];
            _targets = new int[n];
        }
        var z = logits.Span;
        double total = 0;
        int count = 0;
        for (int r = 0; r < n; r++)
        {
            int t = targets[r];
            _targets[r] = t;
            if (t == IgnoreIndex) continue;
            if ((uint)t >= (uint)v)
                throw new ArgumentOutOfRangeException(nameof(targets), t, $"SoftmaxCrossEntropy: target {t} of row {r} is outside [0, {v}) and is not the ignore index {IgnoreIndex}.");
            var row = z.Slice(r * v, v);
            float lse = Kernels.Softmax.LogSumExp(row);
            _logSumExp[r] = lse;
            total += (double)lse - row[t];
            count++;
        }
        _logits = logits;
        Count = count;
        return count == 0 ? double.NaN : total / count;
    }

    /// <summary>
    /// ∂L/∂logits (N, V) for the last <see cref="Forward"/>, times <paramref name="lossGradient"/>
    /// (∂ of whatever uses L; 1 when L is the objective). The returned tensor belongs to the loss.
    /// </summary>
    public Tensor Backward(float lossGradient = 1f)
    {
        var logits = _logits ?? throw new InvalidOperationException("SoftmaxCrossEntropy: Backward was called before Forward.");
        int n = logits.Shape[0], v = logits.Shape[1];
        var grad = LayerBuffers.Like(ref _grad, logits.Shape);
        var z = logits.Span;
        var d = grad.Span;
        float scale = Count == 0 ? 0f : lossGradient / Count;
        for (int r = 0; r < n; r++)
        {
            var dr = d.Slice(r * v, v);
            int t = _targets[r];
            if (t == IgnoreIndex || scale == 0f)
            {
                dr.Clear();
                continue;
            }
            TensorPrimitives.Subtract(z.Slice(r * v, v), _logSumExp[r], dr);
            TensorPrimitives.Exp(dr, dr);
            TensorPrimitives.Multiply(dr, scale, dr);
            dr[t] -= scale;
        }
        return grad;
    }
}
