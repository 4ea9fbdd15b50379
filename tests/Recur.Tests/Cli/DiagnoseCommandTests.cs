using System.Text.Json;
using Recur.Tests.Support;
using Recur.Text;

namespace Recur.Tests.Cli;

/// <summary>`recur diagnose jacobian` and `recur diagnose gradients` in-process: tables, JSON fields, plots and refusals.</summary>
public sealed class DiagnoseCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string TrainTiny(string name, params string[] extra)
    {
        string corpus = _dir.File("corpus.txt", BuiltInCorpus.Generate(150, 9));
        string folder = Path.Combine(_dir.Path, name);
        string[] args = ["train", "--embedding", "4", "--hidden", "6", "--batch", "4", "--seq", "16", "--steps", "4", "--eval-every", "4", "--threads", "1",
            "--corpus", corpus, "--out", folder, "--json", .. extra];
        var (code, _, error) = ProgramTests.Run(args);
        Assert.True(code == 0, error);
        return folder;
    }

    [Fact]
    public void Jacobian_RandomElman_PrintsATableUnderTheBound_AndWritesThePlot()
    {
        string plot = Path.Combine(_dir.Path, "j.png");
        var (code, output, error) = ProgramTests.Run("diagnose", "jacobian", "--spectral-norm", "0.9", "--t-max", "30", "--plot", plot);
        Assert.True(code == 0, error);
        Assert.Contains("Elman RNN (tanh, standard form), H = 32", output);
        Assert.Contains("‖W‖γ = 0.9", output);
        // T = 1, 2, 4, …, 28, 30: the first, the multiples of 2, the last.
        Assert.Equal(16, output.Split('\n').Count(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^\s+\d+\s+\d\.\d{4}e[-+]\d\d\s+\d\.\d{4}e[-+]\d\d\s*$")));
        Assert.Contains("(16 of 30 rows; --json gives every row", output);
        Assert.Matches(@"\n\s+30\s", output);   // the last row is always shown
        Assert.True(new FileInfo(plot).Length > 1000);
    }

    [Fact]
    public void Jacobian_RandomWeights_NamesThePlotAfterWhatItShows()
    {
        Assert.Equal("jacobian-rnn-tanh-h32-norm0.9-seed1-t1-5.png",
            Recur.Cli.Commands.DiagnoseCommand.ProbePlotName(new Recur.Diagnostics.RandomRecurrence { SpectralNorm = 0.9 }, 1, 5));
        Assert.Equal("jacobian-rnn-relu-preactivation-h8-norm1.5-input3-seed2-t1-5.png",
            Recur.Cli.Commands.DiagnoseCommand.ProbePlotName(new Recur.Diagnostics.RandomRecurrence
            {
                SpectralNorm = 1.5, Hidden = 8, Seed = 2, InputScale = 3,
                Activation = Recur.Kernels.Activation.Relu, Form = Recur.Nn.Recurrent.ElmanForm.PreActivation,
            }, 1, 5));
        Assert.Equal("jacobian-gru-h32-norm1-seed1-t2-9.png",
            Recur.Cli.Commands.DiagnoseCommand.ProbePlotName(new Recur.Diagnostics.RandomRecurrence { Cell = Recur.Nn.Recurrent.CellKind.Gru, SpectralNorm = 1 }, 2, 9));
    }

    [Fact]
    public void Jacobian_Json_HasTFieldsAndBoundsAboveNorms()
    {
        string plot = Path.Combine(_dir.Path, "sub", "j.png");
        var (code, output, error) = ProgramTests.Run("diagnose", "jacobian", "--json", "--activation", "sigmoid", "--rnn-form", "preactivation",
            "--spectral-norm", "3", "--hidden", "8", "--t-min", "5", "--t-max", "25", "--plot", plot);
        Assert.True(code == 0, error);
        var json = JsonDocument.Parse(output).RootElement;
        Assert.Equal(0.25, json.GetProperty("gamma").GetDouble());
        Assert.Equal(3, json.GetProperty("weight_norm").GetDouble(), 5);
        var rows = json.GetProperty("jacobian").EnumerateArray().ToArray();
        Assert.Equal(Enumerable.Range(5, 21), rows.Select(r => r.GetProperty("T").GetInt32()));
        foreach (var r in rows)
            Assert.True(r.GetProperty("jacobian_norm").GetDouble() <= r.GetProperty("bound").GetDouble() * (1 + 1e-7));
        Assert.Equal(Math.Pow(0.75, 25), rows[^1].GetProperty("bound").GetDouble(), 1e-9);
        Assert.True(File.Exists(plot));
        Assert.Equal(plot, json.GetProperty("plot").GetString());
    }

    [Fact]
    public void Jacobian_Lstm_HasNoBoundButAStateNorm()
    {
        var (code, output, error) = ProgramTests.Run("diagnose", "jacobian", "--cell", "lstm", "--hidden", "6", "--t-max", "10", "--json",
            "--plot", Path.Combine(_dir.Path, "l.png"));
        Assert.True(code == 0, error);
        var json = JsonDocument.Parse(output).RootElement;
        Assert.Equal(JsonValueKind.Null, json.GetProperty("gamma").ValueKind);
        Assert.Contains("no bound", json.GetProperty("bound_note").GetString());
        foreach (var r in json.GetProperty("jacobian").EnumerateArray())
        {
            Assert.Equal(JsonValueKind.Null, r.GetProperty("bound").ValueKind);
            Assert.True(r.GetProperty("state_norm").GetDouble() >= r.GetProperty("jacobian_norm").GetDouble() * (1 - 1e-9));
        }
    }

    [Fact]
    public void JacobianAndGradients_OfACheckpoint_WritePlotsBesideIt()
    {
        string run = TrainTiny("lstm");
        var (code, output, error) = ProgramTests.Run("diagnose", "jacobian", "--checkpoint", run, "--t-max", "12", "--json");
        Assert.True(code == 0, error);
        var json = JsonDocument.Parse(output).RootElement;
        Assert.Equal(12, json.GetProperty("jacobian").GetArrayLength());
        Assert.Contains("LSTM, H = 6, layer 0", json.GetProperty("source").GetString());
        Assert.True(File.Exists(Path.Combine(run, "jacobian-layer0-t1-12.png")));

        (code, output, error) = ProgramTests.Run("diagnose", "gradients", "--checkpoint", run, "--window", "8", "--rows", "2", "--json");
        Assert.True(code == 0, error);
        json = JsonDocument.Parse(output).RootElement;
        var rows = json.GetProperty("gradients").EnumerateArray().ToArray();
        Assert.Equal(Enumerable.Range(0, 9).Reverse(), rows.Select(r => r.GetProperty("t").GetInt32()));
        Assert.Equal(Enumerable.Range(0, 9), rows.Select(r => r.GetProperty("distance").GetInt32()));
        Assert.All(rows, r => Assert.True(r.GetProperty("min").GetDouble() <= r.GetProperty("mean").GetDouble() * (1 + 1e-12)));
        Assert.True(json.GetProperty("loss").GetDouble() > 0);
        Assert.True(File.Exists(Path.Combine(run, "gradients-layer0-window8.png")));

        (code, output, error) = ProgramTests.Run("diagnose", "gradients", "--checkpoint", run, "--window", "8", "--rows", "2");
        Assert.True(code == 0, error);
        Assert.Contains("mean / mean at T", output);
    }

    [Fact]
    public void Gradients_NeverWritesOverANonPng_NorThroughASymlink_AndAdvisesItsOwnOptions()
    {
        string run = TrainTiny("lstm");
        string config = Path.Combine(Recur.Training.RunFolder.CheckpointOf(run), "config.json");
        string before = File.ReadAllText(config);
        var (code, _, error) = ProgramTests.Run("diagnose", "gradients", "--checkpoint", run, "--window", "8", "--rows", "2", "--plot", config);
        Assert.Equal(2, code);
        Assert.Contains("is not a PNG image; refusing to overwrite it", error);
        Assert.Equal(before, File.ReadAllText(config));

        string link = Path.Combine(_dir.Path, "link.png");
        File.CreateSymbolicLink(link, config);
        (code, _, error) = ProgramTests.Run("diagnose", "gradients", "--checkpoint", run, "--window", "8", "--rows", "2", "--plot", link);
        Assert.True(code == 0, error);
        Assert.Equal(before, File.ReadAllText(config));
        Assert.Null(new FileInfo(link).LinkTarget);
        Assert.Equal(0x89, File.ReadAllBytes(link)[0]);

        ProgramTests.AssertBadInput(ProgramTests.Run("diagnose", "gradients", "--checkpoint", run, "--window", "100000000"), "--window");
        (_, _, error) = ProgramTests.Run("diagnose", "gradients", "--checkpoint", run, "--window", "100000000");
        Assert.Contains("use a --window of at most", error);
    }

    [Fact]
    public void BadOptions_ExitTwoWithOneLine()
    {
        ProgramTests.AssertBadInput(ProgramTests.Run("diagnose", "jacobian", "--t-min", "10", "--t-max", "5"), "--t-min");
        ProgramTests.AssertBadInput(ProgramTests.Run("diagnose", "jacobian", "--cell", "gru", "--activation", "relu"), "--activation");
        ProgramTests.AssertBadInput(ProgramTests.Run("diagnose", "jacobian", "--layer", "1"), "--layer");
        ProgramTests.AssertBadInput(ProgramTests.Run("diagnose", "jacobian", "--spectral-norm", "-1"), "--spectral-norm");
        ProgramTests.AssertBadInput(ProgramTests.Run("diagnose", "jacobian", "--cell", "elman"), "elman");
        ProgramTests.AssertBadInput(ProgramTests.Run("diagnose", "jacobian", "--checkpoint", Path.Combine(_dir.Path, "missing")), "missing");
        ProgramTests.AssertBadInput(ProgramTests.Run("diagnose", "gradients"), "--checkpoint");
        ProgramTests.AssertBadInput(ProgramTests.Run("diagnose"), "command");
        string run = TrainTiny("gru", "--cell", "gru");
        ProgramTests.AssertBadInput(ProgramTests.Run("diagnose", "jacobian", "--checkpoint", run, "--hidden", "8"), "--hidden");
        ProgramTests.AssertBadInput(ProgramTests.Run("diagnose", "jacobian", "--checkpoint", run, "--layer", "1"), "--layer");
        ProgramTests.AssertBadInput(ProgramTests.Run("diagnose", "jacobian", "--checkpoint", run, "--t-max", "100000"), "--t-max");
        ProgramTests.AssertBadInput(ProgramTests.Run("diagnose", "gradients", "--checkpoint", run, "--window", "100000"), "tokens");
        string normalized = TrainTiny("ln", "--norm", "layer");
        ProgramTests.AssertBadInput(ProgramTests.Run("diagnose", "jacobian", "--checkpoint", normalized, "--t-max", "5"), "layer-normalized");
    }
}
