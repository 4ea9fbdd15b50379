namespace Recur.Tests.Cli;

/// <summary>Parse errors: all of them on one line, mistyped commands, options and choices named with the nearest valid one.</summary>
public sealed class UsageErrorTests
{
    [Fact]
    public void MistypedCommand_SuggestsTheNearest()
    {
        var r = ProgramTests.Run("trian");
        ProgramTests.AssertBadInput(r, "unknown command 'trian' (did you mean 'train'?)");
        Assert.DoesNotContain("Required command", r.Err);
        ProgramTests.AssertBadInput(ProgramTests.Run("ngram", "evl"), "unknown command 'evl' (did you mean 'eval'?)");
    }

    [Fact]
    public void EveryParseError_IsShownOnOneLine()
    {
        var r = ProgramTests.Run("train", "--hiden", "8", "--stpes", "4", "--batch", "x");
        ProgramTests.AssertBadInput(r, "unknown option '--hiden' (did you mean '--hidden'?)");
        Assert.Contains("unknown option '--stpes' (did you mean '--steps'?)", r.Err);
        Assert.Contains("--batch: 'x' is not a whole number", r.Err);
        Assert.DoesNotContain("unexpected argument '8'", r.Err);   // the value of the unknown option
        Assert.Contains("(see `recur train --help`)", r.Err);
    }

    [Fact]
    public void MistypedChoice_SuggestsTheNearest_WithoutTabs()
    {
        var r = ProgramTests.Run("decode", "--model", "x.json", "--method", "beem");
        ProgramTests.AssertBadInput(r, "(did you mean 'beam'?)");
        Assert.DoesNotContain("\t", r.Err);
    }

    [Fact]
    public void FarFromEverything_SuggestsNothing()
    {
        var r = ProgramTests.Run("train", "--zzzzzzzz");
        ProgramTests.AssertBadInput(r, "unknown option '--zzzzzzzz'");
        Assert.DoesNotContain("did you mean", r.Err);
    }

    [Theory]
    [InlineData("train", "train", 0)]
    [InlineData("trian", "train", 1)]
    [InlineData("--hiden", "--hidden", 1)]
    [InlineData("", "abc", 3)]
    [InlineData("kitten", "sitting", 3)]
    public void Distance_IsTheOptimalStringAlignmentDistance(string a, string b, int expected) =>
        Assert.Equal(expected, Recur.Cli.UsageErrors.Distance(a, b));
}
