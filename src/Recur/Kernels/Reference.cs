namespace Recur.Kernels;

/// <summary>
/// Plain-loop twins of the hand-written kernels: the test oracle and the benchmark baseline.
/// Written for clarity, not speed; GEMM and sums accumulate in double.
/// </summary>
internal static class Reference
{
    /// <summary>C ← α·op(A)·op(B) + β·C with a float64 triple loop.</summary>
    public static void Gemm(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int n, int k,
        bool transposeA = false, bool transposeB = false, float alpha = 1f, float beta = 0f)
    {
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double sum = 0;
                for (int p = 0; p < k; p++)
                {
                    double av = transposeA ? a[p * m + i] : a[i * k + p];
                    double bv = transposeB ? b[j * k + p] : b[p * n + j];
                    sum += av * bv;
                }
                double prior = beta == 0f ? 0.0 : (double)beta * c[i * n + j];
                c[i * n + j] = (float)(alpha * sum + prior);
            }
    }

    public static double Sum(ReadOnlySpan<float> x)
    {
        double s = 0;
        foreach (float v in x) s += v;
        return s;
    }

    public static double Dot(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        double s = 0;
        for (int i = 0; i < x.Length; i++) s += (double)x[i] * y[i];
        return s;
    }

    public static void Tanh(ReadOnlySpan<float> x, Span<float> y)
    {
        for (int i = 0; i < x.Length; i++) y[i] = (float)Math.Tanh(x[i]);
    }

    public static void Sigmoid(ReadOnlySpan<float> x, Span<float> y)
    {
        for (int i = 0; i < x.Length; i++) y[i] = (float)(1 / (1 + Math.Exp(-(double)x[i])));
    }

    public static void TanhBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        for (int i = 0; i < y.Length; i++) dx[i] = dy[i] * (1f - y[i] * y[i]);
    }

    public static void SigmoidBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        for (int i = 0; i < y.Length; i++) dx[i] = dy[i] * y[i] * (1f - y[i]);
    }

    public static void ReluBackward(ReadOnlySpan<float> y, ReadOnlySpan<float> dy, Span<float> dx)
    {
        for (int i = 0; i < y.Length; i++) dx[i] = y[i] > 0f ? dy[i] : 0f;
    }

    public static double LogSumExp(ReadOnlySpan<float> x)
    {
        if (x.IsEmpty) return double.NegativeInfinity;
        double max = double.NegativeInfinity;
        foreach (float v in x) max = Math.Max(max, v);
        if (double.IsInfinity(max)) return max;
        double s = 0;
        foreach (float v in x) s += Math.Exp(v - max);
        return max + Math.Log(s);
    }

    public static void Softmax(ReadOnlySpan<float> x, Span<float> y)
    {
        double lse = LogSumExp(x);
        for (int i = 0; i < x.Length; i++) y[i] = (float)Math.Exp(x[i] - lse);
    }

    public static void LogSoftmax(ReadOnlySpan<float> x, Span<float> y)
    {
        double lse = LogSumExp(x);
        for (int i = 0; i < x.Length; i++) y[i] = (float)(x[i] - lse);
    }
}
