using System.Runtime.CompilerServices;

namespace Recur.Kernels;

/// <summary>
/// Loops over one contiguous segment of n floats, written once for every vector width (see
/// <see cref="IVectorWidth{TVector}"/>), with a scalar tail. The normalization kernels are
/// built from them. Sums add within blocks of at most <see cref="BlockVectors"/> vectors in
/// float, so each lane adds at most that many terms (an error of a few ulps), and add the
/// blocks in double (docs/architecture.md, conventions): long segments keep double accuracy at nearly the speed
/// of a float sum.
/// </summary>
internal static unsafe class SegmentOps<W, V> where W : struct, IVectorWidth<V> where V : struct
{
    /// <summary>Vectors summed in float before the partial sum moves to double.</summary>
    public const int BlockVectors = 16;

    /// <summary>Σ (x_i − shift): with a shift near the values, the float partial sums keep their digits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Sum(float* x, int n, float shift)
    {
        double total = 0;
        int i = 0, c = W.Count;
        V k = W.Broadcast(shift);
        while (i + c <= n)
        {
            int end = Math.Min(n, i + BlockVectors * c);
            V a0 = W.Zero, a1 = W.Zero, a2 = W.Zero, a3 = W.Zero;
            for (; i + 4 * c <= end; i += 4 * c)
            {
                a0 = W.Add(a0, W.Subtract(W.Load(x + i), k));
                a1 = W.Add(a1, W.Subtract(W.Load(x + i + c), k));
                a2 = W.Add(a2, W.Subtract(W.Load(x + i + 2 * c), k));
                a3 = W.Add(a3, W.Subtract(W.Load(x + i + 3 * c), k));
            }
            for (; i + c <= end; i += c) a0 = W.Add(a0, W.Subtract(W.Load(x + i), k));
            total += W.Sum(W.Add(W.Add(a0, a1), W.Add(a2, a3)));
        }
        for (; i < n; i++) total += x[i] - shift;
        return total;
    }

    /// <summary>
    /// The mean of x[0..n) as x_0 + Σ(x_i − x_0)·<paramref name="inverse"/> (inverse = 1/n):
    /// around the first value, so that the float partial sums keep their digits.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double ShiftedMean(float* x, int n, double inverse) => ScalarConvert.ToDouble(*x) + Sum(x, n, *x) * inverse;

    /// <summary>
    /// The biased variance of x[0..n) about its mean <paramref name="mean"/> (inverse = 1/n), second
    /// pass of the two-pass variance. The deviations are taken from the float-rounded mean m:
    /// Σ(x − m)² = Σ(x − μ)² + n(μ − m)², so the second term is removed.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Variance(float* x, int n, double mean, double inverse)
    {
        float mf = ScalarConvert.ToFloat(mean);
        double shift = mean - ScalarConvert.ToDouble(mf);
        return Math.Max(0, SumSquaredDeviations(x, n, mf) * inverse - shift * shift);
    }

    /// <summary>r = 1/√(σ² + ε).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Rstd(double variance, double eps) => 1 / Math.Sqrt(variance + eps);

    /// <summary>Σ (x_i − mean)²: the second pass of the two-pass variance (no cancellation).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double SumSquaredDeviations(float* x, int n, float mean)
    {
        double total = 0;
        int i = 0, c = W.Count;
        V m = W.Broadcast(mean);
        while (i + c <= n)
        {
            int end = Math.Min(n, i + BlockVectors * c);
            V a0 = W.Zero, a1 = W.Zero, a2 = W.Zero, a3 = W.Zero;
            for (; i + 4 * c <= end; i += 4 * c)
            {
                V d0 = W.Subtract(W.Load(x + i), m), d1 = W.Subtract(W.Load(x + i + c), m);
                V d2 = W.Subtract(W.Load(x + i + 2 * c), m), d3 = W.Subtract(W.Load(x + i + 3 * c), m);
                a0 = W.MultiplyAdd(d0, d0, a0);
                a1 = W.MultiplyAdd(d1, d1, a1);
                a2 = W.MultiplyAdd(d2, d2, a2);
                a3 = W.MultiplyAdd(d3, d3, a3);
            }
            for (; i + c <= end; i += c)
            {
                V d = W.Subtract(W.Load(x + i), m);
                a0 = W.MultiplyAdd(d, d, a0);
            }
            total += W.Sum(W.Add(W.Add(a0, a1), W.Add(a2, a3)));
        }
        for (; i < n; i++)
        {
            double d = x[i] - mean;
            total += d * d;
        }
        return total;
    }

    /// <summary>Σ x_i·y_i.</summary>
    public static double Dot(float* x, float* y, int n)
    {
        double total = 0;
        int i = 0, c = W.Count;
        while (i + c <= n)
        {
            int end = Math.Min(n, i + BlockVectors * c);
            V a0 = W.Zero, a1 = W.Zero, a2 = W.Zero, a3 = W.Zero;
            for (; i + 4 * c <= end; i += 4 * c)
            {
                a0 = W.MultiplyAdd(W.Load(x + i), W.Load(y + i), a0);
                a1 = W.MultiplyAdd(W.Load(x + i + c), W.Load(y + i + c), a1);
                a2 = W.MultiplyAdd(W.Load(x + i + 2 * c), W.Load(y + i + 2 * c), a2);
                a3 = W.MultiplyAdd(W.Load(x + i + 3 * c), W.Load(y + i + 3 * c), a3);
            }
            for (; i + c <= end; i += c) a0 = W.MultiplyAdd(W.Load(x + i), W.Load(y + i), a0);
            total += W.Sum(W.Add(W.Add(a0, a1), W.Add(a2, a3)));
        }
        for (; i < n; i++) total += (double)x[i] * y[i];
        return total;
    }

    /// <summary>y_i = a·x_i. y may alias x.</summary>
    public static void Scale(float* x, float* y, int n, float a)
    {
        int i = 0, c = W.Count;
        V va = W.Broadcast(a);
        for (; i + c <= n; i += c) W.Store(W.Multiply(W.Load(x + i), va), y + i);
        for (; i < n; i++) y[i] = a * x[i];
    }

    /// <summary>z_i += a·x_i + b·y_i, then x_i = 0 (moves a gradient out of x).</summary>
    public static void MoveCombination(float* x, float* y, float* z, int n, float a, float b)
    {
        int i = 0, c = W.Count;
        V va = W.Broadcast(a), vb = W.Broadcast(b);
        for (; i + c <= n; i += c)
        {
            W.Store(W.MultiplyAdd(va, W.Load(x + i), W.MultiplyAdd(vb, W.Load(y + i), W.Load(z + i))), z + i);
            W.Store(W.Zero, x + i);
        }
        for (; i < n; i++)
        {
            z[i] += a * x[i] + b * y[i];
            x[i] = 0;
        }
    }

    /// <summary>y_i = (x_i − mean)·scale + shift. y may alias x.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Normalize(float* x, float* y, int n, float mean, float scale, float shift)
    {
        int i = 0, c = W.Count;
        V m = W.Broadcast(mean), a = W.Broadcast(scale), b = W.Broadcast(shift);
        for (; i + c <= n; i += c) W.Store(W.MultiplyAdd(W.Subtract(W.Load(x + i), m), a, b), y + i);
        for (; i < n; i++) y[i] = (x[i] - mean) * scale + shift;
    }

    /// <summary>(Σ dy_i, Σ dy_i·(x_i − mean)): what a backward pass needs from a segment whose scale is constant.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (double SumDy, double SumDyCentered) BackwardSums(float* dy, float* x, int n, float mean) =>
        GatedSums(dy, null, x, n, mean);

    /// <summary>dx_i = a·dy_i + b·(x_i − mean) + d. dx may alias dy.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void BackwardApply(float* dy, float* x, float* dx, int n, float mean, float a, float b, float d)
    {
        int i = 0, c = W.Count;
        V m = W.Broadcast(mean), va = W.Broadcast(a), vb = W.Broadcast(b), vd = W.Broadcast(d);
        for (; i + c <= n; i += c)
        {
            V t = W.MultiplyAdd(vb, W.Subtract(W.Load(x + i), m), vd);
            W.Store(W.MultiplyAdd(va, W.Load(dy + i), t), dx + i);
        }
        for (; i < n; i++) dx[i] = a * dy[i] + (b * (x[i] - mean) + d);
    }

    /// <summary>y_i = (x_i − mean)·rstd·γ_i + β_i: per-element affine (layer and RMS norm).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void NormalizeAffine(float* x, float* gamma, float* beta, float* y, int n, float mean, float rstd)
    {
        int i = 0, c = W.Count;
        V m = W.Broadcast(mean), s = W.Broadcast(rstd);
        for (; i + c <= n; i += c)
        {
            V xhat = W.Multiply(W.Subtract(W.Load(x + i), m), s);
            W.Store(W.MultiplyAdd(xhat, W.Load(gamma + i), W.Load(beta + i)), y + i);
        }
        for (; i < n; i++) y[i] = (x[i] - mean) * rstd * gamma[i] + beta[i];
    }

    /// <summary>(Σ γ_i·dy_i, Σ γ_i·dy_i·(x_i − mean)) for a per-element affine.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (double SumDxhat, double SumDxhatCentered) AffineBackwardSums(float* dy, float* x, float* gamma, int n, float mean) =>
        GatedSums(dy, gamma, x, n, mean);

    /// <summary>(Σ g_i, Σ g_i·(x_i − mean)) with g = dy, or g = γ·dy when <paramref name="gamma"/> is not null.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (double, double) GatedSums(float* dy, float* gamma, float* x, int n, float mean)
    {
        double s1 = 0, s2 = 0;
        int i = 0, c = W.Count;
        V m = W.Broadcast(mean);
        while (i + c <= n)
        {
            int end = Math.Min(n, i + BlockVectors * c);
            V a0 = W.Zero, a1 = W.Zero, b0 = W.Zero, b1 = W.Zero;
            for (; i + 2 * c <= end; i += 2 * c)
            {
                V g0 = W.Load(dy + i), g1 = W.Load(dy + i + c);
                if (gamma != null)
                {
                    g0 = W.Multiply(g0, W.Load(gamma + i));
                    g1 = W.Multiply(g1, W.Load(gamma + i + c));
                }
                a0 = W.Add(a0, g0);
                a1 = W.Add(a1, g1);
                b0 = W.MultiplyAdd(g0, W.Subtract(W.Load(x + i), m), b0);
                b1 = W.MultiplyAdd(g1, W.Subtract(W.Load(x + i + c), m), b1);
            }
            for (; i + c <= end; i += c)
            {
                V g = W.Load(dy + i);
                if (gamma != null) g = W.Multiply(g, W.Load(gamma + i));
                a0 = W.Add(a0, g);
                b0 = W.MultiplyAdd(g, W.Subtract(W.Load(x + i), m), b0);
            }
            s1 += W.Sum(W.Add(a0, a1));
            s2 += W.Sum(W.Add(b0, b1));
        }
        for (; i < n; i++)
        {
            double g = gamma == null ? dy[i] : (double)dy[i] * gamma[i];
            s1 += g;
            s2 += g * (x[i] - mean);
        }
        return (s1, s2);
    }

    /// <summary>
    /// The backward pass of a per-element affine over a tile of rows (row t at offset t·n):
    /// dx_ti = r_t·(γ_i·dy_ti − m1_t − x̂_ti·m2_t) with x̂_ti = (x_ti − mean_t)·r_t, and the affine
    /// gradients' sums gammaSum_i += Σ_t dy_ti·x̂_ti, betaSum_i += Σ_t dy_ti (double). It runs column
    /// by column down the tile, so the sums over the tile stay in registers (in float: a tile has
    /// few rows) and reach the double sums once per tile instead of once per row.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void AffineBackwardTile(float* dy, float* x, float* gamma, float* dx, double* gammaSum, double* betaSum, int n, int rows,
        float* mean, float* rstd, float* m1, float* m2)
    {
        int i = 0, c = W.Count;
        // Two columns at a time share the row's broadcast constants.
        for (; i + 2 * c <= n; i += 2 * c)
        {
            V gv0 = W.Load(gamma + i), gv1 = W.Load(gamma + i + c);
            V ag0 = W.Zero, ab0 = W.Zero, ag1 = W.Zero, ab1 = W.Zero;
            for (int t = 0; t < rows; t++)
            {
                long o = (long)t * n + i;
                V s = W.Broadcast(rstd[t]), m = W.Broadcast(mean[t]), b1 = W.Broadcast(m1[t]), b2 = W.Broadcast(m2[t]);
                V g0 = W.Load(dy + o), g1 = W.Load(dy + o + c);
                V xhat0 = W.Multiply(W.Subtract(W.Load(x + o), m), s), xhat1 = W.Multiply(W.Subtract(W.Load(x + o + c), m), s);
                ag0 = W.MultiplyAdd(g0, xhat0, ag0);
                ag1 = W.MultiplyAdd(g1, xhat1, ag1);
                ab0 = W.Add(ab0, g0);
                ab1 = W.Add(ab1, g1);
                W.Store(W.Multiply(W.Subtract(W.Multiply(g0, gv0), W.MultiplyAdd(xhat0, b2, b1)), s), dx + o);
                W.Store(W.Multiply(W.Subtract(W.Multiply(g1, gv1), W.MultiplyAdd(xhat1, b2, b1)), s), dx + o + c);
            }
            W.AddWidened(ag0, gammaSum + i);
            W.AddWidened(ag1, gammaSum + i + c);
            W.AddWidened(ab0, betaSum + i);
            W.AddWidened(ab1, betaSum + i + c);
        }
        for (; i + c <= n; i += c)
        {
            V gv = W.Load(gamma + i), ag = W.Zero, ab = W.Zero;
            for (int t = 0; t < rows; t++)
            {
                long o = (long)t * n + i;
                V g = W.Load(dy + o);
                V s = W.Broadcast(rstd[t]);
                V xhat = W.Multiply(W.Subtract(W.Load(x + o), W.Broadcast(mean[t])), s);
                ag = W.MultiplyAdd(g, xhat, ag);
                ab = W.Add(ab, g);
                V inner = W.Subtract(W.Multiply(g, gv), W.MultiplyAdd(xhat, W.Broadcast(m2[t]), W.Broadcast(m1[t])));
                W.Store(W.Multiply(inner, s), dx + o);
            }
            W.AddWidened(ag, gammaSum + i);
            W.AddWidened(ab, betaSum + i);
        }
        for (; i < n; i++)
        {
            double ag = 0, ab = 0;
            for (int t = 0; t < rows; t++)
            {
                long o = (long)t * n + i;
                float g = dy[o], xhat = (x[o] - mean[t]) * rstd[t];
                ag += g * xhat;
                ab += g;
                dx[o] = rstd[t] * (g * gamma[i] - (xhat * m2[t] + m1[t]));
            }
            gammaSum[i] += ag;
            betaSum[i] += ab;
        }
    }
}
