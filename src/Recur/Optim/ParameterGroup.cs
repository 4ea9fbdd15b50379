using Recur.Tensors;

namespace Recur.Optim;

/// <summary>
/// Parameters that share a learning rate and a regularization (PyTorch's <c>param_groups</c>).
/// A null <see cref="LearningRate"/> or <see cref="Regularization"/> takes the optimizer
/// options' value, as a missing key in a PyTorch group dict does.
/// </summary>
/// <param name="Parameters">Parameters of the optimizer's store; each may be in one group only.</param>
public sealed record ParameterGroup(IReadOnlyList<Parameter> Parameters)
{
    /// <summary>The group's base learning rate η_0, or null for the options' rate.</summary>
    public double? LearningRate { get; init; }

    /// <summary>The group's regularization, or null for the options' one.</summary>
    public Regularization? Regularization { get; init; }

    /// <summary>
    /// The default grouping: parameters whose kind is in <paramref name="regularizedKinds"/> get
    /// the options' regularization, all others none. The usual choice (and the default,
    /// <see cref="ParameterKind.Weight"/> only) leaves biases, normalization gains and embeddings
    /// undecayed, since shrinking them toward 0 has no regularizing meaning. Empty groups are left out.
    /// </summary>
    public static IReadOnlyList<ParameterGroup> ByKind(ParameterStore store, IReadOnlyList<ParameterKind> regularizedKinds)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(regularizedKinds);
        var regularized = new List<Parameter>();
        var rest = new List<Parameter>();
        foreach (var p in store.Parameters) (regularizedKinds.Contains(p.Kind) ? regularized : rest).Add(p);
        var groups = new List<ParameterGroup>();
        if (regularized.Count > 0) groups.Add(new ParameterGroup(regularized));
        if (rest.Count > 0) groups.Add(new ParameterGroup(rest) { Regularization = new Regularization.None() });
        return groups;
    }
}
