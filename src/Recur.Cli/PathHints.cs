using System.CommandLine;
using Recur.Formats;
using Recur.Training;

namespace Recur.Cli;

/// <summary>
/// When a person gives a run folder where a model file is expected, or a model file where a run
/// folder is expected, the message names what was given and the command that takes it.
/// </summary>
internal static class PathHints
{
    /// <summary>Why a folder is not the file an option wants, and which command takes it.</summary>
    public static string FolderHint(string path) => RunFolder.HasCheckpoint(path)
        ? ": a `recur train` run folder, which `recur generate`, `eval`, `score` and `diagnose` take as --checkpoint"
        : "; give a file";

    /// <summary>What a file given for a run folder is, by its first line, and which command takes it.</summary>
    public static string FileHint(string path)
    {
        string first = FirstLine(path);
        if (first == "\\data\\") return ": an ARPA n-gram model, which `recur decode --model`, `recur ngram eval --model` and `--ngram` take";
        if (first.StartsWith('{')) return ": a JSON model, which `recur decode --model` takes";
        if (first.StartsWith("recur-tagger ", StringComparison.Ordinal)) return ": a part-of-speech tagger, which `recur tag --model` takes";
        return "; give the folder `recur train --out` wrote";
    }

    /// <summary>Refuses a --checkpoint that is a file, missing, or a folder without a run's config.json, before anything runs.</summary>
    public static Option<DirectoryInfo> MustBeRunFolder(this Option<DirectoryInfo> option)
    {
        option.Validators.Add(r =>
        {
            if (r.Tokens.Count == 0) return;
            string path = Path.GetFullPath(r.Tokens[^1].Value);
            if (File.Exists(path)) r.AddError($"{option.Name}: {path} is a file, not a `recur train` run folder{FileHint(path)}");
            else if (!Directory.Exists(path)) r.AddError($"{option.Name}: {path}: folder not found");
            else if (!RunFolder.HasCheckpoint(path)) r.AddError($"{option.Name}: {path} holds no checkpoint; give a folder `recur train --out` wrote");
        });
        return option;
    }

    // The first non-blank line, trimmed ("" for unreadable files); gzip files are looked into.
    private static string FirstLine(string path)
    {
        try
        {
            using var reader = new StreamReader(InputFile.OpenRead(path));
            for (int i = 0; i < 100 && reader.ReadLine() is { } line; i++)
                if (line.Trim().Length > 0) return line.Trim().TrimStart('\uFEFF');
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or InputException)
        {
        }
        return "";
    }
}
