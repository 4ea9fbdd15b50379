namespace Recur.Diagnostics;

/// <summary>
/// Eigenvalues of a small symmetric matrix by the cyclic Jacobi method (Golub &amp; Van Loan,
/// §8.5): plane rotations annihilate off-diagonal entries until they vanish. Slow (O(n³) per
/// sweep) but simple and accurate to round-off, which is what an independent check of the
/// power iteration needs.
/// </summary>
public static class SymmetricEigen
{
    /// <summary>The eigenvalues of the symmetric n×n matrix <paramref name="a"/> (row-major), ascending.</summary>
    public static double[] Eigenvalues(ReadOnlySpan<double> a, int n)
    {
        if (a.Length != n * n) throw new ArgumentException($"A {n}×{n} matrix needs {n * n} values.", nameof(a));
        var m = a.ToArray();
        for (int i = 0; i < n; i++)
            for (int j = 0; j < i; j++)
                if (Math.Abs(m[i * n + j] - m[j * n + i]) > 1e-9 * (Math.Abs(m[i * n + j]) + Math.Abs(m[j * n + i]) + 1e-300))
                    throw new ArgumentException("The matrix is not symmetric.", nameof(a));
        for (int sweep = 0; sweep < 100; sweep++)
        {
            double off = 0, diag = 0;
            for (int i = 0; i < n; i++)
            {
                diag += m[i * n + i] * m[i * n + i];
                for (int j = i + 1; j < n; j++) off += m[i * n + j] * m[i * n + j];
            }
            if (off <= 1e-30 * diag || off == 0) break;
            for (int p = 0; p < n; p++)
                for (int q = p + 1; q < n; q++)
                {
                    double apq = m[p * n + q];
                    if (apq == 0) continue;
                    // The rotation angle that zeroes m[p,q]: θ = (a_qq − a_pp) / (2 a_pq), t = tan.
                    double theta = (m[q * n + q] - m[p * n + p]) / (2 * apq);
                    double t = Math.Sign(theta == 0 ? 1 : theta) / (Math.Abs(theta) + Math.Sqrt(theta * theta + 1));
                    double c = 1 / Math.Sqrt(t * t + 1), s = t * c;
                    for (int k = 0; k < n; k++)
                    {
                        double akp = m[k * n + p], akq = m[k * n + q];
                        m[k * n + p] = c * akp - s * akq;
                        m[k * n + q] = s * akp + c * akq;
                    }
                    for (int k = 0; k < n; k++)
                    {
                        double apk = m[p * n + k], aqk = m[q * n + k];
                        m[p * n + k] = c * apk - s * aqk;
                        m[q * n + k] = s * apk + c * aqk;
                    }
                }
        }
        var values = new double[n];
        for (int i = 0; i < n; i++) values[i] = m[i * n + i];
        Array.Sort(values);
        return values;
    }
}
