using Recur.Cli;

namespace Recur.Tests.Cli;

public class ProgramTests
{
    internal static (int Code, string Out, string Err) Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = Program.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Exit code 2 and one line on stderr, `error: …`, holding <paramref name="contains"/>.</summary>
    internal static void AssertBadInput((int Code, string Out, string Err) r, string contains)
    {
        Assert.Equal(2, r.Code);
        Assert.StartsWith("error: ", r.Err);
        Assert.Single(r.Err.TrimEnd().Split('\n'));
        Assert.Contains(contains, r.Err);
    }

    [Fact]
    public void Version_PrintsTheVersion_ExitsZero()
    {
        var (code, output, _) = Run("--version");
        Assert.Equal(0, code);
        Assert.Matches(@"^\d+\.\d+\.\d+", output.Trim());
    }

    [Fact]
    public void Help_ExitsZero_AndDescribesRecur()
    {
        var (code, output, _) = Run("--help");
        Assert.Equal(0, code);
        Assert.Contains("recurrent language models", output);
    }

    [Fact]
    public void UnknownCommand_ExitsTwo_WithOneLineError()
    {
        var (code, output, error) = Run("frobnicate");
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.StartsWith("error: ", error);
        Assert.Single(error.TrimEnd().Split('\n'));
    }

    [Fact]
    public void Report_MapsExceptionsToExitCodes()
    {
        var err = new StringWriter();
        Assert.Equal(2, Program.Report(new InputException("model.json: line 3", "row 2 sums to 1.5"), err));
        Assert.Equal("error: model.json: line 3: row 2 sums to 1.5", err.ToString().Trim());
        Assert.Equal(2, Program.Report(new FileNotFoundException("x", "missing.txt"), new StringWriter()));
        Assert.Equal(3, Program.Report(new InvalidOperationException("bug"), new StringWriter()));
    }
}
