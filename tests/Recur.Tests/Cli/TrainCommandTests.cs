using System.Text.Json;
using Recur.Tests.Support;
using Recur.Text;
using Recur.Training;

namespace Recur.Tests.Cli;

/// <summary>`recur train` and `recur generate` in-process: outputs, files and one-line errors.</summary>
public sealed class TrainCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static readonly string[] Tiny = ["--embedding", "4", "--hidden", "8", "--batch", "4", "--seq", "16", "--steps", "6", "--eval-every", "3", "--threads", "1"];

    private string TrainTiny(string name, int steps = 6)
    {
        string corpus = _dir.File("corpus.txt", BuiltInCorpus.Generate(120, 9));
        string folder = Path.Combine(_dir.Path, name);
        string[] options = steps == 6 ? Tiny
            : ["--embedding", "8", "--hidden", "32", "--batch", "8", "--seq", "32", "--steps", $"{steps}", "--eval-every", "0", "--threads", "1", "--lr", "0.01"];
        string[] args = [.. options.Prepend("train"), "--corpus", corpus, "--out", folder, "--json"];
        var (code, _, error) = ProgramTests.Run(args);
        Assert.True(code == 0, error);
        return folder;
    }

    [Fact]
    public void Train_Json_HasTheDesignFields_AndWritesEveryFile()
    {
        string corpus = _dir.File("corpus.txt", BuiltInCorpus.Generate(120, 9));
        string folder = Path.Combine(_dir.Path, "run");
        var (code, output, error) = ProgramTests.Run([.. Tiny.Prepend("train"), "--corpus", corpus, "--out", folder, "--json"]);
        Assert.True(code == 0, error);
        var json = JsonDocument.Parse(output).RootElement;
        foreach (string key in new[] { "steps", "train_loss", "val_loss", "val_ppl", "tokens_per_s", "entropy_floor", "checkpoint" })
            Assert.True(json.TryGetProperty(key, out _), key);
        Assert.Equal(6, json.GetProperty("steps").GetInt32());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("entropy_floor").ValueKind);
        foreach (string f in new[] { Checkpoint.ConfigFile, Checkpoint.ModelFile, Checkpoint.OptimizerFile })
            Assert.True(File.Exists(Path.Combine(RunFolder.CheckpointOf(folder), f)), f);
        foreach (string f in new[] { Checkpoint.MetricsFile, Checkpoint.PlotFile, RunFolder.LatestFile })
            Assert.True(File.Exists(Path.Combine(folder, f)), f);
        Assert.Contains("validation loss", error);
    }

    [Fact]
    public void Train_IntoAFolderWithACheckpoint_IsRefused_AndResumeTakesOnlyStepsAndThreads()
    {
        string folder = TrainTiny("run");
        var (code, _, error) = ProgramTests.Run([.. Tiny.Prepend("train"), "--out", folder]);
        Assert.Equal(2, code);
        Assert.Contains("already holds a checkpoint", error);
        (code, _, error) = ProgramTests.Run("train", "--resume", folder, "--hidden", "16");
        Assert.Equal(2, code);
        Assert.Contains("--hidden", error);
        (code, _, error) = ProgramTests.Run("train", "--resume", folder, "--steps", "8", "--json");
        Assert.True(code == 0, error);
        (code, _, error) = ProgramTests.Run("train", "--resume", folder, "--steps", "8");
        Assert.Equal(2, code);
        Assert.Contains("already done 8 steps", error);
    }

    [Fact]
    public void Train_IntoAFolderOfOtherFiles_IsRefused_AndNothingInItIsTouched()
    {
        string folder = Directory.CreateDirectory(Path.Combine(_dir.Path, "mine")).FullName;
        File.WriteAllText(Path.Combine(folder, Checkpoint.ModelFile), "precious");
        var (code, _, error) = ProgramTests.Run([.. Tiny.Prepend("train"), "--out", folder]);
        Assert.Equal(2, code);
        Assert.Contains("is not empty", error);
        Assert.Equal("precious", File.ReadAllText(Path.Combine(folder, Checkpoint.ModelFile)));
        Assert.Equal([Path.Combine(folder, Checkpoint.ModelFile)], Directory.GetFileSystemEntries(folder));
    }

    [Fact]
    public void Train_OneStepWithWarmUp_IsRefusedAsAnOption_NotAsAnInternalArgument()
    {
        var (code, _, error) = ProgramTests.Run("train", "--steps", "1", "--out", Path.Combine(_dir.Path, "one"));
        Assert.Equal(2, code);
        Assert.StartsWith("error: --steps: must be at least 2 with the warm-up schedule", error);
        Assert.DoesNotContain("Parameter", error);
    }

    [Theory]
    [InlineData("", "is empty")]
    [InlineData("\u0000\u0001binary", "binary")]
    public void Train_BadCorpus_ExitsTwoWithOneLine(string text, string why)
    {
        string corpus = _dir.File("bad.txt", text);
        var (code, output, error) = ProgramTests.Run("train", "--corpus", corpus, "--out", Path.Combine(_dir.Path, "x"));
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Contains(why, error);
        Assert.Single(error.TrimEnd().Split('\n'));
    }

    [Fact]
    public void Train_LatinOneCorpus_ExitsTwo_NamingTheByte()
    {
        string corpus = _dir.File("latin1.txt", [0x63, 0x61, 0x66, 0xE9, 0x0A]);
        var (code, _, error) = ProgramTests.Run("train", "--corpus", corpus);
        Assert.Equal(2, code);
        Assert.Contains("not valid UTF-8 at byte offset 3", error);
    }

    [Theory]
    [InlineData("--nesterov", "error: --nesterov: needs the sgd optimizer")]
    [InlineData("--weight-decay", "error: --weight-decay: decoupled decay with Adam is AdamW: use the adamw optimizer")]
    public void Train_ConflictingOptions_ExitTwo(string option, string why)
    {
        string[] args = option == "--nesterov" ? ["train", "--nesterov"] : ["train", "--weight-decay", "0.1"];
        var (code, _, error) = ProgramTests.Run(args);
        Assert.Equal(2, code);
        Assert.Contains(why, error);
    }

    [Fact]
    public void Generate_EveryMethod_PrintsSequencesThatEndAtTheSeparator()
    {
        string folder = TrainTiny("gen");
        foreach (string method in new[] { "greedy", "beam", "sample", "exact" })
        {
            var (code, output, error) = ProgramTests.Run("generate", "--checkpoint", folder, "--method", method, "--max-tokens", "30", "--prompt", "the", "--stop-at", "separator", "--json");
            Assert.True(code == 0, method + ": " + error);
            var json = JsonDocument.Parse(output).RootElement;
            Assert.Equal(method, json.GetProperty("method").GetString());
            var first = json.GetProperty("sequences")[0];
            Assert.StartsWith("the", first.GetProperty("text").GetString());
            Assert.True(first.GetProperty("logprob").GetDouble() <= 0);
            var tokens = first.GetProperty("tokens");
            Assert.True(tokens.GetArrayLength() <= 30);
            Assert.Equal(first.GetProperty("ended").GetBoolean(), tokens[tokens.GetArrayLength() - 1].GetString() == "\n");
        }
    }

    [Fact]
    public void Generate_UnknownCharacterInPrompt_OrMissingFolder_ExitsTwo()
    {
        string folder = TrainTiny("gen2");
        var (code, _, error) = ProgramTests.Run("generate", "--checkpoint", folder, "--prompt", "€");
        Assert.Equal(2, code);
        Assert.Contains("not in the model's vocabulary", error);
        (code, _, error) = ProgramTests.Run("generate", "--checkpoint", Path.Combine(_dir.Path, "none"));
        Assert.Equal(2, code);
        Assert.Contains("not found", error);
    }

    [Fact]
    public void Generate_CharModel_WritesAcrossLinesToTheTokenLimitByDefault()
    {
        string folder = TrainTiny("pages", steps: 80);
        var (code, output, error) = ProgramTests.Run("generate", "--checkpoint", folder, "--method", "sample", "--max-tokens", "300", "--json");
        Assert.True(code == 0, error);
        var first = JsonDocument.Parse(output).RootElement.GetProperty("sequences")[0];
        Assert.Equal(300, first.GetProperty("tokens").GetArrayLength());
        Assert.False(first.GetProperty("ended").GetBoolean());   // the separator no longer ends it (RunOnModelTests)
    }

    [Fact]
    public void Generate_StopStringStreamAndRepetitionPenalty()
    {
        string folder = TrainTiny("stream", steps: 80);
        var unstopped = ProgramTests.Run("generate", "--checkpoint", folder, "--method", "greedy", "--max-tokens", "60", "--json");
        string free = JsonDocument.Parse(unstopped.Out).RootElement.GetProperty("sequences")[0].GetProperty("continuation").GetString()!;
        string stop = free.Substring(5, 2);   // two characters greedy decoding produces at 5
        var stopped = ProgramTests.Run("generate", "--checkpoint", folder, "--method", "greedy", "--max-tokens", "60", "--stop-string", stop, "--json");
        Assert.True(stopped.Code == 0, stopped.Err);
        string text = JsonDocument.Parse(stopped.Out).RootElement.GetProperty("sequences")[0].GetProperty("continuation").GetString()!;
        Assert.Equal(free[..(free.IndexOf(stop, StringComparison.Ordinal) + stop.Length)], text);   // up to and including the first stop string
        var streamed = ProgramTests.Run("generate", "--checkpoint", folder, "--method", "greedy", "--max-tokens", "40", "--prompt", "the", "--stream");
        var plain = ProgramTests.Run("generate", "--checkpoint", folder, "--method", "greedy", "--max-tokens", "40", "--prompt", "the");
        Assert.Equal(plain.Out.Split('\n')[0], streamed.Out.TrimEnd('\n').Split('\n')[0]);
        var penalized = ProgramTests.Run("generate", "--checkpoint", folder, "--method", "greedy", "--max-tokens", "40", "--repetition-penalty", "1.5", "--json");
        var plainJson = ProgramTests.Run("generate", "--checkpoint", folder, "--method", "greedy", "--max-tokens", "40", "--json");
        Assert.NotEqual(JsonDocument.Parse(plainJson.Out).RootElement.GetProperty("sequences")[0].GetProperty("text").GetString(),
            JsonDocument.Parse(penalized.Out).RootElement.GetProperty("sequences")[0].GetProperty("text").GetString());
        ProgramTests.AssertBadInput(ProgramTests.Run("generate", "--checkpoint", folder, "--method", "beam", "--stream"), "applies to --method greedy and sample");
        string promptFile = Path.Combine(_dir.Path, "prompt.txt");
        File.WriteAllText(promptFile, "the\n");
        var fromFile = ProgramTests.Run("generate", "--checkpoint", folder, "--method", "greedy", "--max-tokens", "40", "--prompt-file", promptFile);
        Assert.Equal(plain.Out.Split('\n')[0], fromFile.Out.Split('\n')[0]);
    }
}
