using System.Text.RegularExpressions;
using Recur.Reproduce.Claims;
using Recur.Tests.Support;

namespace Recur.Tests.Reproduce;

/// <summary>Every claim check of `recur reproduce`, run in-process with the quick sizes: each must pass.</summary>
public class ReproductionTests
{
    private static readonly ReproduceOptions Quick = new() { Quick = true };

    public static TheoryData<string> Ids()
    {
        var data = new TheoryData<string>();
        foreach (string id in Reproduction.Ids) data.Add(id);
        return data;
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void Check_EveryClaim_Passes(string id)
    {
        var r = Reproduction.Check(id, Quick);
        Assert.Equal(id, r.Id);
        Assert.True(r.Passed, $"[{r.Id}] FAIL\n  measured: {r.Measured}\n  expected: {r.Expected}");
        Assert.Equal("PASS", r.Status);
        foreach (string text in new[] { r.Title, r.Claim, r.Measured, r.Expected }) Assert.False(string.IsNullOrWhiteSpace(text));
        foreach (var figure in r.Figures)
        {
            Assert.NotEmpty(figure.Series);
            foreach (var s in figure.Series)
            {
                Assert.Equal(s.X.Length, s.Y.Length);
                Assert.NotEmpty(s.X);
            }
        }
        foreach (var table in r.Tables)
            Assert.All(table.Rows, row => Assert.Equal(table.Header.Length, row.Length));
    }

    [Fact]
    public void Ids_AreTheNumberedClaimsInOrder_AndUnknownOnesAreRefused()
    {
        Assert.Equal(["1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "2.4", "3.1", "3.2", "3.3", "3.4", "4.1", "4.2", "4.3"], Reproduction.Ids);
        var e = Assert.Throws<InputException>(() => Reproduction.Check("5.1", Quick));
        Assert.Contains("1.1, 1.2", e.Message);
    }

    [SharedFileFact("docs/theory.md")]
    public void Ids_CoverEveryNumberedClaimOfTheoryMd()
    {
        string text = File.ReadAllText(SharedData.FindShared("docs/theory.md")!);
        var numbered = Regex.Matches(text, @"^(\d\.\d) ", RegexOptions.Multiline).Select(m => m.Groups[1].Value).ToArray();
        Assert.Equal(numbered, Reproduction.Ids);
    }

    [Fact]
    public void WorkedExample_Tree_MarksTheThreeAnswersOnTheTree()
    {
        var tree = Reproduction.Check("2.4", Quick).Tree!;
        Assert.Equal(15, tree.Nodes.Count);   // <bos>, 2 + 4 + 8 branches
        Assert.Equal(["greedy", "beam B = 2", "exact"], tree.Paths.Select(p => p.Label));
        foreach (var path in tree.Paths)
        {
            Assert.Equal(3, path.Nodes.Length);
            Assert.Equal(path.LogProbability, tree.Nodes[path.Nodes[^1]].PrefixLogProbability, 5);
            for (int k = 1; k < path.Nodes.Length; k++) Assert.Equal(path.Nodes[k - 1], tree.Nodes[path.Nodes[k]].Parent);
        }
        Assert.Equal("green", tree.Nodes[tree.Paths[2].Nodes[1]].Token);
    }

    [Fact]
    public void Fits_RecoverKnownPowerLaws()
    {
        double[] x = [2, 4, 8, 16];
        var fit = Measurements.LogLogFit(x, x.Select(v => 3 * v * v).ToArray());
        Assert.Equal(2, fit.Slope, 12);
        Assert.Equal(Math.Log(3), fit.Intercept, 12);
        Assert.Equal(1, Measurements.LogLogFit(x, [100, 1, 2, 4], last: 3).Slope, 12);
        Assert.Equal([12, 48], Measurements.PowerLaw([2, 4], fit).Select(v => Math.Round(v, 9)));
        Assert.Throws<ArgumentException>(() => Measurements.LinearFit([1, 1], [2, 3]));
    }
}
