using System.Text.Json;
using Recur.Tests.Cli;
using Recur.Tests.Support;
using Xunit.Abstractions;

namespace Recur.Tests.Examples;

/// <summary>
/// examples/python: Recur trains, PyTorch continues for 20 steps under torchrun with
/// DistributedDataParallel on 2 processes (gloo), Recur loads the result, and `recur eval` agrees
/// with PyTorch's own loss on the same text within 1e-4 — before and after.
/// </summary>
public sealed class PythonRoundTripTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string Script(string name) => Path.Combine(SharedData.RepositoryRoot(), "examples", "python", name);

    [PythonTorchFact]
    public void RecurToDistributedPyTorchAndBack_AgreesOnTheLoss()
    {
        string python = PythonTorch.Interpreter!;
        string text = _dir.File("small.txt", File.ReadAllText(Path.Combine(SharedData.RepositoryRoot(), "data", "tinyshakespeare.txt"))[..20_000]);
        string run = Path.Combine(_dir.Path, "run"), ddp = Path.Combine(_dir.Path, "run-ddp");
        var (code, _, error) = ProgramTests.Run("train", "--corpus", text, "--out", run, "--steps", "40", "--hidden", "32", "--embedding", "16", "--threads", "1");
        Assert.True(code == 0, error);
        AssertAgree(run, text, python);

        var timeout = TimeSpan.FromMinutes(5);
        var trained = PythonTorch.Run(python, ["-m", "torch.distributed.run", "--redirects", "1", "--tee", "1", "--nproc_per_node", "2",
            Script("ddp_train.py"), run, "--out", ddp, "--steps", "20"], timeout);
        Assert.True(trained.Code == 0, $"ddp_train.py exited {trained.Code}: {trained.Err}");
        output.WriteLine(trained.Out.Trim().Split('\n')[^1]);
        AssertAgree(ddp, text, python);
    }

    private void AssertAgree(string run, string text, string python)
    {
        var (code, json, error) = ProgramTests.Run("eval", "--checkpoint", run, "--corpus", text, "--json");
        Assert.True(code == 0, error);
        var recur = JsonDocument.Parse(json).RootElement;
        double recurLoss = -recur.GetProperty("log_prob").GetDouble() / recur.GetProperty("tokens").GetDouble();
        var torch = PythonTorch.Run(python, [Script("eval.py"), run, text, "--json"], TimeSpan.FromMinutes(2));
        Assert.True(torch.Code == 0, $"eval.py exited {torch.Code}: {torch.Err}");
        double torchLoss = JsonDocument.Parse(torch.Out).RootElement.GetProperty("loss").GetDouble();
        output.WriteLine($"{Path.GetFileName(run)}: recur eval {recurLoss:F8}, PyTorch {torchLoss:F8} nats/token");
        Assert.InRange(Math.Abs(recurLoss - torchLoss), 0, 1e-4);
    }
}
