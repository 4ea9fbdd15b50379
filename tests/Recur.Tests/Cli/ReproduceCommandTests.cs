using System.Text.Json;
using Recur.Cli.Commands;
using Recur.Reproduce.Claims;
using Recur.Reproduce.Report;
using Recur.Tests.Support;

namespace Recur.Tests.Cli;

/// <summary>`recur reproduce` in-process: every claim PASS, the JSON of docs/formats.md, report.md with its plots, --only, exit codes.</summary>
public sealed class ReproduceCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Reproduce_Quick_EveryClaimPasses_WritesTheReportAndEveryPlot()
    {
        string folder = Path.Combine(_dir.Path, "report");
        var (code, output, error) = ProgramTests.Run("reproduce", "--quick", "--out", folder, "--json");
        Assert.True(code == 0, error + output);
        var json = JsonDocument.Parse(output).RootElement;
        var claims = json.GetProperty("claims").EnumerateArray().ToArray();
        Assert.Equal(Reproduction.Ids, claims.Select(c => c.GetProperty("id").GetString()));
        foreach (var c in claims)
        {
            Assert.Equal("PASS", c.GetProperty("status").GetString());
            Assert.False(string.IsNullOrWhiteSpace(c.GetProperty("measured").GetString()));
            Assert.False(string.IsNullOrWhiteSpace(c.GetProperty("expected").GetString()));
            foreach (var plot in c.GetProperty("plots").EnumerateArray())
                Assert.True(new FileInfo(Path.Combine(folder, plot.GetString()!)).Length > 1000, plot.GetString());
        }
        Assert.Equal(14, json.GetProperty("passed").GetInt32());
        Assert.Equal(0, json.GetProperty("failed").GetInt32());
        string report = File.ReadAllText(Path.Combine(folder, "report.md"));
        foreach (string id in Reproduction.Ids) Assert.Contains($"## {id} ", report);
        foreach (string plot in new[] { "1.2-jacobian-vs-bound.png", "1.3-explosion.png", "2.1-exhaustive-vs-N.png", "2.2-viterbi-vs-N.png", "2.2-viterbi-vs-T.png",
            "2.2-viterbi-memory.png", "2.2-underflow.png", "2.3-beam-vs-B.png", "2.3-beam-vs-N.png", "2.4-tree.png", "3.1-sgd-trajectories.png",
            "3.3-relative-decay.png", "3.4-decay-vs-gradient-scale.png" })
        {
            Assert.True(File.Exists(Path.Combine(folder, plot)), plot);
            Assert.Contains($"]({plot})", report);
        }
        Assert.Contains("The loose answer, measured.", report);   // 2.2, 2.3, 3.2
        Assert.Contains("| μ measured |", report);                   // 4.1's tables
        Assert.Contains("[2.4] PASS", error);
        Assert.Contains("14 of 14 claims PASS", error);
    }

    [Fact]
    public void Reproduce_Only_ChecksOneClaim_AndPrintsClaimMeasuredExpectedAndPass()
    {
        string folder = Path.Combine(_dir.Path, "one");
        var (code, output, error) = ProgramTests.Run("reproduce", "--only", "2.4", "--out", folder);
        Assert.True(code == 0, error);
        Assert.StartsWith("[2.4] The worked example", output);
        foreach (string field in new[] { "  claim:", "  measured:", "  expected:", "  note:", "  PASS (" }) Assert.Contains(field, output);
        Assert.Contains("1 of 1 claims PASS", output);
        Assert.True(File.Exists(Path.Combine(folder, "2.4-tree.png")));
        // A one-claim run leaves the full report alone and writes its own beside it.
        Assert.False(File.Exists(Path.Combine(folder, "report.md")));
        string report = File.ReadAllText(Path.Combine(folder, "report-2.4.md"));
        Assert.Contains("## 2.4 ", report);
        Assert.Contains("`recur reproduce --only 2.4`", report);
        Assert.DoesNotContain("## 1.1 ", report);
    }

    [Fact]
    public void Reproduce_UnknownClaim_ExitsTwoAndWritesNothing()
    {
        string folder = Path.Combine(_dir.Path, "none");
        var r = ProgramTests.Run("reproduce", "--only", "9.9", "--out", folder);
        ProgramTests.AssertBadInput(r, "1.1, 1.2, 1.3");
        Assert.False(Directory.Exists(folder));
        ProgramTests.AssertBadInput(ProgramTests.Run("reproduce", "--frobnicate"), "--frobnicate");
    }

    [Fact]
    public void Finish_AFailedClaim_ExitsOneAndTheReportSaysFail()
    {
        var failed = new ClaimResult("9.9", "A claim that does not hold", "x = 1", "x = 2", "x = 1", Passed: false);
        var passed = new ClaimResult("9.8", "A claim that holds", "y = 1", "y = 1", "y = 1", Passed: true);
        var stdout = new StringWriter();
        int code = ReproduceCommand.Finish(_dir.Path, [new CheckedClaim(passed, 0.1, []), new CheckedClaim(failed, 0.1, [])], 0.2, quick: false, json: true, stdout, stdout);
        Assert.Equal(1, code);
        Assert.Contains("\"failed\":1", stdout.ToString());
        Assert.Contains("1 of 2 claims PASS, 1 FAIL", stdout.ToString());
        string report = File.ReadAllText(Path.Combine(_dir.Path, "report.md"));
        Assert.Contains("**1 PASS, 1 FAIL**", report);
        Assert.Contains("| A claim that does not hold | FAIL |", report);
    }
}
