using System.Numerics.Tensors;
using Recur.Kernels;

namespace Recur.Nn.Recurrent;

// Dimension glossary: B batch rows, H hidden units; gate rows hold r, z, n (PyTorch's order),
// each H wide, so gates are (B, 3H).

/// <summary>
/// The elementwise half of one GRU step for B rows, with PyTorch's equations (the reset gate
/// applied after the recurrent product, the cuDNN form of Cho et al. 2014 v1):
/// r = σ(x_r + p_r), z = σ(x_z + p_z), n = tanh(x_n + r ⊙ p_n), h_t = (1 − z) ⊙ n + z ⊙ h_{t−1},
/// where x = W_ih·x_t + b_ih and p = W_hh·h_{t−1} + b_hh (each possibly layer-normalized).
/// Forward goes through TensorPrimitives; Backward is one fused loop written once over the
/// vector width (<see cref="VectorLoop"/>) with a plain-loop twin in <see cref="CellReference"/>.
/// </summary>
internal static unsafe class GruCell
{
    /// <summary>
    /// In place on <paramref name="gates"/>: (x_r, x_z, x_n) → (r, z, n); writes h_t.
    /// <paramref name="recurrent"/> holds p (B, 3H); <paramref name="h"/> must not overlap
    /// <paramref name="hPrev"/>.
    /// </summary>
    public static void Forward(Span<float> gates, ReadOnlySpan<float> recurrent, ReadOnlySpan<float> hPrev, Span<float> h, int batch, int hidden)
    {
        int g3 = 3 * hidden;
        for (int b = 0; b < batch; b++)
        {
            var row = gates.Slice(b * g3, g3);
            var p = recurrent.Slice(b * g3, g3);
            var rz = row[..(2 * hidden)];
            var n = row.Slice(2 * hidden, hidden);
            var hr = h.Slice(b * hidden, hidden);
            TensorPrimitives.Add(rz, p[..(2 * hidden)], rz);
            Activations.Sigmoid(rz, rz);
            TensorPrimitives.FusedMultiplyAdd(row[..hidden], p.Slice(2 * hidden, hidden), n, n);
            Activations.Tanh(n, n);
            // h = n + z ⊙ (h_{t−1} − n), the same value as (1 − z) ⊙ n + z ⊙ h_{t−1}.
            TensorPrimitives.Subtract(hPrev.Slice(b * hidden, hidden), n, hr);
            TensorPrimitives.FusedMultiplyAdd(row.Slice(hidden, hidden), hr, n, hr);
        }
    }

    /// <summary>
    /// Backward through one step, given dh = ∂L/∂h_t: writes the gradients with respect to x
    /// (<paramref name="dGates"/>) and p (<paramref name="dRecurrent"/>), both (B, 3H), and adds
    /// the direct path dh ⊙ z into <paramref name="dhPrev"/>:
    /// dn = dh(1 − z), dz = dh(h_{t−1} − n), dx_n = dn(1 − n²), dp_n = dx_n ⊙ r,
    /// dx_r = dp_r = dx_n ⊙ p_n ⊙ r(1 − r), dx_z = dp_z = dz ⊙ z(1 − z).
    /// </summary>
    public static void Backward(ReadOnlySpan<float> gates, ReadOnlySpan<float> recurrent, ReadOnlySpan<float> hPrev, ReadOnlySpan<float> dh,
        Span<float> dGates, Span<float> dRecurrent, Span<float> dhPrev, int batch, int hidden)
    {
        long rows = (long)batch * hidden;
        if (gates.Length < 3 * rows || recurrent.Length < 3 * rows || dGates.Length < 3 * rows || dRecurrent.Length < 3 * rows)
            throw new ArgumentException($"Gate buffers need {3 * rows} elements for (B, 3H) = ({batch}, {3 * hidden}).");
        if (hPrev.Length < rows || dh.Length < rows || dhPrev.Length < rows)
            throw new ArgumentException($"State buffers need {rows} elements for (B, H) = ({batch}, {hidden}).");
        fixed (float* g = gates, p = recurrent, hp = hPrev, d = dh, dx = dGates, dp = dRecurrent, dhp = dhPrev)
        {
            var loop = new BackwardLoop(g, p, hp, d, dx, dp, dhp, batch, hidden);
            VectorLoop.Run(ref loop);
        }
    }

    // Each row: the vector body over whole vectors, then the same body one lane at a time. The
    // row is a static method, whose parameters the JIT keeps in registers.
    private readonly struct BackwardLoop(float* gates, float* recurrent, float* hPrev, float* dh, float* dGates, float* dRecurrent, float* dhPrev,
        int batch, int hidden) : IVectorLoop
    {
        public void Run<W, V>() where W : struct, IVectorWidth<V> where V : struct
        {
            long g3 = 3L * hidden;
            for (int b = 0; b < batch; b++)
            {
                float* gr = gates + b * g3, pn = recurrent + b * g3 + 2 * hidden, xr = dGates + b * g3, qr = dRecurrent + b * g3;
                float* hp = hPrev + (long)b * hidden, g = dh + (long)b * hidden, dp = dhPrev + (long)b * hidden;
                int j = Row<W, V>(gr, pn, xr, qr, hp, g, dp, hidden, 0);
                Row<Width1, float>(gr, pn, xr, qr, hp, g, dp, hidden, j);
            }
        }
    }

    private static int Row<W, V>(float* gr, float* pn, float* xr, float* qr, float* hp, float* g, float* dp, int hidden, int j)
        where W : struct, IVectorWidth<V> where V : struct
    {
        float* gz = gr + hidden, gn = gr + 2 * hidden, xz = xr + hidden, xn = xr + 2 * hidden, qz = qr + hidden, qn = qr + 2 * hidden;
        V one = W.One;
        for (; j <= hidden - W.Count; j += W.Count)
        {
            V r = W.Load(gr + j), z = W.Load(gz + j), n = W.Load(gn + j), vg = W.Load(g + j);
            V an = W.Multiply(W.Multiply(vg, W.Subtract(one, z)), W.Subtract(one, W.Multiply(n, n)));
            V ar = W.Multiply(W.Multiply(W.Multiply(an, W.Load(pn + j)), r), W.Subtract(one, r));
            V az = W.Multiply(W.Multiply(W.Multiply(vg, W.Subtract(W.Load(hp + j), n)), z), W.Subtract(one, z));
            W.Store(ar, xr + j);
            W.Store(ar, qr + j);
            W.Store(az, xz + j);
            W.Store(az, qz + j);
            W.Store(an, xn + j);
            W.Store(W.Multiply(an, r), qn + j);
            W.Store(W.FusedMultiplyAdd(vg, z, W.Load(dp + j)), dp + j);
        }
        return j;
    }
}
