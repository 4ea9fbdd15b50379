using System.Numerics.Tensors;
using Recur.Kernels;
using Recur.Nn.Recurrent;

namespace Recur.Diagnostics;

// Dimension glossary: T steps, B batch rows, H hidden units, S state size (H for Elman and
// GRU; 2H for the LSTM, whose state is (h, c)). Matrices are row-major double.

/// <summary>
/// Exact Jacobians of a recurrent layer's state (docs/theory.md 1.2), built analytically from the
/// activations the layer cached in its last Forward — never by finite differences — in double.
/// The per-step Jacobian is J_t = ∂s_t/∂s_{t−1} and the Jacobian across T steps is the product
/// ∂s_T/∂s_0 = J_T ⋯ J_1, for one batch row.
/// <para>
/// The state s_t is h_t for Elman and GRU layers and (h_t, c_t) for the LSTM, so its J_t is the
/// 2H×2H block matrix [[∂h_t/∂h_{t−1}, ∂h_t/∂c_{t−1}], [∂c_t/∂h_{t−1}, ∂c_t/∂c_{t−1}]]. For the
/// LSTM, ∂h_T/∂h_0 means the top-left H×H block of the product: how h_0 moves h_T through every
/// path (the cell's included) with c_0 held fixed.
/// </para>
/// <code>
///   Elman, standard        g_t = σ(W g_{t−1} + U x_t + b)   J_t = diag(σ′(a_t)) W
///   Elman, pre-activation  h_t = W σ(h_{t−1}) + U x_t + b   J_t = W diag(σ′(h_{t−1}))
///   GRU (W_hh = [W_r; W_z; W_n], p = W_hh h_{t−1} + b_hh)
///     J_t = diag(z) + diag((h_{t−1} − n) z(1 − z)) W_z + diag((1 − z)(1 − n²)) (diag(r) W_n + diag(p_n r(1 − r)) W_r)
///   LSTM (W_hh = [W_i; W_f; W_g; W_o], τ = tanh(c_t))
///     ∂c_t/∂h_{t−1} = diag(g i(1 − i)) W_i + diag(c_{t−1} f(1 − f)) W_f + diag(i(1 − g²)) W_g,   ∂c_t/∂c_{t−1} = diag(f)
///     ∂h_t/∂h_{t−1} = diag(τ o(1 − o)) W_o + diag(o(1 − τ²)) ∂c_t/∂h_{t−1},               ∂h_t/∂c_{t−1} = diag(o(1 − τ²) f)
/// </code>
/// Layer-normalized cells are not covered: their Jacobians also pass through the normalization.
/// </summary>
public static class RecurrentJacobian
{
    /// <summary>S: H, or 2H for the LSTM's (h, c).</summary>
    public static int StateSize(RecurrentLayer layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        return layer.HasCellState ? 2 * layer.HiddenSize : layer.HiddenSize;
    }

    /// <summary>
    /// Writes J_t = ∂s_t/∂s_{t−1} (S×S) of batch row <paramref name="row"/> for step
    /// <paramref name="t"/> = 1 … T of the layer's last Forward.
    /// </summary>
    public static void Step(RecurrentLayer layer, int t, int row, Span<double> jacobian)
    {
        Check(layer, row);
        int s = StateSize(layer);
        if (jacobian.Length != s * s) throw new ArgumentException($"The Jacobian of a state of {s} needs {s * s} values.", nameof(jacobian));
        jacobian.Clear();
        switch (layer)
        {
            case ElmanLayer elman: ElmanStep(elman, t, row, jacobian); break;
            case GruLayer gru: GruStep(gru, t, row, jacobian); break;
            case LstmLayer lstm: LstmStep(lstm, t, row, jacobian); break;
            default: throw new ArgumentException($"No Jacobian is defined for {layer.GetType().Name}.", nameof(layer));
        }
    }

    /// <summary>∂s_T/∂s_0 = J_T ⋯ J_1 (S×S) of batch row <paramref name="row"/>, T = <paramref name="steps"/> ≤ the last Forward's T.</summary>
    public static double[] Product(RecurrentLayer layer, int row, int steps)
    {
        Check(layer, row);
        int s = StateSize(layer);
        var product = Identity(s);
        var step = new double[s * s];
        var next = new double[s * s];
        for (int t = 1; t <= steps; t++)
        {
            Step(layer, t, row, step);
            Multiply(step, product, next, s);
            (product, next) = (next, product);
        }
        return product;
    }

    /// <summary>The top-left H×H block of an S×S state Jacobian: ∂h_T/∂h_0.</summary>
    public static double[] HiddenBlock(ReadOnlySpan<double> stateJacobian, int hidden)
    {
        int s = (int)Math.Round(Math.Sqrt(stateJacobian.Length));
        if (s * s != stateJacobian.Length || hidden > s) throw new ArgumentException("Not a square state Jacobian holding an H×H block.", nameof(stateJacobian));
        var block = new double[hidden * hidden];
        for (int i = 0; i < hidden; i++) stateJacobian.Slice(i * s, hidden).CopyTo(block.AsSpan(i * hidden, hidden));
        return block;
    }

    /// <summary>c = a·b for S×S matrices (c must not alias a or b). Zero entries of a are skipped (the LSTM's diagonal blocks).</summary>
    internal static void Multiply(ReadOnlySpan<double> a, ReadOnlySpan<double> b, Span<double> c, int s)
    {
        c.Clear();
        for (int i = 0; i < s; i++)
        {
            var ci = c.Slice(i * s, s);
            for (int k = 0; k < s; k++)
            {
                double aik = a[i * s + k];
                if (aik != 0) TensorPrimitives.MultiplyAdd(b.Slice(k * s, s), aik, ci, ci);
            }
        }
    }

    /// <summary>The S×S identity.</summary>
    internal static double[] Identity(int s)
    {
        var m = new double[s * s];
        for (int i = 0; i < s; i++) m[i * s + i] = 1;
        return m;
    }

    private static void Check(RecurrentLayer layer, int row)
    {
        ArgumentNullException.ThrowIfNull(layer);
        if (layer.IsLayerNormalized)
            throw new ArgumentException("Jacobians of layer-normalized cells are not implemented (they pass through the normalization as well); use a model without layer normalization.", nameof(layer));
        if (layer.Steps == 0) throw new InvalidOperationException("The layer has not run Forward yet.");
        if ((uint)row >= (uint)layer.Batch) throw new ArgumentOutOfRangeException(nameof(row), row, $"The last Forward had batch rows 0 … {layer.Batch - 1}.");
    }

    // J_t[i, :] += scale_i · W[block·H + i, :] for every i: a diagonal matrix times one H×H block of W_hh, added at (rowOffset, 0).
    private static void AddScaledRows(ReadOnlySpan<float> weight, int block, ReadOnlySpan<double> scale, Span<double> jacobian, int s, int rowOffset)
    {
        int h = scale.Length;
        for (int i = 0; i < h; i++)
        {
            double d = scale[i];
            if (d == 0) continue;
            var w = weight.Slice((block * h + i) * h, h);
            var dst = jacobian.Slice((rowOffset + i) * s, h);
            for (int k = 0; k < h; k++) dst[k] += d * w[k];
        }
    }

    // Per-step scratch vectors of H values: on the stack up to this H, so a step allocates nothing.
    private const int StackLimit = 256;

    // σ′ from the activation's output y (tanh: 1 − y², sigmoid: y(1 − y), ReLU: [y > 0]), through the layer's own backward kernel.
    private static void Derivative(Activation activation, ReadOnlySpan<float> y, Span<float> ones, Span<float> derivative)
    {
        ones.Fill(1f);
        Activations.Backward(activation, y, ones, derivative);
    }

    private static void ElmanStep(ElmanLayer layer, int t, int row, Span<double> jacobian)
    {
        int h = layer.HiddenSize;
        var w = layer.WeightHH.Value.Span;   // (H, H)
        Span<float> ones = h <= StackLimit ? stackalloc float[h] : new float[h];
        Span<float> d = h <= StackLimit ? stackalloc float[h] : new float[h];
        if (layer.Form == ElmanForm.Standard)
        {
            // g_t = σ(a_t): σ′(a_t) from g_t itself; row i of W scaled by σ′(a_t)_i.
            Derivative(layer.Activation, layer.Hidden(t).Slice(row * h, h), ones, d);
            for (int i = 0; i < h; i++)
                for (int k = 0; k < h; k++) jacobian[i * h + k] = d[i] * (double)w[i * h + k];
        }
        else
        {
            // h_t = W σ(h_{t−1}) + …: column k of W scaled by σ′(h_{t−1})_k, from σ(h_{t−1}).
            Derivative(layer.Activation, layer.Activated(t - 1).Slice(row * h, h), ones, d);
            for (int i = 0; i < h; i++)
                for (int k = 0; k < h; k++) jacobian[i * h + k] = (double)w[i * h + k] * d[k];
        }
    }

    private static void GruStep(GruLayer layer, int t, int row, Span<double> jacobian)
    {
        int h = layer.HiddenSize;
        var w = layer.WeightHH.Value.Span;                          // (3H, H): W_r, W_z, W_n
        var gates = layer.GateValues(t).Slice(row * 3 * h, 3 * h); // r, z, n
        var p = layer.RecurrentProjection(t).Slice(row * 3 * h, 3 * h);
        var hPrev = layer.Hidden(t - 1).Slice(row * h, h);
        Span<double> throughZ = h <= StackLimit ? stackalloc double[h] : new double[h];
        Span<double> throughN = h <= StackLimit ? stackalloc double[h] : new double[h];
        Span<double> throughR = h <= StackLimit ? stackalloc double[h] : new double[h];
        for (int i = 0; i < h; i++)
        {
            double r = gates[i], z = gates[h + i], n = gates[2 * h + i];
            double dn = (1 - z) * (1 - n * n);          // ∂h/∂(pre-activation of n)
            throughZ[i] = (hPrev[i] - n) * z * (1 - z);
            throughN[i] = dn * r;
            throughR[i] = dn * p[2 * h + i] * r * (1 - r);
            jacobian[i * h + i] += z;                    // the direct path z ⊙ h_{t−1}
        }
        AddScaledRows(w, 0, throughR, jacobian, h, 0);
        AddScaledRows(w, 1, throughZ, jacobian, h, 0);
        AddScaledRows(w, 2, throughN, jacobian, h, 0);
    }

    private static void LstmStep(LstmLayer layer, int t, int row, Span<double> jacobian)
    {
        int h = layer.HiddenSize, s = 2 * h;
        var w = layer.WeightHH.Value.Span;                          // (4H, H): W_i, W_f, W_g, W_o
        var gates = layer.GateValues(t).Slice(row * 4 * h, 4 * h); // i, f, g, o
        var cPrev = layer.Cell(t - 1).Slice(row * h, h);
        var tau = layer.OutputTanh(t).Slice(row * h, h);
        Span<double> di = h <= StackLimit ? stackalloc double[h] : new double[h];
        Span<double> df = h <= StackLimit ? stackalloc double[h] : new double[h];
        Span<double> dg = h <= StackLimit ? stackalloc double[h] : new double[h];
        Span<double> doo = h <= StackLimit ? stackalloc double[h] : new double[h];
        for (int k = 0; k < h; k++)
        {
            double i = gates[k], f = gates[h + k], g = gates[2 * h + k];
            di[k] = g * i * (1 - i);
            df[k] = cPrev[k] * f * (1 - f);
            dg[k] = i * (1 - g * g);
        }
        // Rows H … 2H: ∂c_t/∂h_{t−1} and ∂c_t/∂c_{t−1} = diag(f).
        AddScaledRows(w, 0, di, jacobian, s, h);
        AddScaledRows(w, 1, df, jacobian, s, h);
        AddScaledRows(w, 2, dg, jacobian, s, h);
        for (int k = 0; k < h; k++) jacobian[(h + k) * s + h + k] = gates[h + k];
        // Rows 0 … H: h_t = o ⊙ τ, so ∂h_t = diag(τ o(1 − o)) W_o ∂h_{t−1} + diag(o(1 − τ²)) ∂c_t.
        for (int k = 0; k < h; k++)
        {
            double o = gates[3 * h + k];
            doo[k] = tau[k] * o * (1 - o);
            double dc = o * (1 - tau[k] * tau[k]);
            var dst = jacobian.Slice(k * s, s);
            TensorPrimitives.MultiplyAdd(jacobian.Slice((h + k) * s, s), dc, dst, dst);
        }
        AddScaledRows(w, 3, doo, jacobian, s, 0);
    }
}
