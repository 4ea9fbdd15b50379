using System.Collections.Concurrent;
using Recur.Formats;
using Recur.Tensors;

namespace Recur.Tests.Optim;

/// <summary>Parameter sets and gradients shared by the optimizer tests.</summary>
internal static class OptimTestData
{
    private static readonly ConcurrentDictionary<string, Safetensors> GoldenFiles = new();

    /// <summary>tests/Recur.Tests/Golden/<paramref name="name"/>.safetensors, written by tools/golden/optim_golden.py; read once.</summary>
    public static Safetensors Golden(string name) =>
        GoldenFiles.GetOrAdd(name, n => Safetensors.Load(Path.Combine(AppContext.BaseDirectory, "Golden", n + ".safetensors")));

    /// <summary>The golden layout of tools/golden/optim_golden.py: w1 (6, 7), b1 (7), w2 (3, 6), emb (5, 3); 82 values.</summary>
    public static ParameterStore GoldenStore() => new(
    [
        new Parameter("w1", new Shape(6, 7), ParameterKind.Weight),
        new Parameter("b1", new Shape(7), ParameterKind.Bias),
        new Parameter("w2", new Shape(3, 6), ParameterKind.Weight),
        new Parameter("emb", new Shape(5, 3), ParameterKind.Embedding),
    ]);

    /// <summary>A small model-like store with every kind, filled with seeded values.</summary>
    public static ParameterStore MixedStore(ulong seed)
    {
        var store = new ParameterStore(
        [
            new Parameter("embedding.weight", new Shape(9, 5), ParameterKind.Embedding),
            new Parameter("rnn.weight_ih_l0", new Shape(12, 5), ParameterKind.Weight),
            new Parameter("rnn.bias_ih_l0", new Shape(12), ParameterKind.Bias),
            new Parameter("norm.weight", new Shape(12), ParameterKind.Normalization),
            new Parameter("head.weight", new Shape(9, 12), ParameterKind.Weight),
            new Parameter("head.bias", new Shape(9), ParameterKind.Bias),
        ]);
        new Rng(seed).FillNormal(store.Values, 0, 1);
        return store;
    }

    /// <summary>
    /// A deterministic gradient that depends on the parameters and the step: g = θ − 0.5 + noise_t,
    /// so trajectories feed back on themselves as in training.
    /// </summary>
    public static void FillGradient(ParameterStore store, int step)
    {
        var rng = new Rng(1000 + (ulong)step);
        var values = store.Values;
        var grads = store.Grads;
        for (int i = 0; i < grads.Length; i++) grads[i] = values[i] - 0.5f + (float)rng.NextNormal();
    }
}
