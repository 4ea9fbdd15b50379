using System.Reflection;

namespace Recur.Tests.Support;

/// <summary>
/// Runs an example program's entry point in this process, as a person runs it, with standard
/// output and error captured (they are process-wide: callers run one at a time). Shared with
/// tests/Recur.Onnx.Tests, which links this file.
/// </summary>
internal static class ExampleRunner
{
    /// <summary>The program's exit code (null when Main returns void), standard output and standard error.</summary>
    public static (object? Code, string Out, string Error) Run(string example, params string[] args)
    {
        var entry = Assembly.Load(example).EntryPoint ?? throw new InvalidOperationException($"{example} has no entry point");
        var (savedOut, savedError) = (Console.Out, Console.Error);
        var (output, error) = (new StringWriter(), new StringWriter());
        Console.SetOut(output);
        Console.SetError(error);
        try
        {
            object? code = entry.Invoke(null, [args]);
            return (code, output.ToString(), error.ToString());
        }
        finally
        {
            Console.SetOut(savedOut);
            Console.SetError(savedError);
        }
    }
}
