using Recur.Kernels;
using Recur.Tensors;
using Tensor = Recur.Tensors.Tensor;

namespace Recur.Nn.Normalization;

/// <summary>
/// Weight normalization (Salimans &amp; Kingma 2016) of one weight whose rows are output units,
/// as torch.nn.utils.weight_norm with dim = 0: w_o = g_o·v_o/‖v_o‖ for each row o.
/// Dimension glossary: O output units (the weight's first dimension), K elements per row.
/// The weight stays where its module reads it; this object owns g (O, 1, …) and v (the
/// weight's shape), named "&lt;weight&gt;_g" and "&lt;weight&gt;_v" as PyTorch names them.
/// <see cref="Recompute"/> writes w from g and v before the module's forward pass;
/// <see cref="Backward"/> turns the gradient the module's backward pass left in the weight into
/// gradients of g and v (docs/theory.md 4.3):
/// ∇_g L = (∇_w L · v)/‖v‖, ∇_v L = (g/‖v‖)·W⊥·∇_w L with W⊥ = I − v vᵀ/‖v‖²,
/// so ∇_v L is orthogonal to v. Like PyTorch, no ε guards ‖v‖ = 0 (the weight becomes NaN).
/// Created from a weight, it starts with v = w and g = ‖w_o‖, so the module computes the same
/// function as before.
/// </summary>
public sealed class WeightNorm
{
    private readonly double[] _norms;   // (O): ‖v_o‖ at the last Recompute

    /// <param name="weight">The weight to re-parametrize; rank ≥ 1, its first dimension indexes output units.</param>
    public WeightNorm(Parameter weight)
    {
        ArgumentNullException.ThrowIfNull(weight);
        if (weight.Shape.Rank < 1 || weight.Shape[0] < 1)
            throw new ArgumentException($"WeightNorm: '{weight.Name}' of shape {weight.Shape} has no output units along its first dimension.", nameof(weight));
        Weight = weight;
        Units = weight.Shape[0];
        RowLength = weight.Length / Units;
        int[] gDims = new int[weight.Shape.Rank];
        gDims.AsSpan().Fill(1);
        gDims[0] = Units;
        G = new Parameter(weight.Name + "_g", new Shape(gDims), ParameterKind.Normalization);
        V = new Parameter(weight.Name + "_v", weight.Shape, ParameterKind.Weight);
        weight.Value.Span.CopyTo(V.Value.Span);
        var g = G.Value.Span;
        for (int o = 0; o < Units; o++) g[o] = (float)Reductions.Norm(Row(V.Value, o));
        _norms = new double[Units];
        Recompute();
    }

    /// <summary>The re-parametrized weight w, recomputed from g and v.</summary>
    public Parameter Weight { get; }

    /// <summary>g (O, 1, …): the length of each row of w.</summary>
    public Parameter G { get; }

    /// <summary>v (same shape as w): the direction of each row of w.</summary>
    public Parameter V { get; }

    /// <summary>O.</summary>
    public int Units { get; }

    /// <summary>K.</summary>
    public int RowLength { get; }

    /// <summary>w_o = g_o·v_o/‖v_o‖ for every row; call before the module's forward pass.</summary>
    public void Recompute() =>
        WeightNormalization.Recompute(V.Value.Span, G.Value.Span, Weight.Value.Span, _norms, Units, RowLength);

    /// <summary>
    /// Adds ∇_g L = (∇_w L·v)/‖v‖ and ∇_v L = (g/‖v‖)(∇_w L − v(v·∇_w L)/‖v‖²) per row, from the
    /// gradient in <see cref="Weight"/>, then clears the weight's gradient. Call after the
    /// module's backward pass; linear in ∇_w L, so calling it after each of several backward
    /// passes adds up to the same as calling it once after all of them.
    /// </summary>
    public void Backward() =>
        WeightNormalization.Backward(Weight.Grad.Span, V.Value.Span, G.Value.Span, _norms, V.Grad.Span, G.Grad.Span, Units, RowLength);

    /// <summary>
    /// The data-dependent initialization of Salimans &amp; Kingma (2016, §3): given the
    /// pre-activations t (N × O) the module computes on an initial batch with the current g, v
    /// and <paramref name="bias"/>, rescales g_o ← g_o/σ_o and sets b_o ← (b_o − μ_o)/σ_o, where μ_o
    /// and σ_o are the mean and (biased) standard deviation of t over the batch; the same batch
    /// then gives pre-activations with mean 0 and variance 1 per unit. (With g = 1 and b = 0 these
    /// are the paper's g ← 1/σ[t], b ← −μ[t]/σ[t].) Without a bias (empty span) only the scale is
    /// set. Recomputes w.
    /// </summary>
    public void InitializeFromPreactivations(ReadOnlySpan<float> preactivations, Span<float> bias)
    {
        if (preactivations.Length == 0 || preactivations.Length % Units != 0)
            throw new ArgumentException($"WeightNorm: pre-activations must be (N, {Units}) with N ≥ 1; got {preactivations.Length} values.", nameof(preactivations));
        if (!bias.IsEmpty && bias.Length != Units)
            throw new ArgumentException($"WeightNorm: the bias has {bias.Length} elements; expected {Units} or none.", nameof(bias));
        int n = preactivations.Length / Units;
        var g = G.Value.Span;
        for (int o = 0; o < Units; o++)
        {
            double sum = 0, squares = 0;
            for (int i = 0; i < n; i++) sum += preactivations[i * Units + o];
            double mean = sum / n;
            for (int i = 0; i < n; i++)
            {
                double d = preactivations[i * Units + o] - mean;
                squares += d * d;
            }
            double std = Math.Sqrt(squares / n);
            if (!(std > 0))
                throw new InvalidOperationException($"WeightNorm: unit {o} of '{Weight.Name}' has the same pre-activation for every example of the batch; initialize from a batch of varied inputs.");
            g[o] = (float)(g[o] / std);
            if (!bias.IsEmpty) bias[o] = (float)((bias[o] - mean) / std);
        }
        Recompute();
    }

    private Span<float> Row(Tensor t, int o) => t.Span.Slice(o * RowLength, RowLength);
}
