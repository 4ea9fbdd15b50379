using System.Text.Json;
using Recur.Formats;
using Recur.Tests.Support;
using Recur.Text;
using Recur.Training;

namespace Recur.Tests.Cli;

/// <summary>`recur export`: ONNX graphs and 16-bit checkpoints, and the mistakes people make with them.</summary>
public sealed class ExportCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Trained()
    {
        string corpus = _dir.File("corpus.txt", BuiltInCorpus.Generate(200, 4));
        string run = Path.Combine(_dir.Path, "run");
        var (code, _, error) = ProgramTests.Run("train", "--corpus", corpus, "--out", run, "--embedding", "8", "--hidden", "16", "--batch", "4", "--seq", "16", "--steps", "6", "--threads", "1");
        Assert.True(code == 0, error);
        return run;
    }

    [Fact]
    public void Onnx_IsAModelProtoOfIrVersion8()
    {
        string run = Trained(), onnx = Path.Combine(_dir.Path, "model.onnx");
        var (code, output, error) = ProgramTests.Run("export", "--checkpoint", run, "--onnx", onnx);
        Assert.True(code == 0, error);
        Assert.Contains("one decoding step of lstm, 1 × H 16", output);
        byte[] bytes = File.ReadAllBytes(onnx);
        Assert.Equal([0x08, 0x08], bytes[..2]);   // field 1 (ir_version), varint 8
        Assert.True(bytes.Length > 4 * 16 * 4 * 16);
    }

    [Theory]
    [InlineData("bf16")]
    [InlineData("f16")]
    public void SixteenBitCopy_HalvesTheWeights_AndEvaluatesAlmostAlike(string dtype)
    {
        string run = Trained(), copy = Path.Combine(_dir.Path, dtype);
        var (code, output, error) = ProgramTests.Run("export", "--checkpoint", run, "--out", copy, "--dtype", dtype);
        Assert.True(code == 0, error);
        Assert.Contains($"weights {dtype}", output);
        long full = new FileInfo(Path.Combine(RunFolder.CheckpointOf(run), Checkpoint.ModelFile)).Length;
        long half = new FileInfo(Path.Combine(RunFolder.CheckpointOf(copy), Checkpoint.ModelFile)).Length;
        Assert.InRange(half, full / 2 - 64, full / 2 + 512);
        Assert.Equal(dtype.ToUpperInvariant(), Safetensors.Load(Path.Combine(RunFolder.CheckpointOf(copy), Checkpoint.ModelFile)).DTypeOf("embedding.weight"));

        string text = _dir.File("held-out.txt", BuiltInCorpus.Generate(20, 99));
        double Loss(string dir)
        {
            var (c, o, e) = ProgramTests.Run("eval", "--checkpoint", dir, "--corpus", text, "--json");
            Assert.True(c == 0, e);
            return Math.Log(JsonDocument.Parse(o).RootElement.GetProperty("perplexity").GetDouble());
        }
        Assert.InRange(Math.Abs(Loss(copy) - Loss(run)), 0, 0.02);
    }

    [Fact]
    public void Mistakes_ExitTwoWithOneLine()
    {
        string run = Trained();
        ProgramTests.AssertBadInput(ProgramTests.Run("export", "--checkpoint", run), "--onnx");
        ProgramTests.AssertBadInput(ProgramTests.Run("export", "--checkpoint", run, "--out", Path.Combine(_dir.Path, "x"), "--dtype", "f8"), "f8");
        ProgramTests.AssertBadInput(ProgramTests.Run("export", "--checkpoint", run, "--onnx", Path.Combine(_dir.Path, "m.onnx"), "--dtype", "bf16"), "--dtype");
        ProgramTests.AssertBadInput(ProgramTests.Run("export", "--checkpoint", _dir.File("not-a-run.txt", "hello"), "--onnx", Path.Combine(_dir.Path, "m.onnx")), "not-a-run.txt");
        ProgramTests.AssertBadInput(ProgramTests.Run("export", "--checkpoint", run, "--out", run), "not empty");

        string config = Path.Combine(RunFolder.CheckpointOf(run), Checkpoint.ConfigFile);
        File.WriteAllText(config, File.ReadAllText(config).Replace("recur.checkpoint.v1", "recur.checkpoint.v2"));
        var (code, _, error) = ProgramTests.Run("export", "--checkpoint", run, "--onnx", Path.Combine(_dir.Path, "m.onnx"));
        Assert.Equal(2, code);
        Assert.Contains("recur.checkpoint.v2", error);
        Assert.Single(error.Trim().Split('\n'));
    }
}
