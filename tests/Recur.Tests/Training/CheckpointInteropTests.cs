using Recur.Formats;
using Recur.Kernels;
using Recur.LanguageModels.Rnn;
using Recur.Nn.Output;
using Recur.Nn.Recurrent;
using Recur.Tensors;
using Recur.Tests.Support;
using Recur.Text;
using Recur.Training;

namespace Recur.Tests.Training;

/// <summary>
/// model.safetensors moves between Recur and PyTorch unchanged: tools/golden/
/// checkpoint_interop.py loads Recur-written weights with load_state_dict(strict=True) into
/// nn.Embedding + nn.LSTM/GRU/RNN + nn.Linear (or nn.AdaptiveLogSoftmaxWithLoss, or a Linear
/// tied to the embedding) and records PyTorch's log-probabilities, and writes
/// PyTorch-initialized weights with its own; both directions must agree with Recur's decoding
/// step to 1e-5.
/// </summary>
public class CheckpointInteropTests
{
    private static readonly Tokenizer Chars = Tokenizer.Build(TokenizerKind.Char, "abcdef\n");

    public static TheoryData<string> Cells => new() { "lstm", "gru", "rnn_tanh", "rnn_relu", "lstm_adaptive", "lstm_tied" };

    private static string Golden(string name) => Path.Combine(AppContext.BaseDirectory, "Golden", "checkpoint", name);

    private static RnnLanguageModel Model(string cell)
    {
        var options = new RnnLanguageModelOptions
        {
            Cell = cell.StartsWith("rnn", StringComparison.Ordinal) ? CellKind.Rnn : cell == "gru" ? CellKind.Gru : CellKind.Lstm,
            Activation = cell == "rnn_relu" ? Activation.Relu : Activation.Tanh,
            Embedding = cell == "lstm_tied" ? 6 : 5, Hidden = 6, Layers = 2,
            Softmax = cell == "lstm_adaptive" ? SoftmaxKind.Adaptive : SoftmaxKind.Full,
            Cutoffs = cell == "lstm_adaptive" ? [3, 5] : null,
            CutoffDivisor = 2,
            TieWeights = cell == "lstm_tied",
        };
        var model = new RnnLanguageModel(Chars, options, new Rng(77));
        model.Training = false;
        return model;
    }

    private static float[] LogProbs(RnnLanguageModel model, long[] tokens)
    {
        var state = model.CreateState(1);
        var all = new float[tokens.Length * 7];
        for (int i = 0; i < tokens.Length; i++) model.Step(state, [(int)tokens[i]], all.AsSpan(i * 7, 7));
        return all;
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public void RecurCheckpoint_InPyTorch_GivesTheSameLogProbabilities(string cell)
    {
        var model = Model(cell);
        if (Environment.GetEnvironmentVariable("RECUR_WRITE_GOLDEN") == "1")
        {
            string source = Path.Combine(SharedData.RepositoryRoot(), "tests", "Recur.Tests", "Golden", "checkpoint");
            Checkpoint.SaveModel(source, model, 0);
            File.Move(Path.Combine(source, Checkpoint.ModelFile), Path.Combine(source, $"recur_{cell}.safetensors"), overwrite: true);
        }
        // The committed file is exactly what Recur writes today.
        using var dir = new TempDirectory();
        Checkpoint.SaveModel(dir.Path, model, 0);
        var written = Safetensors.Load(Path.Combine(dir.Path, Checkpoint.ModelFile));
        var committed = Safetensors.Load(Golden($"recur_{cell}.safetensors"));
        Assert.Equal(committed.Names, written.Names);
        foreach (string name in committed.Names) Assert.Equal(committed.GetFloat32(name), written.GetFloat32(name));

        var torch = Safetensors.Load(Golden($"recur_{cell}.torch.safetensors"));
        AssertClose.All(torch.GetFloat32("log_probs"), LogProbs(model, torch.GetInt64("tokens")), rtol: 1e-5, atol: 1e-5);
    }

    [Theory]
    [MemberData(nameof(Cells))]
    public void PyTorchStateDict_InRecur_GivesTheSameLogProbabilities(string cell)
    {
        var model = Model(cell);
        string path = Golden($"torch_{cell}.safetensors");
        var st = Safetensors.Load(path);
        foreach (var (name, p) in model.NamedTensors()) st.GetFloat32(name).CopyTo(p.Value.Span);
        Assert.Equal(model.NamedTensors().Count() + 2, st.Names.Count); // the weights, plus tokens and log_probs
        AssertClose.All(st.GetFloat32("log_probs"), LogProbs(model, st.GetInt64("tokens")), rtol: 1e-5, atol: 1e-5);
    }
}
