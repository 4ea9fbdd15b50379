namespace Recur.Tests.Support;

/// <summary>
/// Files under ../shared/data (beside the repository root, the folder holding Recur.slnx),
/// which a fresh clone does not have: tests that need them use <see cref="SharedDataFactAttribute"/>
/// and are skipped, with the reason, when they are absent.
/// </summary>
internal static class SharedData
{
    /// <summary>The full path of ../shared/data/<paramref name="relative"/>, or null when absent.</summary>
    public static string? Find(string relative) => FindShared(Path.Combine("data", relative));

    /// <summary>The full path of ../shared/<paramref name="relative"/> (e.g. docs/theory.md), or null when absent.</summary>
    public static string? FindShared(string relative)
    {
        string path = Path.GetFullPath(Path.Combine(RepositoryRoot(), "..", "shared", relative));
        return File.Exists(path) || Directory.Exists(path) ? path : null;
    }

    /// <summary>The folder holding Recur.slnx, found by walking up from the test assembly.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Recur.slnx"))) return dir.FullName;
        throw new DirectoryNotFoundException("Recur.slnx was not found above the test assembly.");
    }
}

/// <summary>A fact that is skipped, saying why, when ../shared/data/<c>relative</c> is absent.</summary>
internal sealed class SharedDataFactAttribute : FactAttribute
{
    public SharedDataFactAttribute(string relative)
    {
        if (SharedData.Find(relative) is null)
            Skip = $"needs ../shared/data/{relative} beside the repository root (not present in this checkout)";
    }
}

/// <summary>A fact that is skipped, saying why, when ../shared/<c>relative</c> (e.g. docs/theory.md) is absent.</summary>
internal sealed class SharedFileFactAttribute : FactAttribute
{
    public SharedFileFactAttribute(string relative)
    {
        if (SharedData.FindShared(relative) is null)
            Skip = $"needs ../shared/{relative} beside the repository root (not present in this checkout)";
    }
}
