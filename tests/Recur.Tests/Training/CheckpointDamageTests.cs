using Recur.Formats;
using Recur.LanguageModels.Rnn;
using Recur.Nn.Recurrent;
using Recur.Tensors;
using Recur.Tests.Support;
using Recur.Text;
using Recur.Training;

namespace Recur.Tests.Training;

/// <summary>A checkpoint changed by hand or damaged on disk is refused with a message naming the file; nothing is allocated from its sizes first.</summary>
public sealed class CheckpointDamageTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly string _run;

    public CheckpointDamageTests()
    {
        var data = TrainingData.FromFile(_dir.File("corpus.txt", BuiltInCorpus.Generate(200, 3)), TokenizerKind.Char);
        var options = new TrainingOptions { Batch = 4, Sequence = 16, Steps = 4, EvalEvery = 4, Threads = 1 };
        _run = Path.Combine(_dir.Path, "run");
        new Trainer(new RnnLanguageModel(data.Tokenizer, new RnnLanguageModelOptions { Embedding = 8, Hidden = 12 }, new Rng(1)), data, options, _run).Run();
    }

    public void Dispose() => _dir.Dispose();

    private string FileOf(string name) => Path.Combine(RunFolder.CheckpointOf(_run), name);

    private void EditConfig(string from, string to)
    {
        string path = FileOf(Checkpoint.ConfigFile);
        string text = File.ReadAllText(path);
        Assert.Contains(from, text);
        File.WriteAllText(path, text.Replace(from, to));
    }

    [Theory]
    [InlineData("\"tokens\": [", "\"tokens\": [5, ", "\"tokens\"[0] is not a string")]
    [InlineData("\"step\": 4,", "\"step\": 4, \"step\": 4,", "Duplicate property 'step'")]
    [InlineData("\"cell\": \"lstm\"", "\"cell\": \"xyz\"", "\"cell\": 'xyz' is not a cell")]
    [InlineData("\"lr\": 0.003", "\"lr\": -1", "\"training.lr\"")]
    [InlineData("\"hidden\": 12", "\"hidden\": 20000", "more than model.safetensors")]
    [InlineData("\"layers\": 1,", "\"layers\": 2147483647,", "weights, which need")]
    public void Config_ChangedByHand_IsRefusedNamingTheFileAndKey(string from, string to, string expected)
    {
        EditConfig(from, to);
        var e = Assert.Throws<InputException>(() => Checkpoint.LoadModel(_run));
        Assert.Equal(FileOf(Checkpoint.ConfigFile), e.Subject);
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain("TrainingOptions.", e.Message);
    }

    [Fact]
    public void Weights_ThatAreNotFinite_AreRefused()
    {
        string path = FileOf(Checkpoint.ModelFile);
        var st = Safetensors.Load(path);
        var copy = new Safetensors();
        foreach (string key in st.Metadata.Keys) copy.Metadata[key] = st.Metadata[key];
        foreach (string name in st.Names)
        {
            float[] values = st.GetFloat32(name);
            if (name == "head.bias") values[3] = float.PositiveInfinity;
            copy.Add(name, values, st.ShapeOf(name));
        }
        copy.Save(path);
        var e = Assert.Throws<InputException>(() => Checkpoint.LoadModel(_run));
        Assert.Contains("'head.bias' holds ∞ at index 3", e.Message.Replace("Infinity", "∞"));
    }

    [Theory]
    [InlineData("trainer.step", "of 1 value")]
    [InlineData("trainer.dropout_rng", "of 6 values")]
    [InlineData("step", "the optimizer has taken")]
    public void OptimizerState_WithAWrongShapeOrStep_IsRefusedOnResume(string tensor, string expected)
    {
        string path = FileOf(Checkpoint.OptimizerFile);
        var st = Safetensors.Load(path);
        var copy = new Safetensors();
        foreach (string key in st.Metadata.Keys) copy.Metadata[key] = st.Metadata[key];
        foreach (string name in st.Names)
        {
            if (name == tensor && tensor == "step") copy.Add(name, new long[] { 1L << 62 }, 1);
            else if (name == tensor) copy.Add(name, Array.Empty<long>(), 0);
            else if (st.DTypeOf(name) == "I64") copy.Add(name, st.GetInt64(name), st.ShapeOf(name));
            else copy.Add(name, st.GetFloat32(name), st.ShapeOf(name));
        }
        copy.Save(path);
        var e = Assert.Throws<InputException>(() => Trainer.Resume(_run, steps: 8));
        Assert.Equal(path, e.Subject);
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void CheckMemory_RefusesAModelThatCannotTrainHere_BeforeAllocating()
    {
        var huge = new RnnLanguageModelOptions { Embedding = 64, Hidden = 40_000 };
        long before = GC.GetTotalAllocatedBytes(precise: true);
        var e = Assert.Throws<InputException>(() => Trainer.CheckMemory(huge, 100, new TrainingOptions()));
        Assert.Contains("this machine has", e.Message);
        Assert.InRange(GC.GetTotalAllocatedBytes(precise: true) - before, 0, 1 << 20);
        Assert.Contains("this machine has", Assert.Throws<InputException>(() => new RnnLanguageModelOptions { Hidden = 16_000, Layers = 8 }.Validate(100)).Message);
    }
}
