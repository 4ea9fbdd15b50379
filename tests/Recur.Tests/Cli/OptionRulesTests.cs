using System.CommandLine;
using Recur.Cli;

namespace Recur.Tests.Cli;

public class OptionRulesTests
{
    private static IReadOnlyList<string> Errors(Option option, params string[] args)
    {
        var root = new RootCommand { option };
        return root.Parse(args).Errors.Select(e => e.Message).ToList();
    }

    [Fact]
    public void AtLeast_RejectsSmallValues_AndLeavesBadTextToTheParser()
    {
        var beam = new Option<int>("--beam").AtLeast(1);
        Assert.Empty(Errors(beam, "--beam", "3"));
        Assert.Contains("--beam must be at least 1 (got 0)", Errors(beam, "--beam", "0"));
        Assert.Single(Errors(beam, "--beam", "x"));
    }

    [Fact]
    public void InRangeAndPositive_RejectNaNAndOutOfRange()
    {
        var p = new Option<double>("--top-p").InRange(0, 1);
        Assert.Empty(Errors(p, "--top-p", "0.9"));
        Assert.NotEmpty(Errors(p, "--top-p", "1.5"));
        Assert.NotEmpty(Errors(p, "--top-p", "NaN"));
        var t = new Option<double>("--temperature").Positive();
        Assert.NotEmpty(Errors(t, "--temperature", "0"));
    }

    [Fact]
    public void MustExist_RejectsMissingFiles()
    {
        var f = new Option<FileInfo>("--model").MustExist();
        Assert.Contains(Errors(f, "--model", "/no/such/file.json"), e => e.Contains("file not found"));
    }
}
