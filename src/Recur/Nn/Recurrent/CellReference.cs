namespace Recur.Nn.Recurrent;

// Dimension glossary: B batch rows, H hidden units, N features of a normalized row.

/// <summary>
/// Plain-loop twins of the fused recurrent kernels (<see cref="LstmCell"/>,
/// <see cref="GruCell"/>, <see cref="RowLayerNorm"/>), written for clarity and computed in
/// double: the test oracle that the vector paths are compared with at every length.
/// </summary>
internal static class CellReference
{
    /// <summary>Twin of <see cref="LstmCell.OutputBackward"/>.</summary>
    public static void LstmOutputBackward(ReadOnlySpan<float> gates, ReadOnlySpan<float> tanhU, ReadOnlySpan<float> dh,
        Span<float> dGates, Span<float> du, int batch, int hidden, bool accumulate)
    {
        for (int b = 0; b < batch; b++)
            for (int j = 0; j < hidden; j++)
            {
                double o = gates[b * 4 * hidden + 3 * hidden + j], t = tanhU[b * hidden + j], g = dh[b * hidden + j];
                dGates[b * 4 * hidden + 3 * hidden + j] = (float)(g * t * o * (1 - o));
                double prior = accumulate ? du[b * hidden + j] : 0;
                du[b * hidden + j] = (float)(prior + g * o * (1 - t * t));
            }
    }

    /// <summary>Twin of <see cref="LstmCell.CellBackward"/>.</summary>
    public static void LstmCellBackward(ReadOnlySpan<float> gates, ReadOnlySpan<float> cPrev, Span<float> dc, Span<float> dGates, int batch, int hidden)
    {
        for (int b = 0; b < batch; b++)
            for (int j = 0; j < hidden; j++)
            {
                int row = b * 4 * hidden;
                double i = gates[row + j], f = gates[row + hidden + j], g = gates[row + 2 * hidden + j];
                double d = dc[b * hidden + j];
                dGates[row + j] = (float)(d * g * i * (1 - i));
                dGates[row + hidden + j] = (float)(d * cPrev[b * hidden + j] * f * (1 - f));
                dGates[row + 2 * hidden + j] = (float)(d * i * (1 - g * g));
                dc[b * hidden + j] = (float)(d * f);
            }
    }

    /// <summary>Twin of <see cref="GruCell.Backward"/>.</summary>
    public static void GruBackward(ReadOnlySpan<float> gates, ReadOnlySpan<float> recurrent, ReadOnlySpan<float> hPrev, ReadOnlySpan<float> dh,
        Span<float> dGates, Span<float> dRecurrent, Span<float> dhPrev, int batch, int hidden)
    {
        for (int b = 0; b < batch; b++)
            for (int j = 0; j < hidden; j++)
            {
                int row = b * 3 * hidden;
                double r = gates[row + j], z = gates[row + hidden + j], n = gates[row + 2 * hidden + j];
                double g = dh[b * hidden + j], pn = recurrent[row + 2 * hidden + j];
                double an = g * (1 - z) * (1 - n * n);
                double ar = an * pn * r * (1 - r);
                double az = g * (hPrev[b * hidden + j] - n) * z * (1 - z);
                dGates[row + j] = dRecurrent[row + j] = (float)ar;
                dGates[row + hidden + j] = dRecurrent[row + hidden + j] = (float)az;
                dGates[row + 2 * hidden + j] = (float)an;
                dRecurrent[row + 2 * hidden + j] = (float)(an * r);
                dhPrev[b * hidden + j] = (float)(dhPrev[b * hidden + j] + g * z);
            }
    }

    /// <summary>Twin of <see cref="RowLayerNorm.Forward"/>.</summary>
    public static void LayerNormForward(ReadOnlySpan<float> x, ReadOnlySpan<float> gain, ReadOnlySpan<float> shift,
        Span<float> xhat, Span<float> rstd, Span<float> y, int rows, bool accumulate)
    {
        int n = gain.Length;
        for (int r = 0; r < rows; r++)
        {
            double mean = 0, variance = 0;
            for (int j = 0; j < n; j++) mean += x[r * n + j];
            mean /= n;
            for (int j = 0; j < n; j++) variance += (x[r * n + j] - mean) * (x[r * n + j] - mean);
            double inv = 1 / Math.Sqrt(variance / n + RowLayerNorm.Epsilon);
            rstd[r] = (float)inv;
            for (int j = 0; j < n; j++)
            {
                double h = (x[r * n + j] - mean) * inv;
                xhat[r * n + j] = (float)h;
                y[r * n + j] = (float)((accumulate ? y[r * n + j] : 0) + gain[j] * h + shift[j]);
            }
        }
    }

    /// <summary>Twin of <see cref="RowLayerNorm.Backward"/>.</summary>
    public static void LayerNormBackward(ReadOnlySpan<float> dy, ReadOnlySpan<float> xhat, ReadOnlySpan<float> rstd, ReadOnlySpan<float> gain,
        Span<float> dGain, Span<float> dShift, Span<float> dx, int rows)
    {
        int n = gain.Length;
        var dxhat = new double[n];
        for (int r = 0; r < rows; r++)
        {
            double m1 = 0, m2 = 0;
            for (int j = 0; j < n; j++)
            {
                double d = dy[r * n + j];
                dGain[j] = (float)(dGain[j] + d * xhat[r * n + j]);
                dShift[j] = (float)(dShift[j] + d);
                dxhat[j] = d * gain[j];
                m1 += dxhat[j];
                m2 += dxhat[j] * xhat[r * n + j];
            }
            m1 /= n;
            m2 /= n;
            for (int j = 0; j < n; j++) dx[r * n + j] = (float)(rstd[r] * (dxhat[j] - m1 - xhat[r * n + j] * m2));
        }
    }
}
