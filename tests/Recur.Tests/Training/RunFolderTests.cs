using Recur.LanguageModels.Rnn;
using Recur.Nn.Recurrent;
using Recur.Tensors;
using Recur.Tests.Support;
using Recur.Text;
using Recur.Training;

namespace Recur.Tests.Training;

public sealed class RunFolderTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static readonly RnnLanguageModelOptions Small = new() { Cell = CellKind.Gru, Embedding = 8, Hidden = 12 };
    private static readonly TrainingOptions Quick = new() { Batch = 4, Sequence = 16, Steps = 8, EvalEvery = 4, Threads = 1, Seed = 2 };

    private Trainer NewTrainer(string folder, TrainingOptions options)
    {
        var data = TrainingData.FromFile(_dir.File("corpus.txt", BuiltInCorpus.Generate(200, 3)), TokenizerKind.Char);
        return new Trainer(new RnnLanguageModel(data.Tokenizer, Small, new Rng(options.Seed)), data, options, folder);
    }

    [Fact]
    public void SaveKilledBeforeLatestIsReplaced_LeavesThePreviousCheckpointResumable_AndTheNextRunRemovesTheRest()
    {
        string folder = Path.Combine(_dir.Path, "run");
        NewTrainer(folder, Quick with { Steps = 4 }).Run();
        string published = RunFolder.CheckpointOf(folder);
        // What a kill leaves at each instant of the next save: a half-written folder, a complete
        // one not yet named by latest, and a temporary file of latest's atomic replacement.
        Directory.CreateDirectory(Path.Combine(folder, "checkpoint-8.partial"));
        File.WriteAllText(Path.Combine(folder, "checkpoint-8.partial", "model.safetensors"), "half");
        CopyFolder(published, Path.Combine(folder, "checkpoint-6"));
        File.WriteAllText(Path.Combine(folder, ".latest.1234.tmp"), "checkpoint-");
        Assert.Equal(published, RunFolder.CheckpointOf(folder));

        var resumed = Trainer.Resume(folder, steps: 8).Run();
        Assert.Equal(TrainingStatus.Completed, resumed.Status);
        Assert.Equal(Path.Combine(folder, "checkpoint-8"), RunFolder.CheckpointOf(folder));
        Assert.Equal(["checkpoint-8"], Directory.GetDirectories(folder).Select(Path.GetFileName));
        Assert.Empty(Directory.GetFiles(folder, "*.tmp", SearchOption.AllDirectories));
    }

    [Fact]
    public void SecondTrainingProcess_IntoAFolderInUse_IsRefusedAtOnce()
    {
        string folder = Path.Combine(_dir.Path, "busy");
        using (RunLock.Acquire(folder))
        {
            var e = Assert.Throws<InputException>(() => NewTrainer(folder, Quick).Run());
            Assert.Contains("another process", e.Message);
            Assert.False(RunFolder.HasCheckpoint(folder));
        }
        Assert.Equal(TrainingStatus.Completed, NewTrainer(folder, Quick).Run().Status);
    }

    [Fact]
    public void Resume_AfterATornOrDamagedMetricsLine_DropsTheLineAndContinues()
    {
        string folder = Path.Combine(_dir.Path, "torn");
        NewTrainer(folder, Quick with { Steps = 4 }).Run();
        string metrics = Path.Combine(folder, Checkpoint.MetricsFile);
        File.AppendAllText(metrics, "{\"step\":5,\"train_lo\n{\"step\":\"x\"}\nnot json\n\u00ff\u0000\n{\"step\":6,\"train_loss\":1e400}\n{\"step\":");
        Assert.Equal(TrainingStatus.Completed, Trainer.Resume(folder, steps: 8).Run().Status);
        var lines = File.ReadAllLines(metrics);
        Assert.All(lines, l => Assert.StartsWith("{\"step\":", l));
        Assert.Equal(8, lines.Count(l => l.Contains("train_loss")));
        var (train, validation) = MetricsLog.ReadLosses(metrics);
        Assert.Equal(8, train.Count);
        Assert.Equal(2, validation.Count);
    }

    [Fact]
    public void CheckpointOf_ReadsTheOlderLayout_AndNamesWhatIsMissing()
    {
        string folder = Path.Combine(_dir.Path, "old");
        NewTrainer(folder, Quick with { Steps = 4 }).Run();
        string published = RunFolder.CheckpointOf(folder);
        foreach (string f in Directory.GetFiles(published)) File.Move(f, Path.Combine(folder, Path.GetFileName(f)));
        Directory.Delete(published);
        File.Delete(Path.Combine(folder, RunFolder.LatestFile));
        Assert.Equal(folder, RunFolder.CheckpointOf(folder));
        Assert.Equal(4, Checkpoint.LoadModel(folder).Config.Step);

        string empty = Directory.CreateDirectory(Path.Combine(_dir.Path, "empty")).FullName;
        Assert.Contains("holds no checkpoint", Assert.Throws<InputException>(() => RunFolder.CheckpointOf(empty)).Message);
        File.WriteAllText(Path.Combine(empty, RunFolder.LatestFile), "../../etc\n");
        Assert.Contains("damaged", Assert.Throws<InputException>(() => RunFolder.CheckpointOf(empty)).Message);
        File.WriteAllText(Path.Combine(empty, RunFolder.LatestFile), "checkpoint-9\n");
        Assert.Contains("checkpoint-9", Assert.Throws<InputException>(() => RunFolder.CheckpointOf(empty)).Message);
    }

    private static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string f in Directory.GetFiles(from)) File.Copy(f, Path.Combine(to, Path.GetFileName(f)));
    }
}
