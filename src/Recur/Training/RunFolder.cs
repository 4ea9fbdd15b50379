using System.Text.RegularExpressions;
using Recur.Formats;

namespace Recur.Training;

/// <summary>
/// A training run's folder: metrics.jsonl and loss.png at the top, and the checkpoint in a folder
/// of its own, <c>checkpoint-STEP/</c> (config.json, model.safetensors, optimizer.safetensors),
/// named by <c>latest</c>, a one-line file. A checkpoint is published as a whole: its folder is
/// written completely under a temporary name and renamed, then <c>latest</c> is replaced
/// atomically to name it, and only then is the previous one deleted. A process killed at any
/// instant therefore leaves <c>latest</c> naming a complete checkpoint, the previous or the new
/// one; what it left half-done is removed by the next run in the folder
/// (<see cref="CleanUp"/>). Folders written before this layout (the three files at the top) are
/// still read.
/// </summary>
public static partial class RunFolder
{
    /// <summary>The file naming the published checkpoint folder.</summary>
    public const string LatestFile = "latest";

    private const string Prefix = "checkpoint-";
    private const string Partial = ".partial";

    /// <summary>The folder name of the checkpoint at <paramref name="step"/>.</summary>
    public static string CheckpointName(long step) => Prefix + step.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Whether <paramref name="path"/> holds a published checkpoint (or one of the older layout).</summary>
    public static bool HasCheckpoint(string path) =>
        File.Exists(Path.Combine(path, LatestFile)) || File.Exists(Path.Combine(path, Checkpoint.ConfigFile));

    /// <summary>
    /// The folder holding the run's published checkpoint: the one <c>latest</c> names, or the run
    /// folder itself in the older layout, or <paramref name="path"/> when it is a checkpoint
    /// folder already. Throws <see cref="InputException"/> naming what is missing.
    /// </summary>
    public static string CheckpointOf(string path)
    {
        string latest = Path.Combine(path, LatestFile);
        if (File.Exists(latest))
        {
            string name = LatestName(path)
                ?? throw new InputException(latest, $"should hold the name of a checkpoint folder ({Prefix}STEP); it is damaged");
            string folder = Path.Combine(path, name);
            if (!File.Exists(Path.Combine(folder, Checkpoint.ConfigFile)))
                throw new InputException(latest, $"names {name}, which has no {Checkpoint.ConfigFile}; the folder was changed by hand");
            return folder;
        }
        if (File.Exists(Path.Combine(path, Checkpoint.ConfigFile))) return path;
        if (Directory.Exists(path))
            throw new InputException(path, $"holds no checkpoint (no {LatestFile} or {Checkpoint.ConfigFile}); give a folder `recur train` wrote");
        throw new InputException(path, "folder not found");
    }

    /// <summary>
    /// Publishes the checkpoint of <paramref name="step"/>: <paramref name="write"/> fills a new
    /// folder, which is renamed into place, named in <c>latest</c>, and then the previous
    /// checkpoints are deleted. Publishing the step already published does nothing.
    /// </summary>
    public static void Publish(string runFolder, long step, Action<string> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        string name = CheckpointName(step);
        string latest = Path.Combine(runFolder, LatestFile);
        if (Published(runFolder) == name) return;
        string final = Path.Combine(runFolder, name), partial = final + Partial;
        DeleteFolder(partial);
        DeleteFolder(final);   // never published: a leftover of an interrupted save
        Directory.CreateDirectory(partial);
        write(partial);
        Directory.Move(partial, final);
        AtomicFile.WriteText(latest, name + "\n");
        CleanUp(runFolder);
    }

    /// <summary>
    /// Removes what an interrupted run left: checkpoint folders other than the published one,
    /// half-written ones, temporary files of atomic writes, and the older layout's top-level
    /// checkpoint files once a published checkpoint replaces them. Call it only while holding
    /// the folder's <see cref="RunLock"/>.
    /// </summary>
    public static void CleanUp(string runFolder)
    {
        if (!Directory.Exists(runFolder)) return;
        string? published = Published(runFolder);
        foreach (string dir in Directory.GetDirectories(runFolder, Prefix + "*"))
            if (Path.GetFileName(dir) != published) DeleteFolder(dir);
        foreach (string temp in Directory.GetFiles(runFolder, AtomicFile.TemporaryPattern)) File.Delete(temp);
        if (published is not null)
        {
            foreach (string temp in Directory.GetFiles(Path.Combine(runFolder, published), AtomicFile.TemporaryPattern)) File.Delete(temp);
            foreach (string old in new[] { Checkpoint.ConfigFile, Checkpoint.ModelFile, Checkpoint.OptimizerFile })
                File.Delete(Path.Combine(runFolder, old));
        }
    }

    /// <summary>
    /// Whether <paramref name="path"/> (an entry of a run folder) is something a run writes there —
    /// the lock, the log, the plot, checkpoint folders, temporary files of atomic writes — and so
    /// may be replaced by a new run that finds no published checkpoint.
    /// </summary>
    public static bool IsRunFile(string path)
    {
        string name = Path.GetFileName(path);
        return name is RunLock.FileName or Checkpoint.MetricsFile or Checkpoint.PlotFile
            || name.StartsWith(Prefix, StringComparison.Ordinal) && Directory.Exists(path)
            || AtomicFile.IsTemporary(name);
    }

    // The published checkpoint's folder name, or null (none, or a damaged latest file).
    private static string? Published(string runFolder) =>
        LatestName(runFolder) is { } name && Directory.Exists(Path.Combine(runFolder, name)) ? name : null;

    // The checkpoint name `latest` holds, or null when the file is missing, too long or not a name.
    private static string? LatestName(string runFolder)
    {
        string latest = Path.Combine(runFolder, LatestFile);
        if (!File.Exists(latest)) return null;
        try
        {
            string name = System.Text.Encoding.UTF8.GetString(InputFile.ReadAllBytes(latest, 64)).Trim();
            return CheckpointNamePattern().IsMatch(name) ? name : null;
        }
        catch (InputException)
        {
            return null;
        }
    }

    private static void DeleteFolder(string path)
    {
        if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
    }

    [GeneratedRegex(@"^checkpoint-[0-9]{1,19}$")]
    private static partial Regex CheckpointNamePattern();
}
