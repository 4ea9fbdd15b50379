using System.Numerics.Tensors;
using Recur.Kernels;

namespace Recur.Nn.Recurrent;

// Dimension glossary: B batch rows, H hidden units; a gate row holds the four gates i, f, g, o
// (PyTorch's order), each H wide, so gates are (B, 4H).

/// <summary>
/// The elementwise half of one LSTM step for B rows (the matrix products live in
/// <see cref="RecurrentLayer"/>). PyTorch's equations:
/// i = σ(a_i), f = σ(a_f), g = tanh(a_g), o = σ(a_o); c_t = f ⊙ c_{t−1} + i ⊙ g;
/// h_t = o ⊙ tanh(u_t) with u_t = c_t (or LN(c_t) in the layer-normalized LSTM).
/// Transcendentals go through <see cref="Activations"/>; the backward passes are fused loops
/// written once over the vector width (<see cref="VectorLoop"/>) with plain-loop twins in
/// <see cref="CellReference"/>.
/// </summary>
internal static unsafe class LstmCell
{
    // Below this many gate values a step's elementwise work (about 0.6 ns a value here) gains
    // less from a second thread than the hand-off costs (about 0.3 µs, see WorkerPool).
    // Rows are independent, so any split gives the same bits.
    private const long ParallelGateValues = 1 << 12;

    /// <summary>
    /// The whole elementwise forward step of the LSTM without layer normalization, rows split
    /// across threads: <see cref="Activate"/>, <see cref="UpdateCell"/>, tanhC = tanh(c_t),
    /// then <see cref="Emit"/> into h. A training step of B = 32, H = 256 spends about 28 µs
    /// here against about 150 µs in its recurrent product, which two threads halve.
    /// </summary>
    public static void Forward(Span<float> gates, ReadOnlySpan<float> cPrev, Span<float> c, Span<float> tanhC, Span<float> h, int batch, int hidden)
    {
        CheckRows(gates.Length, gates.Length, cPrev.Length, c.Length, Math.Min(tanhC.Length, h.Length), batch, hidden);
        fixed (float* g = gates, cp = cPrev, cc = c, tc = tanhC, hh = h)
        {
            ParallelRanges.For(batch, ParallelRanges.ThreadsFor((long)batch * 4 * hidden, ParallelGateValues), new ForwardRows(g, cp, cc, tc, hh, hidden));
        }
    }

    /// <summary>
    /// The elementwise backward step without layer normalization, rows split across threads:
    /// <see cref="OutputBackward"/> adding into the running dc, then <see cref="CellBackward"/>.
    /// </summary>
    public static void Backward(ReadOnlySpan<float> gates, ReadOnlySpan<float> tanhC, ReadOnlySpan<float> dh, ReadOnlySpan<float> cPrev,
        Span<float> dc, Span<float> dGates, int batch, int hidden)
    {
        CheckRows(gates.Length, dGates.Length, tanhC.Length, dh.Length, Math.Min(cPrev.Length, dc.Length), batch, hidden);
        fixed (float* g = gates, tc = tanhC, d = dh, cp = cPrev, dC = dc, dg = dGates)
        {
            ParallelRanges.For(batch, ParallelRanges.ThreadsFor((long)batch * 4 * hidden, ParallelGateValues), new BackwardRows(g, tc, d, cp, dC, dg, hidden));
        }
    }

    private readonly struct ForwardRows(float* gates, float* cPrev, float* c, float* tanhC, float* h, int hidden) : IRangeWork
    {
        public void Run(int start, int end)
        {
            int rows = end - start;
            long at = (long)start * hidden;
            var g = new Span<float>(gates + 4 * at, 4 * rows * hidden);
            var cr = new Span<float>(c + at, rows * hidden);
            var tc = new Span<float>(tanhC + at, rows * hidden);
            Activate(g, rows, hidden);
            UpdateCell(g, new ReadOnlySpan<float>(cPrev + at, rows * hidden), cr, rows, hidden);
            Activations.Tanh(cr, tc);
            Emit(g, tc, new Span<float>(h + at, rows * hidden), rows, hidden);
        }
    }

    private readonly struct BackwardRows(float* gates, float* tanhC, float* dh, float* cPrev, float* dc, float* dGates, int hidden) : IRangeWork
    {
        public void Run(int start, int end)
        {
            long at = (long)start * hidden;
            var output = new OutputLoop(gates + 4 * at, tanhC + at, dh + at, dGates + 4 * at, dc + at, end - start, hidden, accumulate: true);
            var cell = new CellLoop(gates + 4 * at, cPrev + at, dc + at, dGates + 4 * at, end - start, hidden);
            VectorLoop.Run(ref output);
            VectorLoop.Run(ref cell);
        }
    }

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
        fixed (float* g = gates, tu = tanhU, d = dh, dg = dGates, dU = du)
        {
            var loop = new OutputLoop(g, tu, d, dg, dU, batch, hidden, accumulate);
            VectorLoop.Run(ref loop);
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
        fixed (float* g = gates, cp = cPrev, d = dc, dg = dGates)
        {
            var loop = new CellLoop(g, cp, d, dg, batch, hidden);
            VectorLoop.Run(ref loop);
        }
    }

    // Each row: the vector body over whole vectors, then the same body one lane at a time. The
    // rows are static methods, whose parameters the JIT keeps in registers.
    private readonly struct OutputLoop(float* gates, float* tanhU, float* dh, float* dGates, float* du, int batch, int hidden, bool accumulate) : IVectorLoop
    {
        public void Run<W, V>() where W : struct, IVectorWidth<V> where V : struct
        {
            for (int b = 0; b < batch; b++)
            {
                float* o = gates + (long)b * 4 * hidden + 3 * hidden, tu = tanhU + (long)b * hidden, g = dh + (long)b * hidden;
                float* dao = dGates + (long)b * 4 * hidden + 3 * hidden, d = du + (long)b * hidden;
                int j = OutputRow<W, V>(o, tu, g, dao, d, hidden, accumulate, 0);
                OutputRow<Width1, float>(o, tu, g, dao, d, hidden, accumulate, j);
            }
        }
    }

    private static int OutputRow<W, V>(float* o, float* tu, float* g, float* dao, float* d, int hidden, bool accumulate, int j)
        where W : struct, IVectorWidth<V> where V : struct
    {
        V one = W.One;
        for (; j <= hidden - W.Count; j += W.Count)
        {
            V vo = W.Load(o + j), vt = W.Load(tu + j), vg = W.Load(g + j);
            W.Store(W.Multiply(W.Multiply(W.Multiply(vg, vt), vo), W.Subtract(one, vo)), dao + j);
            V vu = W.Multiply(W.Multiply(vg, vo), W.Subtract(one, W.Multiply(vt, vt)));
            W.Store(accumulate ? W.Add(vu, W.Load(d + j)) : vu, d + j);
        }
        return j;
    }

    private readonly struct CellLoop(float* gates, float* cPrev, float* dc, float* dGates, int batch, int hidden) : IVectorLoop
    {
        public void Run<W, V>() where W : struct, IVectorWidth<V> where V : struct
        {
            for (int b = 0; b < batch; b++)
            {
                float* gi = gates + (long)b * 4 * hidden, di = dGates + (long)b * 4 * hidden;
                float* cp = cPrev + (long)b * hidden, d = dc + (long)b * hidden;
                int j = CellRow<W, V>(gi, di, cp, d, hidden, 0);
                CellRow<Width1, float>(gi, di, cp, d, hidden, j);
            }
        }
    }

    private static int CellRow<W, V>(float* gi, float* di, float* cp, float* d, int hidden, int j) where W : struct, IVectorWidth<V> where V : struct
    {
        float* gf = gi + hidden, gg = gi + 2 * hidden, df = di + hidden, dg = di + 2 * hidden;
        V one = W.One;
        for (; j <= hidden - W.Count; j += W.Count)
        {
            V i = W.Load(gi + j), f = W.Load(gf + j), g = W.Load(gg + j), c = W.Load(cp + j), vd = W.Load(d + j);
            W.Store(W.Multiply(W.Multiply(W.Multiply(vd, g), i), W.Subtract(one, i)), di + j);
            W.Store(W.Multiply(W.Multiply(W.Multiply(vd, c), f), W.Subtract(one, f)), df + j);
            W.Store(W.Multiply(W.Multiply(vd, i), W.Subtract(one, W.Multiply(g, g))), dg + j);
            W.Store(W.Multiply(vd, f), d + j);
        }
        return j;
    }

    private static void CheckRows(int gates, int dGates, int a, int b, int c, int batch, int hidden)
    {
        long rows = (long)batch * hidden;
        if (gates < 4 * rows || dGates < 4 * rows) throw new ArgumentException($"Gate buffers need {4 * rows} elements for (B, 4H) = ({batch}, {4 * hidden}); got {gates} and {dGates}.");
        if (a < rows || b < rows || c < rows) throw new ArgumentException($"State buffers need {rows} elements for (B, H) = ({batch}, {hidden}); got {a}, {b}, {c}.");
    }
}
