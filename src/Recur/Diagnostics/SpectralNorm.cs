namespace Recur.Diagnostics;

/// <summary>
/// The spectral norm ‖J‖₂ = σ_max(J) = √λ_max(JᵀJ) of a dense matrix by power iteration on
/// JᵀJ (Golub &amp; Van Loan §7.3), in double. Used for ‖∂h_T/∂h_0‖ (theory.md 1.2) and to
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
    {
        if (j.Length != rows * cols) throw new ArgumentException($"A {rows}×{cols} matrix needs {rows * cols} values.", nameof(j));
        if (rows == 0 || cols == 0) return 0;
        var v = new double[cols];
        var jv = new double[rows];
        var next = new double[cols];
        // A fixed, generic start vector: deterministic, and not orthogonal to the top singular vector in practice.
        for (int i = 0; i < cols; i++) v[i] = 1.0 + 0.1 * Math.Sin(i + 1);
        Normalize(v);
        double sigma = 0;
        for (int it = 0; it < maxIterations; it++)
        {
            for (int r = 0; r < rows; r++)
            {
                double s = 0;
                for (int c = 0; c < cols; c++) s += j[r * cols + c] * v[c];
                jv[r] = s;
            }
            Array.Clear(next);
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < cols; c++) next[c] += j[r * cols + c] * jv[r];
            double norm = Normalize(next);
            double estimate = Math.Sqrt(norm);
            (v, next) = (next, v);
            if (norm == 0) return 0;
            if (Math.Abs(estimate - sigma) <= tolerance * estimate) return estimate;
            sigma = estimate;
        }
        return sigma;
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
