using System.Diagnostics;

namespace Recur.Tests.Support;

/// <summary>
/// A Python with PyTorch, for the tests that hand a checkpoint to PyTorch: the first of
/// `python3` on the PATH and /usr/bin/python3 (Debian's python3-torch) that imports torch.
/// </summary>
internal static class PythonTorch
{
    private static readonly Lazy<string?> Found = new(() =>
        new[] { "python3", "/usr/bin/python3" }.FirstOrDefault(p => Run(p, ["-c", "import torch, numpy"], TimeSpan.FromSeconds(60)).Code == 0));

    /// <summary>The interpreter, or null when none imports torch and numpy.</summary>
    public static string? Interpreter => Found.Value;

    /// <summary>Runs a program to its end (or kills it after <paramref name="timeout"/>): exit code, stdout, stderr.</summary>
    public static (int Code, string Out, string Err) Run(string program, IEnumerable<string> args, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in args) start.ArgumentList.Add(a);
        try
        {
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(timeout))
            {
                process.Kill(entireProcessTree: true);
                return (-1, output.Result, error.Result + $"\n(killed after {timeout.TotalSeconds} s)");
            }
            return (process.ExitCode, output.Result, error.Result);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (-1, "", e.Message);
        }
    }
}

/// <summary>A fact that is skipped, saying why, when no Python with PyTorch is found.</summary>
internal sealed class PythonTorchFactAttribute : FactAttribute
{
    public PythonTorchFactAttribute()
    {
        if (PythonTorch.Interpreter is null)
            Skip = "needs python3 with torch and numpy (Debian: apt-get install python3-torch); not found";
    }
}
