using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Recur.Decoding;
using Recur.Kernels;
using Recur.LanguageModels.Rnn;
using Recur.Nn.Output;
using Recur.Nn.Recurrent;
using Recur.Tensors;
using Recur.Tests.Support;
using Recur.Text;

namespace Recur.Onnx.Tests;

/// <summary>
/// Every cell and form Recur trains, exported with <see cref="RnnOnnxExport"/> and run step by
/// step in ONNX Runtime, gives Recur's own log-probabilities within 1e-5 along 200 tokens.
/// </summary>
public sealed class OnnxExportTests(Xunit.Abstractions.ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("recur-onnx-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private const string Text = "the quick brown fox jumps over the lazy dog\nsphinx of black quartz, judge my vow!\nHOW VEXINGLY QUICK DAFT ZEBRAS JUMP.\n";

    public static TheoryData<string> Variants => [.. Models.Keys];

    private static readonly Dictionary<string, RnnLanguageModelOptions> Models = new()
    {
        ["elman-tanh"] = new() { Cell = CellKind.Rnn, Embedding = 12, Hidden = 16, Layers = 2 },
        ["elman-relu-preactivation"] = new() { Cell = CellKind.Rnn, Activation = Activation.Relu, Form = ElmanForm.PreActivation, Embedding = 12, Hidden = 16 },
        ["elman-sigmoid-preactivation-layernorm"] = new() { Cell = CellKind.Rnn, Activation = Activation.Sigmoid, Form = ElmanForm.PreActivation, LayerNorm = true, Embedding = 12, Hidden = 16, Layers = 2 },
        ["elman-tanh-layernorm"] = new() { Cell = CellKind.Rnn, LayerNorm = true, Embedding = 12, Hidden = 16 },
        ["lstm"] = new() { Cell = CellKind.Lstm, Embedding = 12, Hidden = 16, Layers = 2 },
        ["lstm-layernorm"] = new() { Cell = CellKind.Lstm, LayerNorm = true, Embedding = 12, Hidden = 16, Layers = 2 },
        ["gru"] = new() { Cell = CellKind.Gru, Embedding = 12, Hidden = 16, Layers = 2 },
        ["gru-layernorm"] = new() { Cell = CellKind.Gru, LayerNorm = true, Embedding = 12, Hidden = 16 },
        ["lstm-adaptive"] = new() { Cell = CellKind.Lstm, Embedding = 12, Hidden = 16, Softmax = SoftmaxKind.Adaptive, Cutoffs = [8, 20], CutoffDivisor = 2 },
        ["lstm-tied"] = new() { Cell = CellKind.Lstm, Embedding = 16, Hidden = 16, TieWeights = true },
    };

    private static RnnLanguageModel Model(string variant)
    {
        var rng = new Rng(7);
        var model = new RnnLanguageModel(Tokenizer.Build(TokenizerKind.Char, Text), Models[variant], rng);
        // Gains and shifts away from 1 and 0, so that a misplaced norm parameter shows.
        foreach (var p in model.Parameters().Where(p => p.Name.Contains("ln_", StringComparison.Ordinal)))
            rng.FillUniform(p.Value.Span, p.Name.Contains("weight", StringComparison.Ordinal) ? 0.5f : -0.3f, p.Name.Contains("weight", StringComparison.Ordinal) ? 1.5f : 0.3f);
        model.Training = false;
        return model;
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void ExportedStep_InOnnxRuntime_GivesRecursLogProbabilities(string variant)
    {
        var model = Model(variant);
        string path = Path.Combine(_dir, variant + ".onnx");
        RnnOnnxExport.Write(model, path, "test");
        using var session = new InferenceSession(path);

        const int batch = 2, steps = 200;
        int v = model.Vocabulary.Count, layers = model.Options.Layers, h = model.Options.Hidden;
        var state = model.CreateState(batch);
        var expected = new float[batch * v];
        var hidden = new DenseTensor<float>([layers, batch, h]);
        var cell = new DenseTensor<float>([layers, batch, h]);
        var random = new Random(3);
        double worst = 0;
        for (int t = 0; t < steps; t++)
        {
            int[] tokens = [random.Next(v), random.Next(v)];
            model.Step(state, tokens, expected);
            var inputs = new List<NamedOnnxValue>
            {
                NamedOnnxValue.CreateFromTensor("tokens", new DenseTensor<long>(tokens.Select(x => (long)x).ToArray(), [batch])),
                NamedOnnxValue.CreateFromTensor("hidden", hidden),
            };
            if (model.Options.Cell == CellKind.Lstm) inputs.Add(NamedOnnxValue.CreateFromTensor("cell", cell));
            using var results = session.Run(inputs);
            var actual = results.First(r => r.Name == "log_probs").AsTensor<float>().ToArray();
            hidden = (DenseTensor<float>)results.First(r => r.Name == "hidden_out").AsTensor<float>().Clone();
            if (model.Options.Cell == CellKind.Lstm) cell = (DenseTensor<float>)results.First(r => r.Name == "cell_out").AsTensor<float>().Clone();
            for (int i = 0; i < expected.Length; i++) worst = Math.Max(worst, Math.Abs(expected[i] - actual[i]));
        }
        output.WriteLine($"{variant}: largest |Δ log p| {worst:E2} over {steps} steps × {batch} rows × {v} tokens");
        Assert.True(worst <= 1e-5, $"{variant}: largest difference {worst:E2} over {steps} steps");
    }

    [Fact]
    public void Metadata_CarriesTheTokenizerAndItsVocabulary()
    {
        var model = Model("gru");
        string path = Path.Combine(_dir, "meta.onnx");
        RnnOnnxExport.Write(model, path, "test");
        using var session = new InferenceSession(path);
        var meta = session.ModelMetadata.CustomMetadataMap;
        Assert.Equal(RnnOnnxExport.Format, meta[RnnOnnxExport.FormatKey]);
        Assert.Equal("char", meta["recur.tokenizer"]);
        Assert.Equal(model.Vocabulary.Tokens, System.Text.Json.JsonSerializer.Deserialize<string[]>(meta["recur.vocabulary"]));
        Assert.Equal(["tokens", "hidden"], session.InputMetadata.Keys);
        Assert.Equal(["log_probs", "hidden_out"], session.OutputMetadata.Keys);
    }

    [Fact]
    public void OnnxGenerateExample_DecodesGreedilyAsRecurDoes()
    {
        var model = Model("lstm");
        string path = Path.Combine(_dir, "generate.onnx");
        RnnOnnxExport.Write(model, path, "test");
        string generated = ExampleRunner.Run("OnnxGenerate", path, "the ", "30").Out;
        var greedy = Greedy.Decode(new Recur.LanguageModels.PromptedModel(model, [.. model.Tokenizer.Encode("the ")]), new GreedyOptions { MaxLength = 30 });
        string expected = "the " + string.Concat(greedy.Sequences[0].Tokens.Select(t => model.Vocabulary.Tokens[t]));
        Assert.StartsWith(expected.TrimEnd(), generated);
    }

    [Fact]
    public void OnnxGenerateExample_GivenAFileThatIsNoModel_ExitsTwoWithOneLine()
    {
        string text = Path.Combine(_dir, "not-a-model.txt");
        File.WriteAllText(text, "hello");
        var (code, _, error) = ExampleRunner.Run("OnnxGenerate", text);
        Assert.Equal(2, code);
        Assert.StartsWith($"error: {text}: not an ONNX model", error);
        Assert.Single(error.TrimEnd().Split('\n'));
    }
}
