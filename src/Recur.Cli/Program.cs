using System.CommandLine;
using System.Reflection;
using Recur.Formats;

namespace Recur.Cli;

/// <summary>
/// The `recur` entry point: builds the command tree, parses, runs, and is the one place that
/// turns exceptions into exit codes and one-line messages (docs/cli.md, exit codes).
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        InputFile.StandardInput = Console.OpenStandardInput;   // "-" reads standard input wherever a file is read
        return Run(args, Console.Out, Console.Error);
    }

    /// <summary>Runs `recur` with the given arguments, writing to the given streams.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        InputFile.ResetStandardInput();
        Command root = BuildCommands();
        ParseResult parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            stderr.WriteLine($"error: usage: {UsageErrors.Describe(parse)} (see `recur {CommandPath(parse)}--help`)");
            return ExitCodes.BadInput;
        }
        try
        {
            return parse.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
        }
        catch (Exception e)
        {
            return Report(e, stderr);
        }
    }

    /// <summary>
    /// Every verb under a root named `recur` (a RootCommand would take the executable's name,
    /// Recur.Cli under `dotnet run`), with the --help and --version a RootCommand would add.
    /// </summary>
    internal static Command BuildCommands()
    {
        var root = new Command("recur", "recur: train, decode and diagnose recurrent language models.")
        {
            new System.CommandLine.Help.HelpOption(),
            new VersionOption(),
        };
        root.Subcommands.Add(Commands.TrainCommand.Create());
        root.Subcommands.Add(Commands.GenerateCommand.Create());
        root.Subcommands.Add(Commands.EvalCommand.Create());
        root.Subcommands.Add(Commands.ScoreCommand.Create());
        root.Subcommands.Add(Commands.NGramCommand.Create());
        root.Subcommands.Add(Commands.DecodeCommand.Create());
        root.Subcommands.Add(Commands.TagCommand.Create());
        root.Subcommands.Add(Commands.ExportCommand.Create());
        root.Subcommands.Add(Commands.DiagnoseCommand.Create());
        root.Subcommands.Add(Commands.ReproduceCommand.Create());
        return root;
    }

    /// <summary>The version printed by --version.</summary>
    internal static string Version =>
        typeof(Program).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0";

    /// <summary>Maps an exception to an exit code and a one-line message.</summary>
    internal static int Report(Exception e, TextWriter stderr)
    {
        switch (e)
        {
            case InputException ie:
                stderr.WriteLine($"error: {FlagNames.Translate(ie.Subject)}: {OneLine(FlagNames.Translate(ie.Message))}");
                return ExitCodes.BadInput;
            case FileNotFoundException fnf:
                stderr.WriteLine($"error: {fnf.FileName ?? "file"}: not found");
                return ExitCodes.BadInput;
            case DirectoryNotFoundException or UnauthorizedAccessException or IOException:
                stderr.WriteLine($"error: i/o: {OneLine(e.Message)}");
                return ExitCodes.BadInput;
            case ArgumentException or FormatException or InvalidDataException:
                stderr.WriteLine($"error: invalid input: {OneLine(e.Message)}");
                return ExitCodes.BadInput;
            case OutOfMemoryException:
                stderr.WriteLine("error: memory: out of memory; try a smaller model, batch or search budget");
                return ExitCodes.Internal;
            default:
                stderr.WriteLine($"error: internal: {e.GetType().Name}: {OneLine(e.Message)} (please report this)");
                return ExitCodes.Internal;
        }
    }

    private static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();

    private static string CommandPath(ParseResult parse)
    {
        var names = new List<string>();
        for (var r = parse.CommandResult; r is not null; r = r.Parent as System.CommandLine.Parsing.CommandResult)
            if (r.Parent is not null) names.Insert(0, r.Command.Name);
        return names.Count == 0 ? "" : string.Join(' ', names) + " ";
    }
}
