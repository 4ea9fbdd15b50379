using System.CommandLine;
using System.Text.RegularExpressions;

namespace Recur.Cli.Commands;

/// <summary>
/// The tagged files `recur tag train` and `tag eval` read: files, or folders in the Brown
/// layout (ca01 … cr09, as ../shared/data/brown and NLTK's ~/nltk_data/corpora/brown hold them;
/// other files there, such as README or cats.txt, are skipped), optionally cut by the usual
/// split — every 10th file in order held out for testing.
/// </summary>
internal static partial class BrownFiles
{
    /// <summary>--split all|train|test.</summary>
    public static Option<string> SplitOption() =>
        new Option<string>("--split")
        {
            Description = "Which files to use, counting them in order (a folder's sorted by name): all; train, all but every 10th; test, every 10th — the split of the tagger's figures in docs/cli.md",
            DefaultValueFactory = _ => "all",
        }.AcceptOnlyFromAmong("all", "train", "test");

    /// <summary>The files named, folders expanded, then cut by <paramref name="split"/>.</summary>
    public static string[] Resolve(IEnumerable<string> paths, string split)
    {
        var files = new List<string>();
        foreach (string path in paths)
        {
            if (!Directory.Exists(path))
            {
                files.Add(path);
                continue;
            }
            var brown = Directory.GetFiles(path).Where(f => BrownName().IsMatch(Path.GetFileName(f))).Order(StringComparer.Ordinal).ToList();
            if (brown.Count == 0) throw new InputException(path, "is a folder without Brown corpus files (ca01 … cr09); give the folder that holds them, or the files");
            files.AddRange(brown);
        }
        return split switch
        {
            "train" => [.. files.Where((_, i) => (i + 1) % 10 != 0)],
            "test" => Test(files),
            _ => [.. files],
        };
    }

    private static string[] Test(List<string> files) =>
        files.Count >= 10 ? [.. files.Where((_, i) => (i + 1) % 10 == 0)]
            : throw new InputException("--split", $"test takes every 10th file, and only {files.Count} were given");

    [GeneratedRegex("^c[a-r][0-9][0-9]$")]
    private static partial Regex BrownName();
}
