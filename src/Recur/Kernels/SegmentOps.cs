namespace Recur.Kernels;

/// <summary>
/// Loops over one contiguous segment of n floats, written once for every vector width (see
/// <see cref="IVectorWidth{TVector}"/>), with a scalar tail. The normalization kernels are
/// built from them. Sums add within blocks of at most <see cref="BlockVectors"/> vectors in
/// float, so each lane adds at most that many terms (an error of a few ulps), and add the
/// blocks in double (conventions.md 9): long segments keep double accuracy at nearly the speed
/// of a float sum.
/// </summary>
internal static unsafe class SegmentOps<W, V> where W : struct, IVectorWidth<V> where V : struct
{
    /// <summary>Vectors summed in float before the partial sum moves to double.</summary>
    public const int BlockVectors = 16;

    /// <summary>Σ x_i.</summary>
    public static double Sum(float* x, int n)
    {
        double total = 0;
        int i = 0, c = W.Count;
        while (i + c <= n)
        {
            int end = Math.Min(n, i + BlockVectors * c);
            V acc = W.Zero;
            for (; i + c <= end; i += c) acc = W.Add(acc, W.Load(x + i));
            total += W.Sum(acc);
        }
        for (; i < n; i++) total += x[i];
        return total;
    }

    /// <summary>Σ (x_i − mean)²: the second pass of the two-pass variance (no cancellation).</summary>
    public static double SumSquaredDeviations(float* x, int n, float mean)
    {
        double total = 0;
        int i = 0, c = W.Count;
        V m = W.Broadcast(mean);
        while (i + c <= n)
        {
            int end = Math.Min(n, i + BlockVectors * c);
            V acc = W.Zero;
            for (; i + c <= end; i += c)
            {
                V d = W.Subtract(W.Load(x + i), m);
                acc = W.MultiplyAdd(d, d, acc);
            }
            total += W.Sum(acc);
        }
        for (; i < n; i++)
        {
            double d = x[i] - mean;
            total += d * d;
        }
        return total;
    }

    /// <summary>y_i = (x_i − mean)·scale + shift. y may alias x.</summary>
    public static void Normalize(float* x, float* y, int n, float mean, float scale, float shift)
    {
        int i = 0, c = W.Count;
        V m = W.Broadcast(mean), a = W.Broadcast(scale), b = W.Broadcast(shift);
        for (; i + c <= n; i += c) W.Store(W.MultiplyAdd(W.Subtract(W.Load(x + i), m), a, b), y + i);
        for (; i < n; i++) y[i] = (x[i] - mean) * scale + shift;
    }

    /// <summary>(Σ dy_i, Σ dy_i·(x_i − mean)): what a backward pass needs from a segment whose scale is constant.</summary>
    public static (double SumDy, double SumDyCentered) BackwardSums(float* dy, float* x, int n, float mean)
    {
        double s1 = 0, s2 = 0;
        int i = 0, c = W.Count;
        V m = W.Broadcast(mean);
        while (i + c <= n)
        {
            int end = Math.Min(n, i + BlockVectors * c);
            V a1 = W.Zero, a2 = W.Zero;
            for (; i + c <= end; i += c)
            {
                V g = W.Load(dy + i);
                a1 = W.Add(a1, g);
                a2 = W.MultiplyAdd(g, W.Subtract(W.Load(x + i), m), a2);
            }
            s1 += W.Sum(a1);
            s2 += W.Sum(a2);
        }
        for (; i < n; i++)
        {
            s1 += dy[i];
            s2 += (double)dy[i] * (x[i] - mean);
        }
        return (s1, s2);
    }

    /// <summary>dx_i = a·dy_i + b·(x_i − mean) + d. dx may alias dy.</summary>
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
    public static (double SumDxhat, double SumDxhatCentered) AffineBackwardSums(float* dy, float* x, float* gamma, int n, float mean)
    {
        double s1 = 0, s2 = 0;
        int i = 0, c = W.Count;
        V m = W.Broadcast(mean);
        while (i + c <= n)
        {
            int end = Math.Min(n, i + BlockVectors * c);
            V a1 = W.Zero, a2 = W.Zero;
            for (; i + c <= end; i += c)
            {
                V g = W.Multiply(W.Load(dy + i), W.Load(gamma + i));
                a1 = W.Add(a1, g);
                a2 = W.MultiplyAdd(g, W.Subtract(W.Load(x + i), m), a2);
            }
            s1 += W.Sum(a1);
            s2 += W.Sum(a2);
        }
        for (; i < n; i++)
        {
            double g = (double)dy[i] * gamma[i];
            s1 += g;
            s2 += g * (x[i] - mean);
        }
        return (s1, s2);
    }

    /// <summary>
    /// dx_i = rstd·(γ_i·dy_i − m1 − x̂_i·m2) with x̂_i = (x_i − mean)·rstd, and the affine
    /// gradients' float partial sums: gammaSum_i += dy_i·x̂_i, betaSum_i += dy_i.
    /// </summary>
    public static void AffineBackwardApply(float* dy, float* x, float* gamma, float* dx, float* gammaSum, float* betaSum,
        int n, float mean, float rstd, float m1, float m2)
    {
        int i = 0, c = W.Count;
        V m = W.Broadcast(mean), s = W.Broadcast(rstd), vm1 = W.Broadcast(m1), vm2 = W.Broadcast(m2);
        for (; i + c <= n; i += c)
        {
            V g = W.Load(dy + i);
            V xhat = W.Multiply(W.Subtract(W.Load(x + i), m), s);
            W.Store(W.MultiplyAdd(g, xhat, W.Load(gammaSum + i)), gammaSum + i);
            W.Store(W.Add(W.Load(betaSum + i), g), betaSum + i);
            V inner = W.Subtract(W.Multiply(g, W.Load(gamma + i)), W.MultiplyAdd(xhat, vm2, vm1));
            W.Store(W.Multiply(inner, s), dx + i);
        }
        for (; i < n; i++)
        {
            float g = dy[i], xhat = (x[i] - mean) * rstd;
            gammaSum[i] += g * xhat;
            betaSum[i] += g;
            dx[i] = rstd * (g * gamma[i] - (xhat * m2 + m1));
        }
    }
}
