using Recur.Formats;
using Recur.Optim;
using Recur.Tensors;
using Recur.Tests.Support;

namespace Recur.Tests.Optim;

/// <summary>
/// 200 steps of each optimizer against torch.optim (tools/golden/optim_golden.py): the same
/// initial parameters and the same stored gradient sequence on both sides; parameters after
/// steps 1, 50 and 200 must agree within 1e-5 relative. PyTorch weight_decay = w is L2(w / 2)
/// for SGD and Adam, DecoupledWeightDecay(w) for AdamW.
/// </summary>
public class OptimizerGoldenTests
{
    private static Safetensors Golden => OptimTestData.Golden("optim_trajectories");

    private static readonly string[] Names =
    [
        "sgd_plain", "sgd_momentum", "sgd_nesterov", "sgd_weight_decay", "sgd_groups",
        "adam", "adam_weight_decay", "adam_amsgrad", "adamw", "adamw_amsgrad", "adamw_groups", "adamw_cosine",
    ];

    public static TheoryData<string> Configs => new(Names);

    /// <summary>The Recur twin of each configuration in the golden script.</summary>
    private static Optimizer Create(string config, ParameterStore store)
    {
        ParameterGroup[] one = [new ParameterGroup(store.Parameters)];
        var p = store.Parameters; // w1, b1, w2, emb
        return config switch
        {
            "sgd_plain" => new Sgd(store, new SgdOptions(0.1), one),
            "sgd_momentum" => new Sgd(store, new SgdOptions(0.05) { Momentum = 0.9, Dampening = 0.1 }, one),
            "sgd_nesterov" => new Sgd(store, new SgdOptions(0.05) { Momentum = 0.9, Nesterov = true }, one),
            "sgd_weight_decay" => new Sgd(store, new SgdOptions(0.05) { Momentum = 0.9, Regularization = Regularization.L2.FromPyTorchWeightDecay(0.01) }, one),
            "sgd_groups" => new Sgd(store, new SgdOptions(0.05) { Momentum = 0.9, Regularization = new Regularization.L2(0.01) },
                [new ParameterGroup([p[0], p[2]]), new ParameterGroup([p[1], p[3]]) { LearningRate = 0.1, Regularization = new Regularization.None() }]),
            "adam" => new Adam(store, new AdamOptions { LearningRate = 1e-2 }, one),
            "adam_weight_decay" => new Adam(store, new AdamOptions { LearningRate = 1e-2, Regularization = new Regularization.L2(0.005) }, one),
            "adam_amsgrad" => new Adam(store, new AdamOptions
            {
                LearningRate = 1e-2, Beta1 = 0.8, Beta2 = 0.99, Epsilon = 1e-6, AmsGrad = true, Regularization = new Regularization.L2(0.01),
            }, one),
            "adamw" => new Adam(store, AdamOptions.AdamW(1e-2), one),
            "adamw_amsgrad" => new Adam(store, AdamOptions.AdamW(1e-2, 0.1) with { AmsGrad = true }, one),
            "adamw_groups" => new Adam(store, AdamOptions.AdamW(1e-2, 0.05)), // the default grouping: weights decayed, bias and embedding not
            "adamw_cosine" => new Adam(store, AdamOptions.AdamW(2e-2, 0.1), one) { Schedule = new LearningRateSchedule.Cosine(200, 1e-4) },
            _ => throw new ArgumentException(config),
        };
    }

    [Theory]
    [MemberData(nameof(Configs))]
    public void Optimizer_200Steps_MatchesPyTorch(string config)
    {
        var store = OptimTestData.GoldenStore();
        Golden.GetFloat32("init").CopyTo(store.Values);
        float[] grads = Golden.GetFloat32("grads"); // (200, 82)
        int n = store.Count;
        var optimizer = Create(config, store);
        for (int t = 1; t <= 200; t++)
        {
            grads.AsSpan((t - 1) * n, n).CopyTo(store.Grads);
            optimizer.Step();
            if (t is 1 or 50 or 200)
                AssertClose.All(Golden.GetFloat32($"{config}.step{t}"), store.Values, rtol: 1e-5, atol: 1e-6, what: $"{config} step {t}");
        }
        Assert.Equal(200, optimizer.StepCount);
    }

    [Fact]
    public void Golden_Configurations_DifferFromEachOther()
    {
        // Guards the test above: each configuration must actually exercise something different.
        var finals = Names.Select(c => Golden.GetFloat32($"{c}.step200")).ToArray();
        for (int a = 0; a < finals.Length; a++)
            for (int b = a + 1; b < finals.Length; b++)
            {
                double maxDiff = 0;
                for (int i = 0; i < finals[a].Length; i++) maxDiff = Math.Max(maxDiff, Math.Abs(finals[a][i] - finals[b][i]));
                Assert.True(maxDiff > 1e-3, $"configurations {Names[a]} and {Names[b]} end within {maxDiff:G3}");
            }
    }
}
