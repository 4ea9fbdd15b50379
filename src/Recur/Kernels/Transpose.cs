namespace Recur.Kernels;

/// <summary>
/// Matrix transposition, row-major in and out. Layers use it to lay a weight out once per
/// forward pass so that the many small per-step products that follow read it contiguously
/// (Gemm packs a transposed operand with strided reads on every call), and to add a product
/// computed in the cheaper orientation into a gradient. Blocked 16×16 so that both the reads and
/// the writes of a block stay in L1.
/// </summary>
public static class Transpose
{
    private const int Block = 16;

    /// <summary>dst (cols × rows) ← srcᵀ, where src is rows × cols. The spans must not overlap.</summary>
    public static void Copy(ReadOnlySpan<float> src, Span<float> dst, int rows, int cols) => Run(src, dst, rows, cols, accumulate: false);

    /// <summary>dst (cols × rows) += srcᵀ, where src is rows × cols. The spans must not overlap.</summary>
    public static void AddTo(ReadOnlySpan<float> src, Span<float> dst, int rows, int cols) => Run(src, dst, rows, cols, accumulate: true);

    private static void Run(ReadOnlySpan<float> src, Span<float> dst, int rows, int cols, bool accumulate)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(cols);
        long size = (long)rows * cols;
        if (src.Length < size) throw new ArgumentException($"The source has {src.Length} elements; a {rows}×{cols} matrix needs {size}.", nameof(src));
        if (dst.Length < size) throw new ArgumentException($"The destination has {dst.Length} elements; a {cols}×{rows} matrix needs {size}.", nameof(dst));
        if (src[..(int)size].Overlaps(dst[..(int)size])) throw new ArgumentException("Source and destination must not overlap.", nameof(dst));
        for (int i0 = 0; i0 < rows; i0 += Block)
        {
            int i1 = Math.Min(rows, i0 + Block);
            for (int j0 = 0; j0 < cols; j0 += Block)
            {
                int j1 = Math.Min(cols, j0 + Block);
                for (int i = i0; i < i1; i++)
                {
                    var row = src.Slice(i * cols, cols);
                    if (accumulate)
                        for (int j = j0; j < j1; j++) dst[j * rows + i] += row[j];
                    else
                        for (int j = j0; j < j1; j++) dst[j * rows + i] = row[j];
                }
            }
        }
    }
}
