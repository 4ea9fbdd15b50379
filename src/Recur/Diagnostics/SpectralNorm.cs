namespace Recur.Diagnostics;

/// <summary>
/// The spectral norm ‖J‖₂ = σ_max(J) = √λ_max(JᵀJ) of a dense matrix by power iteration on
/// JᵀJ (Golub &amp; Van Loan §7.3), in double. Used for ‖∂h_T/∂h_0‖ (docs/theory.md 1.2) and to
/// scale random recurrent weights to a chosen norm.
/// </summary>
public static class SpectralNorm
{
    /// <summary>
    /// σ_max of the rows×cols matrix <paramref name="j"/> (row-major). Iterates v ← JᵀJv/‖JᵀJv‖
    /// from a fixed start until the estimate changes by less than <paramref name="tolerance"/>
    /// (relative) or <paramref name="maxIterations"/> pass.
    /// </summary>
    public static double Compute(ReadOnlySpan<double> j, int rows, int cols, double tolerance = 1e-12, int maxIterations = 10_000)
        => Compute(j, rows, cols, DefaultStart(cols), tolerance, maxIterations);

    /// <summary>A fixed, generic start vector of n values: deterministic, and not orthogonal to the top singular vector in practice.</summary>
    public static double[] DefaultStart(int n)
    {
        var v = new double[n];
        for (int i = 0; i < n; i++) v[i] = 1.0 + 0.1 * Math.Sin(i + 1);
        return v;
    }

    /// <summary>
    /// σ_max as above, iterating from <paramref name="start"/> (cols values, not all zero) and
    /// leaving the converged right singular vector there: a warm start for a sequence of
    /// similar matrices, such as the Jacobian products of successive T.
    /// </summary>
    public static double Compute(ReadOnlySpan<double> j, int rows, int cols, Span<double> start, double tolerance = 1e-12, int maxIterations = 10_000)
    {
        if (j.Length != rows * cols) throw new ArgumentException($"A {rows}×{cols} matrix needs {rows * cols} values.", nameof(j));
        if (start.Length != cols) throw new ArgumentException($"The start vector needs {cols} values.", nameof(start));
        if (rows == 0 || cols == 0) return 0;
        // Iterate on J/max|J_ij|: JᵀJ squares the entries, and the Jacobian products of 1.2 reach
        // 1e−160, whose squares would underflow to 0.
        double scale = 0;
        foreach (double e in j) scale = Math.Max(scale, Math.Abs(e));
        if (scale == 0) return 0;
        if (!double.IsFinite(scale)) return double.NaN;
        var m = new double[j.Length];
        for (int i = 0; i < m.Length; i++) m[i] = j[i] / scale;
        var v = start.ToArray();
        var jv = new double[rows];
        var next = new double[cols];
        if (Normalize(v) == 0) throw new ArgumentException("The start vector is zero.", nameof(start));
        double sigma = 0;
        for (int it = 0; it < maxIterations; it++)
        {
            for (int r = 0; r < rows; r++)
            {
                double s = 0;
                for (int c = 0; c < cols; c++) s += m[r * cols + c] * v[c];
                jv[r] = s;
            }
            Array.Clear(next);
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < cols; c++) next[c] += m[r * cols + c] * jv[r];
            double norm = Normalize(next);
            double estimate = Math.Sqrt(norm);
            if (norm == 0) return 0;
            (v, next) = (next, v);
            if (Math.Abs(estimate - sigma) <= tolerance * estimate)
            {
                sigma = estimate;
                break;
            }
            sigma = estimate;
        }
        v.CopyTo(start);
        return sigma * scale;
    }

    /// <summary>
    /// Rescales the rows×cols float matrix <paramref name="matrix"/> in place so that its spectral
    /// norm is <paramref name="target"/> (docs/theory.md 1.2: W scaled so that ‖W‖ = δ/γ); returns the
    /// norm it had.
    /// </summary>
    public static double ScaleTo(Span<float> matrix, int rows, int cols, double target)
    {
        if (!(target >= 0 && double.IsFinite(target))) throw new ArgumentOutOfRangeException(nameof(target), target, "The target norm must be finite and ≥ 0.");
        double norm = Compute(matrix, rows, cols);
        if (norm == 0) throw new ArgumentException("A zero matrix cannot be scaled to a norm.", nameof(matrix));
        float scale = (float)(target / norm);
        for (int i = 0; i < matrix.Length; i++) matrix[i] *= scale;
        return norm;
    }

    /// <summary>σ_max of a float32 matrix.</summary>
    public static double Compute(ReadOnlySpan<float> j, int rows, int cols, double tolerance = 1e-12, int maxIterations = 10_000)
    {
        var d = new double[j.Length];
        for (int i = 0; i < d.Length; i++) d[i] = j[i];
        return Compute(d, rows, cols, tolerance, maxIterations);
    }

    private static double Normalize(double[] x)
    {
        double s = 0;
        foreach (double e in x) s += e * e;
        double n = Math.Sqrt(s);
        if (n > 0) for (int i = 0; i < x.Length; i++) x[i] /= n;
        return n;
    }
}
