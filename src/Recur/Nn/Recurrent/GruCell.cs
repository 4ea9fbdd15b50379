using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Recur.Kernels;

namespace Recur.Nn.Recurrent;

// Dimension glossary: B batch rows, H hidden units; gate rows hold r, z, n (PyTorch's order),
// each H wide, so gates are (B, 3H).

/// <summary>
/// The elementwise half of one GRU step for B rows, with PyTorch's equations (the reset gate
/// applied after the recurrent product, the cuDNN form of Cho et al. 2014 v1):
/// r = σ(x_r + p_r), z = σ(x_z + p_z), n = tanh(x_n + r ⊙ p_n), h_t = (1 − z) ⊙ n + z ⊙ h_{t−1},
/// where x = W_ih·x_t + b_ih and p = W_hh·h_{t−1} + b_hh (each possibly layer-normalized).
/// Forward goes through TensorPrimitives; Backward is one fused loop (Vector512, Vector256,
/// scalar tail) with a plain-loop twin in <see cref="CellReference"/>.
/// </summary>
internal static class GruCell
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
        SimdLevel level = Simd.Level;
        int g3 = 3 * hidden;
        for (int b = 0; b < batch; b++)
        {
            ref float gr = ref MemoryMarshal.GetReference(gates.Slice(b * g3, g3));
            ref float gz = ref Unsafe.Add(ref gr, hidden);
            ref float gn = ref Unsafe.Add(ref gr, 2 * hidden);
            ref float pn = ref MemoryMarshal.GetReference(recurrent.Slice(b * g3 + 2 * hidden, hidden));
            ref float xr = ref MemoryMarshal.GetReference(dGates.Slice(b * g3, g3));
            ref float xz = ref Unsafe.Add(ref xr, hidden);
            ref float xn = ref Unsafe.Add(ref xr, 2 * hidden);
            ref float qr = ref MemoryMarshal.GetReference(dRecurrent.Slice(b * g3, g3));
            ref float qz = ref Unsafe.Add(ref qr, hidden);
            ref float qn = ref Unsafe.Add(ref qr, 2 * hidden);
            ref float hp = ref MemoryMarshal.GetReference(hPrev.Slice(b * hidden, hidden));
            ref float g = ref MemoryMarshal.GetReference(dh.Slice(b * hidden, hidden));
            ref float dp = ref MemoryMarshal.GetReference(dhPrev.Slice(b * hidden, hidden));
            int j = 0;
            if (level == SimdLevel.Vector512)
            {
                var one = Vector512<float>.One;
                for (; j <= hidden - Vector512<float>.Count; j += Vector512<float>.Count)
                {
                    var r = Vector512.LoadUnsafe(ref gr, (nuint)j);
                    var z = Vector512.LoadUnsafe(ref gz, (nuint)j);
                    var n = Vector512.LoadUnsafe(ref gn, (nuint)j);
                    var vg = Vector512.LoadUnsafe(ref g, (nuint)j);
                    var an = vg * (one - z) * (one - n * n);
                    var ar = an * Vector512.LoadUnsafe(ref pn, (nuint)j) * r * (one - r);
                    var az = vg * (Vector512.LoadUnsafe(ref hp, (nuint)j) - n) * z * (one - z);
                    ar.StoreUnsafe(ref xr, (nuint)j);
                    ar.StoreUnsafe(ref qr, (nuint)j);
                    az.StoreUnsafe(ref xz, (nuint)j);
                    az.StoreUnsafe(ref qz, (nuint)j);
                    an.StoreUnsafe(ref xn, (nuint)j);
                    (an * r).StoreUnsafe(ref qn, (nuint)j);
                    Vector512.FusedMultiplyAdd(vg, z, Vector512.LoadUnsafe(ref dp, (nuint)j)).StoreUnsafe(ref dp, (nuint)j);
                }
            }
            else if (level >= SimdLevel.Vector256)
            {
                var one = Vector256<float>.One;
                for (; j <= hidden - Vector256<float>.Count; j += Vector256<float>.Count)
                {
                    var r = Vector256.LoadUnsafe(ref gr, (nuint)j);
                    var z = Vector256.LoadUnsafe(ref gz, (nuint)j);
                    var n = Vector256.LoadUnsafe(ref gn, (nuint)j);
                    var vg = Vector256.LoadUnsafe(ref g, (nuint)j);
                    var an = vg * (one - z) * (one - n * n);
                    var ar = an * Vector256.LoadUnsafe(ref pn, (nuint)j) * r * (one - r);
                    var az = vg * (Vector256.LoadUnsafe(ref hp, (nuint)j) - n) * z * (one - z);
                    ar.StoreUnsafe(ref xr, (nuint)j);
                    ar.StoreUnsafe(ref qr, (nuint)j);
                    az.StoreUnsafe(ref xz, (nuint)j);
                    az.StoreUnsafe(ref qz, (nuint)j);
                    an.StoreUnsafe(ref xn, (nuint)j);
                    (an * r).StoreUnsafe(ref qn, (nuint)j);
                    Vector256.FusedMultiplyAdd(vg, z, Vector256.LoadUnsafe(ref dp, (nuint)j)).StoreUnsafe(ref dp, (nuint)j);
                }
            }
            for (; j < hidden; j++)
            {
                float r = Unsafe.Add(ref gr, j), z = Unsafe.Add(ref gz, j), n = Unsafe.Add(ref gn, j), vg = Unsafe.Add(ref g, j);
                float an = vg * (1f - z) * (1f - n * n);
                float ar = an * Unsafe.Add(ref pn, j) * r * (1f - r);
                float az = vg * (Unsafe.Add(ref hp, j) - n) * z * (1f - z);
                Unsafe.Add(ref xr, j) = ar;
                Unsafe.Add(ref qr, j) = ar;
                Unsafe.Add(ref xz, j) = az;
                Unsafe.Add(ref qz, j) = az;
                Unsafe.Add(ref xn, j) = an;
                Unsafe.Add(ref qn, j) = an * r;
                Unsafe.Add(ref dp, j) = MathF.FusedMultiplyAdd(vg, z, Unsafe.Add(ref dp, j));
            }
        }
    }
}
