using Recur.Tensors;

namespace Recur.Nn.Normalization;

/// <summary>
/// Any module with some of its weights under weight normalization (<see cref="WeightNorm"/>),
/// as torch.nn.utils.weight_norm applied to each named weight. <see cref="Parameters"/> lists the
/// inner module's parameters with each wrapped weight replaced by its g and v, so an optimizer
/// and a checkpoint see only g and v ("weight_g", "weight_v", …). Run the inner module through
/// <see cref="Forward{TResult}"/> and <see cref="Backward{TResult}"/>, which recompute the weights
/// before and move their gradients into g and v after; or call <see cref="RecomputeWeights"/>
/// and <see cref="MoveGradients"/> around the inner calls yourself (for example once around a
/// whole truncated-BPTT window).
/// </summary>
/// <typeparam name="TModule">The wrapped module's type.</typeparam>
public sealed class WeightNormalized<TModule> : Module where TModule : Module
{
    private readonly WeightNorm[] _norms;

    /// <param name="inner">The module whose weights to re-parametrize.</param>
    /// <param name="weightNames">The weights, by full parameter name or by the part after the
    /// last '.' (e.g. "weight" or "weight_hh_l0"); "weight" when none are given. The first
    /// dimension of each must index output units.</param>
    public WeightNormalized(TModule inner, params string[] weightNames)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(weightNames);
        Inner = inner;
        if (weightNames.Length == 0) weightNames = ["weight"];
        var all = inner.Parameters().ToList();
        var chosen = new List<WeightNorm>();
        foreach (string name in weightNames)
        {
            var matches = all.Where(p => p.Name == name || p.Name.EndsWith("." + name, StringComparison.Ordinal)).ToList();
            if (matches.Count != 1)
                throw new ArgumentException($"WeightNormalized: '{name}' matches {matches.Count} parameters; choose one of {string.Join(", ", all.Select(p => p.Name))}.", nameof(weightNames));
            if (chosen.Any(w => w.Weight == matches[0]))
                throw new ArgumentException($"WeightNormalized: '{matches[0].Name}' is named twice.", nameof(weightNames));
            chosen.Add(new WeightNorm(matches[0]));
        }
        _norms = [.. chosen];
    }

    /// <summary>The wrapped module.</summary>
    public TModule Inner { get; }

    /// <summary>The re-parametrizations, in the order the weights were named.</summary>
    public IReadOnlyList<WeightNorm> Norms => _norms;

    /// <summary>The re-parametrization of the weight with this name (full or after the last '.').</summary>
    public WeightNorm Norm(string name)
    {
        foreach (var w in _norms)
            if (w.Weight.Name == name || w.Weight.Name.EndsWith("." + name, StringComparison.Ordinal)) return w;
        throw new KeyNotFoundException($"WeightNormalized: no wrapped weight named '{name}'.");
    }

    /// <summary>The inner module's parameters, each wrapped weight replaced by its g and v.</summary>
    public override IEnumerable<Parameter> Parameters()
    {
        foreach (var p in Inner.Parameters())
        {
            var norm = Array.Find(_norms, w => w.Weight == p);
            if (norm is null)
            {
                yield return p;
                continue;
            }
            yield return norm.G;
            yield return norm.V;
        }
    }

    protected override IEnumerable<Module> Children() => [Inner];

    /// <summary>w = g·v/‖v‖ for every wrapped weight.</summary>
    public void RecomputeWeights()
    {
        foreach (var w in _norms) w.Recompute();
    }

    /// <summary>Turns every wrapped weight's gradient into gradients of its g and v, and clears it.</summary>
    public void MoveGradients()
    {
        foreach (var w in _norms) w.Backward();
    }

    /// <summary>Recomputes the weights, then runs the inner module's forward pass: <c>layer.Forward(m => m.Forward(x))</c>.</summary>
    public TResult Forward<TResult>(Func<TModule, TResult> forward)
    {
        ArgumentNullException.ThrowIfNull(forward);
        RecomputeWeights();
        return forward(Inner);
    }

    /// <summary>Runs the inner module's backward pass, then moves the weights' gradients into g and v: <c>layer.Backward(m => m.Backward(dy))</c>.</summary>
    public TResult Backward<TResult>(Func<TModule, TResult> backward)
    {
        ArgumentNullException.ThrowIfNull(backward);
        var result = backward(Inner);
        MoveGradients();
        return result;
    }
}
