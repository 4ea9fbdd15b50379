using System.CommandLine;
using Recur.Formats;
using static Recur.Cli.PathHints;

namespace Recur.Cli;

/// <summary>
/// Validators shared by every verb, so bad values are rejected during parsing with a one-line
/// message (exit code 2) instead of failing deep inside the library.
/// </summary>
internal static class OptionRules
{
    /// <summary>Rejects values below <paramref name="min"/>.</summary>
    public static Option<int> AtLeast(this Option<int> option, int min)
    {
        option.Validators.Add(r =>
        {
            if (TryGet(r, out int v) && v < min) r.AddError($"{option.Name} must be at least {min} (got {v})");
        });
        return option;
    }

    /// <summary>Rejects values below <paramref name="min"/>.</summary>
    public static Option<long> AtLeast(this Option<long> option, long min)
    {
        option.Validators.Add(r =>
        {
            if (TryGet(r, out long v) && v < min) r.AddError($"{option.Name} must be at least {min} (got {v})");
        });
        return option;
    }

    /// <summary>Rejects values outside (min, max]: above <paramref name="min"/>, at most <paramref name="max"/>.</summary>
    public static Option<double> AboveAndAtMost(this Option<double> option, double min, double max)
    {
        option.Validators.Add(r =>
        {
            if (TryGet(r, out double v) && (!(v > min) || !(v <= max)))
                r.AddError($"{option.Name} must be in ({min}, {max}] (got {v})");
        });
        return option;
    }

    /// <summary>Rejects values outside [min, max] (either bound may be infinite).</summary>
    public static Option<double> InRange(this Option<double> option, double min, double max) => InRange<Option<double>>(option, min, max);

    /// <summary>Rejects values outside [min, max] when the option is given.</summary>
    public static Option<double?> InRange(this Option<double?> option, double min, double max) => InRange<Option<double?>>(option, min, max);

    private static T InRange<T>(T option, double min, double max) where T : Option
    {
        option.Validators.Add(r =>
        {
            if (TryGet(r, out double v) && (!(v >= min) || !(v <= max)))
                r.AddError($"{option.Name} must be in [{min}, {max}] (got {v})");
        });
        return option;
    }

    /// <summary>Rejects values that are not strictly positive and finite.</summary>
    public static Option<double> Positive(this Option<double> option)
    {
        option.Validators.Add(r =>
        {
            if (TryGet(r, out double v) && !(v > 0 && double.IsFinite(v))) r.AddError($"{option.Name} must be a positive number (got {v})");
        });
        return option;
    }

    /// <summary>Rejects paths of files that do not exist.</summary>
    public static Option<FileInfo> MustExist(this Option<FileInfo> option)
    {
        option.Validators.Add(r =>
        {
            if (r.Tokens.Count > 0 && r.Tokens[^1].Value == InputFile.StandardInputPath) return;   // standard input
            if (TryGet(r, out FileInfo? f) && f is not null && !f.Exists)
                r.AddError(Directory.Exists(f.FullName) ? $"{option.Name}: {f.FullName} is a folder{FolderHint(f.FullName)}" : $"{option.Name}: {f.FullName}: file not found");
        });
        return option;
    }

    // A value that failed to convert is reported by the parser itself; validators skip it.
    private static bool TryGet<T>(System.CommandLine.Parsing.OptionResult r, out T value)
    {
        try
        {
            value = r.GetValueOrDefault<T>();
            return true;
        }
        catch (InvalidOperationException)
        {
            value = default!;
            return false;
        }
    }

    /// <summary>The path a person gave for an input file: "-" (standard input) as it is, any other as a full path.</summary>
    public static string Input(this FileInfo file) => file.ToString() == InputFile.StandardInputPath ? InputFile.StandardInputPath : file.FullName;
}
