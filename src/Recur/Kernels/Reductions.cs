using System.Numerics.Tensors;

namespace Recur.Kernels;

/// <summary>
/// Reductions over float spans. Sums accumulate in double (docs/architecture.md, conventions): a float
/// accumulator loses about log2(n) bits over n terms, which matters for losses and norms over
/// millions of values. Max and ArgMax go through TensorPrimitives.
/// </summary>
public static unsafe class Reductions
{
    /// <summary>Σ x_i, accumulated in double.</summary>
    public static double Sum(ReadOnlySpan<float> x)
    {
        fixed (float* px = x)
        {
            var loop = new SumLoop(px, px, x.Length, products: false);
            VectorLoop.RunDouble(ref loop);
            return loop.Total;
        }
    }

    /// <summary>Σ x_i², accumulated in double.</summary>
    public static double SumOfSquares(ReadOnlySpan<float> x) => Dot(x, x);

    /// <summary>Σ x_i·y_i, accumulated in double.</summary>
    public static double Dot(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        if (x.Length != y.Length) throw new ArgumentException($"Lengths differ: {x.Length} and {y.Length}.");
        fixed (float* px = x, py = y)
        {
            var loop = new SumLoop(px, py, x.Length, products: true);
            VectorLoop.RunDouble(ref loop);
            return loop.Total;
        }
    }

    // Σ x_i (or Σ x_i·y_i): two accumulators of W widened lanes each over 2W floats at a time,
    // their lanes summed, then the scalar tail in double.
    private struct SumLoop(float* x, float* y, int n, bool products) : IDoubleVectorLoop
    {
        public double Total { get; private set; }

        public void Run<W, V>() where W : struct, IDoubleWidth<V> where V : struct => Total = Sum<W, V>(x, y, n, products);
    }

    // A static method: the JIT keeps its parameters in registers.
    private static double Sum<W, V>(float* x, float* y, int n, bool products) where W : struct, IDoubleWidth<V> where V : struct
    {
        int i = 0;
        double total = 0;
        if (W.Count > 1 && n >= 2 * W.Count)
        {
            V acc0 = W.Broadcast(0), acc1 = acc0;
            for (; i <= n - 2 * W.Count; i += 2 * W.Count)
            {
                V lower = W.LoadWidened(x + i), upper = W.LoadWidened(x + i + W.Count);
                if (products)
                {
                    acc0 = W.FusedMultiplyAdd(lower, W.LoadWidened(y + i), acc0);
                    acc1 = W.FusedMultiplyAdd(upper, W.LoadWidened(y + i + W.Count), acc1);
                }
                else
                {
                    acc0 = W.Add(acc0, lower);
                    acc1 = W.Add(acc1, upper);
                }
            }
            total = W.HorizontalSum(W.Add(acc0, acc1));
        }
        for (; i < n; i++) total += products ? (double)x[i] * y[i] : x[i];
        return total;
    }

    /// <summary>The Euclidean norm √Σx_i², accumulated in double.</summary>
    public static double Norm(ReadOnlySpan<float> x) => Math.Sqrt(SumOfSquares(x));

    /// <summary>The largest element; NaN if any element is NaN. The span must not be empty.</summary>
    public static float Max(ReadOnlySpan<float> x)
    {
        if (x.IsEmpty) throw new ArgumentException("Max of an empty span.", nameof(x));
        return TensorPrimitives.Max(x);
    }

    /// <summary>Index of the first largest element (ties go to the lowest index); -1 when empty.</summary>
    public static int ArgMax(ReadOnlySpan<float> x) => TensorPrimitives.IndexOfMax(x);
}
