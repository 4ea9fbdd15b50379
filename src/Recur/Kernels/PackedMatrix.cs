namespace Recur.Kernels;

/// <summary>
/// The right operand of a matrix product (K×N), packed once into the panel layout the GEMM
/// micro-kernels read, so that multiplying by it many times — a recurrent weight at every
/// step of a sequence — packs it once instead of once per product (MKL's cblas_sgemm_pack
/// idea). Packing copies: change the source and pack again. Reusing one PackedMatrix for the
/// same shape allocates nothing.
/// </summary>
public sealed unsafe class PackedMatrix
{
    private float[]? _data;

    /// <summary>K: rows of the packed operand.</summary>
    public int Rows { get; private set; }

    /// <summary>N: columns of the packed operand.</summary>
    public int Columns { get; private set; }

    /// <summary>The SIMD level the panels were laid out for (their width depends on it).</summary>
    internal SimdLevel Level { get; private set; }

    /// <summary>The packed panels, from the first cache line of the (pinned, so never moving) array; null before the first <see cref="Pack"/>.</summary>
    internal float* Pointer { get; private set; }

    /// <summary>
    /// Packs op(B) (K×N): <paramref name="b"/> is row-major K×N, or N×K when
    /// <paramref name="transpose"/> (a PyTorch weight (out × in) used as x·Wᵀ).
    /// </summary>
    public void Pack(ReadOnlySpan<float> b, int rows, int columns, bool transpose = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        if (b.Length < (long)rows * columns)
            throw new ArgumentException($"B has {b.Length} elements; a {(transpose ? $"{columns}×{rows}" : $"{rows}×{columns}")} matrix needs {(long)rows * columns}.", nameof(b));
        Level = Simd.Level;
        int nr = GemmBlocked.KernelShape.For(Level).Nr;
        long size = (long)rows * ((columns + nr - 1) / nr * nr) + CacheLine.Slack;
        if (size > Array.MaxLength) throw new ArgumentException("The packed matrix would not fit in one array.", nameof(b));
        Pointer = CacheLine.Align((float*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref CacheLine.EnsurePinned(ref _data, (int)size)[0]));
        Rows = rows;
        Columns = columns;
        if (rows == 0 || columns == 0) return;
        fixed (float* src = b)
        {
            GemmPacking.PackB(src, transpose ? rows : columns, transpose, 0, 0, rows, columns, nr, Level != SimdLevel.Scalar, Pointer);
        }
    }
}
