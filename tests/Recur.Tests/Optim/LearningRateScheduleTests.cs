using Recur.Formats;
using Recur.Optim;
using Recur.Tests.Support;

namespace Recur.Tests.Optim;

public class LearningRateScheduleTests
{
    private static Safetensors Golden => OptimTestData.Golden("optim_schedules");

    public static TheoryData<string> Names => new() { "step", "cosine", "warmup_cosine", "warmup_cosine_zero", "restarts", "restarts_mult" };

    /// <summary>The Recur twin of each PyTorch scheduler in tools/golden/optim_golden.py.</summary>
    private static LearningRateSchedule Create(string name) => name switch
    {
        "step" => new LearningRateSchedule.StepDecay(7, 0.5),
        "cosine" => new LearningRateSchedule.Cosine(50, 1e-3),
        "warmup_cosine" => new LearningRateSchedule.WarmupCosine(10, 100, StartFactor: 0.1, MinLearningRate: 1e-3),
        "warmup_cosine_zero" => new LearningRateSchedule.WarmupCosine(10, 100, MinLearningRate: 1e-3),
        "restarts" => new LearningRateSchedule.CosineWarmRestarts(10, MinLearningRate: 1e-3),
        "restarts_mult" => new LearningRateSchedule.CosineWarmRestarts(5, 2, 1e-3),
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Names))]
    public void Schedule_EveryStep_MatchesPyTorchScheduler(string name)
    {
        double[] expected = Golden.GetFloat64(name);
        double baseRate = double.Parse(Golden.Metadata["base_lr"], System.Globalization.CultureInfo.InvariantCulture);
        var schedule = Create(name);
        var actual = new double[expected.Length];
        for (int t = 0; t < actual.Length; t++) actual[t] = schedule.LearningRate(t, baseRate);
        AssertClose.All(expected, actual, 1e-10, 1e-15, name);
        Assert.True(expected.Distinct().Count() > 5, "the golden schedule should vary");
    }

    [Fact]
    public void Constant_AnyStep_IsTheBaseRate()
    {
        var schedule = new LearningRateSchedule.Constant();
        Assert.Equal(0.3, schedule.LearningRate(0, 0.3));
        Assert.Equal(0.3, schedule.LearningRate(1_000_000_000_000, 0.3));
    }

    [Fact]
    public void Optimizer_LearningRate_FollowsScheduleAtStepCount()
    {
        var store = OptimTestData.MixedStore(1);
        var sgd = new Sgd(store, new SgdOptions(0.2)) { Schedule = new LearningRateSchedule.StepDecay(2, 0.5) };
        double[] seen = new double[5];
        for (int t = 0; t < 5; t++)
        {
            seen[t] = sgd.LearningRate();
            sgd.Step();
        }
        Assert.Equal([0.2, 0.2, 0.1, 0.1, 0.05], seen);
    }

    [Fact]
    public void Schedules_BadArguments_ThrowArgumentOutOfRange()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new LearningRateSchedule.StepDecay(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LearningRateSchedule.StepDecay(3, -0.1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LearningRateSchedule.Cosine(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LearningRateSchedule.Cosine(10, -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LearningRateSchedule.WarmupCosine(10, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LearningRateSchedule.WarmupCosine(-1, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LearningRateSchedule.WarmupCosine(2, 10, StartFactor: 1.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LearningRateSchedule.CosineWarmRestarts(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LearningRateSchedule.CosineWarmRestarts(5, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LearningRateSchedule.Constant().LearningRate(-1, 0.1));
        Assert.Throws<ArgumentNullException>(() => new Sgd(OptimTestData.MixedStore(1), new SgdOptions(0.1)) { Schedule = null! });
    }
}
