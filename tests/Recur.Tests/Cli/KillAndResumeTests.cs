using System.Diagnostics;
using System.Text.Json.Nodes;
using Recur.Tests.Support;
using Recur.Text;
using Recur.Training;
using Xunit.Abstractions;

namespace Recur.Tests.Cli;

/// <summary>
/// Fault injection: `recur train` as a child process, killed (SIGKILL) at random instants —
/// before its first checkpoint, while it trains and while it saves — twenty times, then resumed
/// each time with --resume (or started again when no checkpoint was published yet). It must
/// always resume, and end with the same weights, optimizer state and per-step losses as a run
/// that was never interrupted.
/// </summary>
public sealed class KillAndResumeTests(ITestOutputHelper output) : IDisposable
{
    private const int Kills = 20;
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static readonly string[] Options =
        ["--embedding", "8", "--hidden", "24", "--batch", "4", "--seq", "16", "--steps", "60", "--eval-every", "2", "--threads", "1", "--seed", "3"];

    [Fact]
    public void TrainingKilledTwentyTimes_ResumesToTheSameFinalWeights()
    {
        string corpus = _dir.File("corpus.txt", BuiltInCorpus.Generate(300, 5));
        string whole = Path.Combine(_dir.Path, "whole"), killed = Path.Combine(_dir.Path, "killed");
        var clock = Stopwatch.StartNew();
        Assert.Equal(0, Train(corpus, whole, resume: false, killAfter: null));
        double span = clock.Elapsed.TotalSeconds;
        // Each kill comes once the process has started training, after a random part of 8%
        // of the training time, so that the twenty kills land all along the run, saves included.
        double startup = StartupSeconds(corpus), training = Math.Max(0.05, span - startup);

        var random = new Random(15);
        int kills = 0, duringSave = 0, beforeFirstCheckpoint = 0;
        for (int kill = 0; kill < Kills && !Finished(killed); kill++)
        {
            bool resume = RunFolder.HasCheckpoint(killed);
            if (!resume) beforeFirstCheckpoint++;
            int code = Train(corpus, killed, resume, TimeSpan.FromSeconds(0.08 * training * random.NextDouble()));
            if (code == 0) break;   // finished before the kill: the remaining kills have nothing to hit
            kills++;
            if (Directory.GetDirectories(killed, "*.partial").Length > 0 || Directory.GetFiles(killed, "*.tmp", SearchOption.AllDirectories).Length > 0) duringSave++;
        }
        if (!Finished(killed)) Train(corpus, killed, RunFolder.HasCheckpoint(killed), killAfter: null);
        output.WriteLine($"{kills} kills: {beforeFirstCheckpoint} before the first checkpoint, {duringSave} during a save; uninterrupted run {span:F2} s, start-up {startup:F2} s");
        Assert.Equal(Kills, kills);

        foreach (string file in new[] { Checkpoint.ModelFile, Checkpoint.OptimizerFile })
            Assert.Equal(File.ReadAllBytes(Path.Combine(RunFolder.CheckpointOf(whole), file)), File.ReadAllBytes(Path.Combine(RunFolder.CheckpointOf(killed), file)));
        Assert.Equal(Losses(whole), Losses(killed));
        Assert.Equal(["checkpoint-60"], Directory.GetDirectories(killed).Select(Path.GetFileName));
        Assert.Empty(Directory.GetFiles(killed, "*.tmp", SearchOption.AllDirectories));
    }

    // How long a run takes to start training (tool start-up, reading the corpus, building the model).
    private double StartupSeconds(string corpus)
    {
        string folder = Path.Combine(_dir.Path, "startup");
        var clock = Stopwatch.StartNew();
        Train(corpus, folder, resume: false, killAfter: TimeSpan.Zero);
        return clock.Elapsed.TotalSeconds;
    }

    private static bool Finished(string folder) =>
        RunFolder.HasCheckpoint(folder) && Path.GetFileName(RunFolder.CheckpointOf(folder)) == "checkpoint-60";

    // Runs `recur train` in a child process; kills it `killAfter` after it starts training (its
    // metrics.jsonl is written anew then), returning −1.
    private static int Train(string corpus, string folder, bool resume, TimeSpan? killAfter)
    {
        string cli = Path.Combine(AppContext.BaseDirectory, "Recur.Cli.dll");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(cli);
        start.ArgumentList.Add("train");
        if (resume)
        {
            start.ArgumentList.Add("--resume");
            start.ArgumentList.Add(folder);
        }
        else
        {
            foreach (string option in Options) start.ArgumentList.Add(option);
            start.ArgumentList.Add("--corpus");
            start.ArgumentList.Add(corpus);
            start.ArgumentList.Add("--out");
            start.ArgumentList.Add(folder);
        }
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        _ = process.StandardOutput.ReadToEndAsync();
        string metrics = Path.Combine(folder, Checkpoint.MetricsFile);
        var started = DateTime.UtcNow;
        if (killAfter is { } delay && WaitUntilTraining(process, metrics, started) && !process.WaitForExit(delay))
        {
            process.Kill();
            process.WaitForExit();
            return -1;
        }
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"recur train{(resume ? " --resume" : "")} exited {process.ExitCode}: {stderr.Result}");
        return 0;
    }

    private static bool WaitUntilTraining(Process process, string metrics, DateTime started)
    {
        var clock = Stopwatch.StartNew();
        while (!process.HasExited && clock.Elapsed.TotalSeconds < 60)
        {
            if (File.Exists(metrics) && File.GetLastWriteTimeUtc(metrics) >= started) return true;
            Thread.Sleep(2);
        }
        return !process.HasExited;
    }

    private static List<double> Losses(string folder) =>
        [.. File.ReadAllLines(Path.Combine(folder, Checkpoint.MetricsFile)).Select(l => JsonNode.Parse(l)!.AsObject())
            .Where(o => o["train_loss"] is not null).Select(o => o["train_loss"]!.GetValue<double>())];
}
