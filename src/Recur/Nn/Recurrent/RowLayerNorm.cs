using System.Numerics.Tensors;
using Recur.Kernels;

namespace Recur.Nn.Recurrent;

// Dimension glossary: R rows (B batch rows, or T·B for a whole sequence), N features per row.

/// <summary>
/// Layer normalization of each row of a row-major (R, N) matrix (Ba, Kiros &amp; Hinton 2016,
/// eq. 4): y = γ ⊙ x̂ + β with x̂ = (x − μ)/√(σ² + ε), μ and the biased σ² taken over the row,
/// as PyTorch's LayerNorm (ε = 1e-5). The recurrent layers need it on gate pre-activations and
/// on the LSTM cell; the general LayerNorm module lives in Nn/Normalization. Forward caches x̂
/// and 1/√(σ² + ε), which is all Backward needs. Means and variances accumulate in double.
/// </summary>
internal static class RowLayerNorm
{
    /// <summary>ε in √(σ² + ε), PyTorch's default.</summary>
    public const float Epsilon = 1e-5f;

    /// <summary>
    /// y ← γ ⊙ x̂ + β (or y += γ ⊙ x̂ + β when <paramref name="accumulate"/>), row by row.
    /// <paramref name="xhat"/> (R, N) and <paramref name="rstd"/> (R) receive the cache;
    /// <paramref name="xhat"/> may be <paramref name="x"/> itself, and <paramref name="y"/> may be
    /// <paramref name="x"/> (each row is read before it is written).
    /// </summary>
    public static void Forward(ReadOnlySpan<float> x, ReadOnlySpan<float> gain, ReadOnlySpan<float> shift,
        Span<float> xhat, Span<float> rstd, Span<float> y, int rows, bool accumulate)
    {
        int n = gain.Length;
        Check(x.Length, xhat.Length, y.Length, rstd.Length, shift.Length, rows, n);
        for (int r = 0; r < rows; r++)
        {
            var xr = x.Slice(r * n, n);
            var hr = xhat.Slice(r * n, n);
            var yr = y.Slice(r * n, n);
            float mean = (float)(Reductions.Sum(xr) / n);
            TensorPrimitives.Subtract(xr, mean, hr);
            // Two passes (subtract the mean, then square) avoid the cancellation of E[x²] − μ².
            float inv = (float)(1.0 / Math.Sqrt(Reductions.SumOfSquares(hr) / n + Epsilon));
            TensorPrimitives.Multiply(hr, inv, hr);
            rstd[r] = inv;
            if (accumulate)
            {
                TensorPrimitives.FusedMultiplyAdd(hr, gain, yr, yr);
                TensorPrimitives.Add(yr, shift, yr);
            }
            else
            {
                TensorPrimitives.FusedMultiplyAdd(hr, gain, shift, yr);
            }
        }
    }

    /// <summary>
    /// The gradient through <see cref="Forward"/>: dγ += Σ_rows dy ⊙ x̂, dβ += Σ_rows dy, and
    /// dx = rstd·(dx̂ − mean(dx̂) − x̂·mean(dx̂ ⊙ x̂)) with dx̂ = dy ⊙ γ (overwritten, not added).
    /// <paramref name="dx"/> may be <paramref name="dy"/>.
    /// </summary>
    public static void Backward(ReadOnlySpan<float> dy, ReadOnlySpan<float> xhat, ReadOnlySpan<float> rstd, ReadOnlySpan<float> gain,
        Span<float> dGain, Span<float> dShift, Span<float> dx, int rows)
    {
        int n = gain.Length;
        Check(dy.Length, xhat.Length, dx.Length, rstd.Length, dShift.Length, rows, n);
        if (dGain.Length != n) throw new ArgumentException($"dGain has {dGain.Length} elements, needs {n}.", nameof(dGain));
        for (int r = 0; r < rows; r++)
        {
            var dyr = dy.Slice(r * n, n);
            var hr = xhat.Slice(r * n, n);
            var dxr = dx.Slice(r * n, n);
            TensorPrimitives.FusedMultiplyAdd(dyr, hr, dGain, dGain);
            TensorPrimitives.Add(dShift, dyr, dShift);
            TensorPrimitives.Multiply(dyr, gain, dxr);
            float meanDxhat = (float)(Reductions.Sum(dxr) / n);
            float meanDxhatXhat = (float)(Reductions.Dot(dxr, hr) / n);
            TensorPrimitives.MultiplyAdd(hr, -meanDxhatXhat, dxr, dxr);
            TensorPrimitives.Add(dxr, -meanDxhat, dxr);
            TensorPrimitives.Multiply(dxr, rstd[r], dxr);
        }
    }

    private static void Check(int x, int xhat, int y, int rstd, int shift, int rows, int n)
    {
        long need = (long)rows * n;
        if (x < need || xhat < need || y < need)
            throw new ArgumentException($"Row layer norm over ({rows}, {n}) needs {need} elements per matrix; got {x}, {xhat}, {y}.");
        if (rstd < rows) throw new ArgumentException($"rstd has {rstd} elements, needs {rows}.");
        if (shift != n) throw new ArgumentException($"The shift has {shift} elements, the gain {n}.");
    }
}
