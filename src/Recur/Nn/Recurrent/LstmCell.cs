using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Recur.Kernels;

namespace Recur.Nn.Recurrent;

// Dimension glossary: B batch rows, H hidden units; a gate row holds the four gates i, f, g, o
// (PyTorch's order), each H wide, so gates are (B, 4H).

/// <summary>
/// The elementwise half of one LSTM step for B rows (the matrix products live in
/// <see cref="RecurrentLayer"/>). PyTorch's equations:
/// i = σ(a_i), f = σ(a_f), g = tanh(a_g), o = σ(a_o); c_t = f ⊙ c_{t−1} + i ⊙ g;
/// h_t = o ⊙ tanh(u_t) with u_t = c_t (or LN(c_t) in the layer-normalized LSTM).
/// Transcendentals go through TensorPrimitives; the backward passes are fused hand-written
/// loops (Vector512, Vector256, scalar tail) with plain-loop twins in
/// <see cref="CellReference"/>.
/// </summary>
internal static class LstmCell
{
    /// <summary>In place: (a_i, a_f, a_g, a_o) → (σ(a_i), σ(a_f), tanh(a_g), σ(a_o)) on each (4H) row.</summary>
    public static void Activate(Span<float> gates, int batch, int hidden)
    {
        int g4 = 4 * hidden;
        for (int b = 0; b < batch; b++)
        {
            var row = gates.Slice(b * g4, g4);
            Activations.Sigmoid(row[..(2 * hidden)], row[..(2 * hidden)]);
            Activations.Tanh(row.Slice(2 * hidden, hidden), row.Slice(2 * hidden, hidden));
            Activations.Sigmoid(row.Slice(3 * hidden, hidden), row.Slice(3 * hidden, hidden));
        }
    }

    /// <summary>c_t = f ⊙ c_{t−1} + i ⊙ g, rows of (B, H).</summary>
    public static void UpdateCell(ReadOnlySpan<float> gates, ReadOnlySpan<float> cPrev, Span<float> c, int batch, int hidden)
    {
        int g4 = 4 * hidden;
        for (int b = 0; b < batch; b++)
        {
            var row = gates.Slice(b * g4, g4);
            var cr = c.Slice(b * hidden, hidden);
            TensorPrimitives.Multiply(row[..hidden], row.Slice(2 * hidden, hidden), cr);
            TensorPrimitives.FusedMultiplyAdd(row.Slice(hidden, hidden), cPrev.Slice(b * hidden, hidden), cr, cr);
        }
    }

    /// <summary>h_t = o ⊙ tanhU, rows of (B, H), where tanhU = tanh(u_t) is already computed.</summary>
    public static void Emit(ReadOnlySpan<float> gates, ReadOnlySpan<float> tanhU, Span<float> h, int batch, int hidden)
    {
        int g4 = 4 * hidden;
        for (int b = 0; b < batch; b++)
            TensorPrimitives.Multiply(gates.Slice(b * g4 + 3 * hidden, hidden), tanhU.Slice(b * hidden, hidden), h.Slice(b * hidden, hidden));
    }

    /// <summary>
    /// Through h_t = o ⊙ tanh(u_t): writes da_o = dh ⊙ tanh(u) ⊙ o(1 − o) into the o block of
    /// <paramref name="dGates"/> and du = dh ⊙ o ⊙ (1 − tanh²(u)) into <paramref name="du"/>,
    /// adding to it when <paramref name="accumulate"/> (u = c_t: du is then the running dc_t).
    /// </summary>
    public static void OutputBackward(ReadOnlySpan<float> gates, ReadOnlySpan<float> tanhU, ReadOnlySpan<float> dh,
        Span<float> dGates, Span<float> du, int batch, int hidden, bool accumulate)
    {
        CheckRows(gates.Length, dGates.Length, tanhU.Length, dh.Length, du.Length, batch, hidden);
        SimdLevel level = Simd.Level;
        for (int b = 0; b < batch; b++)
        {
            ref float o = ref MemoryMarshal.GetReference(gates.Slice(b * 4 * hidden + 3 * hidden, hidden));
            ref float tu = ref MemoryMarshal.GetReference(tanhU.Slice(b * hidden, hidden));
            ref float g = ref MemoryMarshal.GetReference(dh.Slice(b * hidden, hidden));
            ref float dao = ref MemoryMarshal.GetReference(dGates.Slice(b * 4 * hidden + 3 * hidden, hidden));
            ref float d = ref MemoryMarshal.GetReference(du.Slice(b * hidden, hidden));
            int j = 0;
            if (level == SimdLevel.Vector512)
            {
                var one = Vector512<float>.One;
                for (; j <= hidden - Vector512<float>.Count; j += Vector512<float>.Count)
                {
                    var vo = Vector512.LoadUnsafe(ref o, (nuint)j);
                    var vt = Vector512.LoadUnsafe(ref tu, (nuint)j);
                    var vg = Vector512.LoadUnsafe(ref g, (nuint)j);
                    (vg * vt * vo * (one - vo)).StoreUnsafe(ref dao, (nuint)j);
                    var vu = vg * vo * (one - vt * vt);
                    (accumulate ? vu + Vector512.LoadUnsafe(ref d, (nuint)j) : vu).StoreUnsafe(ref d, (nuint)j);
                }
            }
            else if (level >= SimdLevel.Vector256)
            {
                var one = Vector256<float>.One;
                for (; j <= hidden - Vector256<float>.Count; j += Vector256<float>.Count)
                {
                    var vo = Vector256.LoadUnsafe(ref o, (nuint)j);
                    var vt = Vector256.LoadUnsafe(ref tu, (nuint)j);
                    var vg = Vector256.LoadUnsafe(ref g, (nuint)j);
                    (vg * vt * vo * (one - vo)).StoreUnsafe(ref dao, (nuint)j);
                    var vu = vg * vo * (one - vt * vt);
                    (accumulate ? vu + Vector256.LoadUnsafe(ref d, (nuint)j) : vu).StoreUnsafe(ref d, (nuint)j);
                }
            }
            for (; j < hidden; j++)
            {
                float vo = Unsafe.Add(ref o, j), vt = Unsafe.Add(ref tu, j), vg = Unsafe.Add(ref g, j);
                Unsafe.Add(ref dao, j) = vg * vt * vo * (1f - vo);
                float vu = vg * vo * (1f - vt * vt);
                Unsafe.Add(ref d, j) = accumulate ? vu + Unsafe.Add(ref d, j) : vu;
            }
        }
    }

    /// <summary>
    /// Through c_t = f ⊙ c_{t−1} + i ⊙ g, given the whole dc_t in <paramref name="dc"/>: writes
    /// da_i = dc ⊙ g ⊙ i(1 − i), da_f = dc ⊙ c_{t−1} ⊙ f(1 − f), da_g = dc ⊙ i ⊙ (1 − g²) into
    /// <paramref name="dGates"/> and replaces dc by dc_{t−1} = dc ⊙ f.
    /// </summary>
    public static void CellBackward(ReadOnlySpan<float> gates, ReadOnlySpan<float> cPrev, Span<float> dc, Span<float> dGates, int batch, int hidden)
    {
        CheckRows(gates.Length, dGates.Length, cPrev.Length, dc.Length, dc.Length, batch, hidden);
        SimdLevel level = Simd.Level;
        for (int b = 0; b < batch; b++)
        {
            ref float gi = ref MemoryMarshal.GetReference(gates.Slice(b * 4 * hidden, 4 * hidden));
            ref float gf = ref Unsafe.Add(ref gi, hidden);
            ref float gg = ref Unsafe.Add(ref gi, 2 * hidden);
            ref float di = ref MemoryMarshal.GetReference(dGates.Slice(b * 4 * hidden, 4 * hidden));
            ref float df = ref Unsafe.Add(ref di, hidden);
            ref float dg = ref Unsafe.Add(ref di, 2 * hidden);
            ref float cp = ref MemoryMarshal.GetReference(cPrev.Slice(b * hidden, hidden));
            ref float d = ref MemoryMarshal.GetReference(dc.Slice(b * hidden, hidden));
            int j = 0;
            if (level == SimdLevel.Vector512)
            {
                var one = Vector512<float>.One;
                for (; j <= hidden - Vector512<float>.Count; j += Vector512<float>.Count)
                {
                    var i = Vector512.LoadUnsafe(ref gi, (nuint)j);
                    var f = Vector512.LoadUnsafe(ref gf, (nuint)j);
                    var g = Vector512.LoadUnsafe(ref gg, (nuint)j);
                    var c = Vector512.LoadUnsafe(ref cp, (nuint)j);
                    var vd = Vector512.LoadUnsafe(ref d, (nuint)j);
                    (vd * g * i * (one - i)).StoreUnsafe(ref di, (nuint)j);
                    (vd * c * f * (one - f)).StoreUnsafe(ref df, (nuint)j);
                    (vd * i * (one - g * g)).StoreUnsafe(ref dg, (nuint)j);
                    (vd * f).StoreUnsafe(ref d, (nuint)j);
                }
            }
            else if (level >= SimdLevel.Vector256)
            {
                var one = Vector256<float>.One;
                for (; j <= hidden - Vector256<float>.Count; j += Vector256<float>.Count)
                {
                    var i = Vector256.LoadUnsafe(ref gi, (nuint)j);
                    var f = Vector256.LoadUnsafe(ref gf, (nuint)j);
                    var g = Vector256.LoadUnsafe(ref gg, (nuint)j);
                    var c = Vector256.LoadUnsafe(ref cp, (nuint)j);
                    var vd = Vector256.LoadUnsafe(ref d, (nuint)j);
                    (vd * g * i * (one - i)).StoreUnsafe(ref di, (nuint)j);
                    (vd * c * f * (one - f)).StoreUnsafe(ref df, (nuint)j);
                    (vd * i * (one - g * g)).StoreUnsafe(ref dg, (nuint)j);
                    (vd * f).StoreUnsafe(ref d, (nuint)j);
                }
            }
            for (; j < hidden; j++)
            {
                float i = Unsafe.Add(ref gi, j), f = Unsafe.Add(ref gf, j), g = Unsafe.Add(ref gg, j), vd = Unsafe.Add(ref d, j);
                Unsafe.Add(ref di, j) = vd * g * i * (1f - i);
                Unsafe.Add(ref df, j) = vd * Unsafe.Add(ref cp, j) * f * (1f - f);
                Unsafe.Add(ref dg, j) = vd * i * (1f - g * g);
                Unsafe.Add(ref d, j) = vd * f;
            }
        }
    }

    private static void CheckRows(int gates, int dGates, int a, int b, int c, int batch, int hidden)
    {
        long rows = (long)batch * hidden;
        if (gates < 4 * rows || dGates < 4 * rows) throw new ArgumentException($"Gate buffers need {4 * rows} elements for (B, 4H) = ({batch}, {4 * hidden}); got {gates} and {dGates}.");
        if (a < rows || b < rows || c < rows) throw new ArgumentException($"State buffers need {rows} elements for (B, H) = ({batch}, {hidden}); got {a}, {b}, {c}.");
    }
}
