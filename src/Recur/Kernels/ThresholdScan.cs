using System.Numerics;

namespace Recur.Kernels;

/// <summary>What <see cref="ThresholdScan"/> reports to: the elements of a row at or above a threshold it may raise as they come.</summary>
internal interface IThresholdVisitor
{
    /// <summary>The current bound: elements below it are skipped.</summary>
    float Threshold { get; }

    /// <summary>Element <paramref name="index"/> (of value <paramref name="value"/>) reached the threshold; true when the threshold may have changed.</summary>
    bool Visit(int index, float value);
}

/// <summary>
/// Offers the elements of a row that reach a moving threshold (beam search's entry bound of
/// its candidate heap), in index order: a vector compare against the threshold skips whole
/// vectors of elements that cannot enter, so only the few that might are visited. Written
/// once over the vector width; the tail runs the same body one lane at a time.
/// </summary>
internal static unsafe class ThresholdScan
{
    /// <summary>Visits the elements of <paramref name="row"/> that are ≥ the visitor's threshold at the time they are compared.</summary>
    public static void Run<TVisitor>(ReadOnlySpan<float> row, TVisitor visitor) where TVisitor : struct, IThresholdVisitor
    {
        fixed (float* p = row)
        {
            var loop = new Loop<TVisitor>(p, row.Length, visitor);
            VectorLoop.Run(ref loop);
        }
    }

    // The elements are a static method, whose parameters the JIT keeps in registers.
    private readonly struct Loop<TVisitor>(float* row, int n, TVisitor visitor) : IVectorLoop where TVisitor : struct, IThresholdVisitor
    {
        public void Run<W, V>() where W : struct, IVectorWidth<V> where V : struct
        {
            float threshold = visitor.Threshold;
            int w = Elements<TVisitor, W, V>(row, n, visitor, 0, ref threshold);
            Elements<TVisitor, Width1, float>(row, n, visitor, w, ref threshold);
        }
    }

    private static int Elements<TVisitor, W, V>(float* row, int n, TVisitor visitor, int w, ref float threshold)
        where TVisitor : struct, IThresholdVisitor where W : struct, IVectorWidth<V> where V : struct
    {
        for (; w <= n - W.Count; w += W.Count)
        {
            ulong hits = W.MaskBits(W.GreaterThanOrEqual(W.Load(row + w), W.Broadcast(threshold)));
            for (; hits != 0; hits &= hits - 1)
            {
                int index = w + BitOperations.TrailingZeroCount(hits);
                if (visitor.Visit(index, row[index])) threshold = visitor.Threshold;
            }
        }
        return w;
    }
}
