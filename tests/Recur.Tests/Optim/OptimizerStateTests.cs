using Recur.Formats;
using Recur.Optim;
using Recur.Tensors;

namespace Recur.Tests.Optim;

/// <summary>Save and load of optimizer state: a resumed run must continue bit for bit.</summary>
public class OptimizerStateTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("recur-optim-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    public static TheoryData<string> Configs => new() { "sgd_nesterov", "sgdw_schedule", "adam_amsgrad_l2", "adamw_warmup", "adamw_paper_restarts" };

    private static Optimizer Create(string config, ParameterStore store)
    {
        var p = store.Parameters;
        return config switch
        {
            "sgd_nesterov" => new Sgd(store, new SgdOptions(0.02) { Momentum = 0.9, Nesterov = true, Regularization = new Regularization.L2(1e-3) }),
            "sgdw_schedule" => new Sgd(store, new SgdOptions(0.05) { Momentum = 0.5, Dampening = 0.2, Regularization = new Regularization.DecoupledWeightDecay(0.1) })
            { Schedule = new LearningRateSchedule.StepDecay(7, 0.5) },
            "adam_amsgrad_l2" => new Adam(store, new AdamOptions { LearningRate = 1e-2, AmsGrad = true, Regularization = new Regularization.L2(0.01) },
                [new ParameterGroup([p[1], p[4]]), new ParameterGroup([p[0], p[2], p[3]]) { LearningRate = 3e-2 }]),
            "adamw_warmup" => new Adam(store, AdamOptions.AdamW(1e-2, 0.1)) { Schedule = new LearningRateSchedule.WarmupCosine(5, 30) },
            "adamw_paper_restarts" => new Adam(store, AdamOptions.AdamW(1e-2) with { Regularization = new Regularization.DecoupledWeightDecay(0.05, ScaleBySchedule: true) })
            { Schedule = new LearningRateSchedule.CosineWarmRestarts(4, 2, 1e-4) },
            _ => throw new ArgumentException(config),
        };
    }

    /// <summary>Steps t = from … to − 1 with the deterministic gradients; step 7 gets a NaN and is skipped.</summary>
    private static void Train(Optimizer optimizer, int from, int to)
    {
        for (int t = from; t < to; t++)
        {
            OptimTestData.FillGradient(optimizer.Store, t);
            if (t == 7) optimizer.Store.Grads[3] = float.NaN;
            optimizer.ClipAndStep(5.0);
            optimizer.ZeroGrad();
        }
    }

    [Theory]
    [MemberData(nameof(Configs))]
    public void SaveLoad_MidRun_ContinuesBitExactly(string config)
    {
        var straight = OptimTestData.MixedStore(5);
        var uninterrupted = Create(config, straight);
        Train(uninterrupted, 0, 30);

        var first = OptimTestData.MixedStore(5);
        var beforeSave = Create(config, first);
        Train(beforeSave, 0, 13);
        string path = Path.Combine(_dir, "optimizer.safetensors");
        beforeSave.Save(path);
        float[] checkpoint = first.Values.ToArray();

        var resumedStore = OptimTestData.MixedStore(99); // different values, overwritten from the "model checkpoint"
        checkpoint.CopyTo(resumedStore.Values);
        var resumed = Create(config, resumedStore);
        resumed.Load(path);
        Assert.Equal(beforeSave.StepCount, resumed.StepCount);
        Assert.Equal(1, resumed.SkippedSteps);
        Train(resumed, 13, 30);

        Assert.Equal(straight.Values.ToArray(), resumedStore.Values.ToArray());
        Assert.Equal(uninterrupted.StepCount, resumed.StepCount);
        Assert.Equal(29, resumed.StepCount);
    }

    [Fact]
    public void Load_FreshOptimizerWithoutState_WouldDiverge()
    {
        // Guards the test above: continuing without the saved state gives different weights.
        var straight = OptimTestData.MixedStore(5);
        Train(Create("adamw_warmup", straight), 0, 30);
        var store = OptimTestData.MixedStore(5);
        Train(Create("adamw_warmup", store), 0, 13);
        Train(Create("adamw_warmup", store), 13, 30);
        Assert.NotEqual(straight.Values.ToArray(), store.Values.ToArray());
    }

    [Fact]
    public void Save_File_HoldsStepCountAndAlignedBuffers()
    {
        var store = OptimTestData.MixedStore(6);
        var adam = new Adam(store, new AdamOptions { AmsGrad = true });
        Train(adam, 0, 3);
        string path = Path.Combine(_dir, "a.safetensors");
        adam.Save(path);
        var file = Safetensors.Load(path);
        Assert.Equal([3L], file.GetInt64("step"));
        Assert.Equal([0L], file.GetInt64("skipped_steps"));
        foreach (string name in new[] { "exp_avg", "exp_avg_sq", "max_exp_avg_sq" }) Assert.Equal([store.Count], file.ShapeOf(name));
        Assert.Equal("adam", file.Metadata["optimizer"]);
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));
    }

    [Fact]
    public void Load_OtherOptimizer_ThrowsInputExceptionAndChangesNothing()
    {
        var store = OptimTestData.MixedStore(7);
        var sgd = new Sgd(store, new SgdOptions(0.1) { Momentum = 0.9 });
        Train(sgd, 0, 2);
        string path = Path.Combine(_dir, "sgd.safetensors");
        sgd.Save(path);
        var adam = new Adam(store, new AdamOptions());
        var e = Assert.Throws<InputException>(() => adam.Load(path));
        Assert.Contains("holds sgd state but this run uses adam", e.Message);
        Assert.Equal(path, e.Subject);
        Assert.Equal(0, adam.StepCount);
    }

    [Fact]
    public void Load_OtherParameters_ThrowsInputException()
    {
        var adam = new Adam(OptimTestData.MixedStore(8), new AdamOptions());
        string path = Path.Combine(_dir, "a.safetensors");
        adam.Save(path);
        var other = new Adam(OptimTestData.GoldenStore(), new AdamOptions());
        Assert.Contains("different parameters", Assert.Throws<InputException>(() => other.Load(path)).Message);
    }

    [Fact]
    public void Load_StateWithoutAmsGradBuffer_ThrowsInputExceptionAndChangesNothing()
    {
        var store = OptimTestData.MixedStore(9);
        var plain = new Adam(store, new AdamOptions());
        Train(plain, 0, 2);
        string path = Path.Combine(_dir, "a.safetensors");
        plain.Save(path);
        var ams = new Adam(store, new AdamOptions { AmsGrad = true });
        Assert.Contains("max_exp_avg_sq", Assert.Throws<InputException>(() => ams.Load(path)).Message);
        Assert.Equal(0, ams.StepCount);
    }

    [Fact]
    public void Load_ModelCheckpointInsteadOfState_ThrowsInputException()
    {
        var file = new Safetensors();
        file.Add("w", new float[] { 1 }, 1);
        string path = Path.Combine(_dir, "model.safetensors");
        file.Save(path);
        var sgd = new Sgd(OptimTestData.MixedStore(10), new SgdOptions(0.1));
        Assert.Contains("not a Recur optimizer state", Assert.Throws<InputException>(() => sgd.Load(path)).Message);
    }

    [Theory]
    [MemberData(nameof(Configs))]
    public void Step_AfterWarmUp_AllocatesNothing(string config)
    {
        var store = OptimTestData.MixedStore(11);
        var optimizer = Create(config, store);
        OptimTestData.FillGradient(store, 0);
        optimizer.ClipAndStep(1.0);
        optimizer.Step();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int t = 0; t < 20; t++)
        {
            optimizer.ClipAndStep(1.0);
            optimizer.Step();
        }
        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }
}
