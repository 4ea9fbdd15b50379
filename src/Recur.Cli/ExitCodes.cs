namespace Recur.Cli;

/// <summary>The process exit codes (docs/cli.md).</summary>
internal static class ExitCodes
{
    /// <summary>Success.</summary>
    public const int Success = 0;

    /// <summary>A check or threshold failed (e.g. a claim of `recur reproduce`, a non-finite loss).</summary>
    public const int CheckFailed = 1;

    /// <summary>Bad usage or bad input; one line on stderr.</summary>
    public const int BadInput = 2;

    /// <summary>An internal error: a bug in Recur.</summary>
    public const int Internal = 3;
}
