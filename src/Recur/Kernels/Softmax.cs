using System.Numerics.Tensors;

namespace Recur.Kernels;

/// <summary>
/// Numerically stable softmax, log-softmax and log-sum-exp over one row. Every one subtracts
/// the row maximum first (docs/architecture.md, conventions): exp(x − max) ≤ 1 never overflows, and at least
/// one term equals 1, so the sum never underflows to 0. (TensorPrimitives.SoftMax does not
/// subtract the max, so it is not used on logits.) The exponentials and the max go through
/// TensorPrimitives; the sum is accumulated in double.
/// A row of all −∞ has no distribution: log-sum-exp is −∞ and softmax is NaN, as in PyTorch.
/// </summary>
public static class Softmax
{
    private const int ChunkSize = 256;

    /// <summary>log Σ_i exp(x_i). −∞ for an empty row.</summary>
    public static float LogSumExp(ReadOnlySpan<float> x)
    {
        if (x.IsEmpty) return float.NegativeInfinity;
        float max = TensorPrimitives.Max(x);
        if (float.IsNegativeInfinity(max) || float.IsPositiveInfinity(max) || float.IsNaN(max)) return max;
        Span<float> chunk = stackalloc float[ChunkSize];
        double sum = 0;
        for (int start = 0; start < x.Length; start += ChunkSize)
        {
            int len = Math.Min(ChunkSize, x.Length - start);
            var part = chunk[..len];
            TensorPrimitives.Subtract(x.Slice(start, len), max, part);
            TensorPrimitives.Exp(part, part);
            sum += Reductions.Sum(part);
        }
        return (float)(max + Math.Log(sum));
    }

    /// <summary>y_i = exp(x_i − max) / Σ_j exp(x_j − max). y may alias x.</summary>
    public static void Forward(ReadOnlySpan<float> x, Span<float> y)
    {
        CheckDestination(x, y);
        if (x.IsEmpty) return;
        float max = TensorPrimitives.Max(x);
        var dst = y[..x.Length];
        TensorPrimitives.Subtract(x, max, dst);
        TensorPrimitives.Exp(dst, dst);
        double sum = Reductions.Sum(dst);
        TensorPrimitives.Multiply(dst, (float)(1.0 / sum), dst);
    }

    /// <summary>y_i = x_i − log Σ_j exp(x_j). y may alias x.</summary>
    public static void LogForward(ReadOnlySpan<float> x, Span<float> y)
    {
        CheckDestination(x, y);
        if (x.IsEmpty) return;
        float lse = LogSumExp(x);
        TensorPrimitives.Subtract(x, lse, y[..x.Length]);
    }

    private static void CheckDestination(ReadOnlySpan<float> x, Span<float> y)
    {
        if (y.Length < x.Length) throw new ArgumentException($"Destination has {y.Length} elements, needs {x.Length}.", nameof(y));
    }
}
