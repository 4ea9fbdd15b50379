using System.Numerics.Tensors;

namespace Recur.Kernels;

/// <summary>Elementwise BLAS-1 style operations, all through TensorPrimitives.</summary>
public static class Elementwise
{
    /// <summary>y ← a·x + y (BLAS saxpy).</summary>
    public static void Axpy(float a, ReadOnlySpan<float> x, Span<float> y)
    {
        if (x.Length != y.Length) throw new ArgumentException($"Lengths differ: {x.Length} and {y.Length}.");
        TensorPrimitives.MultiplyAdd(x, a, y, y);
    }

    /// <summary>x ← a·x.</summary>
    public static void Scale(float a, Span<float> x) => TensorPrimitives.Multiply(x, a, x);

    /// <summary>x ← x + a.</summary>
    public static void AddScalar(float a, Span<float> x) => TensorPrimitives.Add(x, a, x);

    /// <summary>y ← x + a.</summary>
    public static void AddScalar(float a, ReadOnlySpan<float> x, Span<float> y)
    {
        if (y.Length < x.Length) throw new ArgumentException($"Destination has {y.Length} elements, needs {x.Length}.", nameof(y));
        TensorPrimitives.Add(x, a, y);
    }

    /// <summary>x ← eˣ (TensorPrimitives, within an ulp or two).</summary>
    public static void Exp(Span<float> x) => TensorPrimitives.Exp(x, x);

    /// <summary>y ← x + y.</summary>
    public static void AddTo(ReadOnlySpan<float> x, Span<float> y)
    {
        if (x.Length != y.Length) throw new ArgumentException($"Lengths differ: {x.Length} and {y.Length}.");
        TensorPrimitives.Add(x, y, y);
    }

    /// <summary>Sets every row of a (rows × row.Length) matrix to a row vector (a bias, before a GEMM with β = 1 adds the product).</summary>
    public static void FillRows(ReadOnlySpan<float> row, Span<float> matrix)
    {
        int n = row.Length;
        if (n == 0) return;
        if (matrix.Length % n != 0) throw new ArgumentException($"A matrix of {matrix.Length} elements has no rows of {n}.");
        for (int start = 0; start < matrix.Length; start += n) row.CopyTo(matrix.Slice(start, n));
    }

    /// <summary>Adds a row vector to every row of a (rows × row.Length) matrix.</summary>
    public static void AddRowVector(ReadOnlySpan<float> row, Span<float> matrix)
    {
        int n = row.Length;
        if (n == 0) return;
        if (matrix.Length % n != 0) throw new ArgumentException($"A matrix of {matrix.Length} elements has no rows of {n}.");
        for (int start = 0; start < matrix.Length; start += n)
        {
            var r = matrix.Slice(start, n);
            TensorPrimitives.Add(r, row, r);
        }
    }

    /// <summary>column sums: sums[j] += Σ_i matrix[i, j] (the bias gradient of a linear map).</summary>
    public static void AddColumnSums(ReadOnlySpan<float> matrix, Span<float> sums)
    {
        int n = sums.Length;
        if (n == 0) return;
        if (matrix.Length % n != 0) throw new ArgumentException($"A matrix of {matrix.Length} elements has no rows of {n}.");
        for (int start = 0; start < matrix.Length; start += n)
            TensorPrimitives.Add(sums, matrix.Slice(start, n), sums);
    }
}
