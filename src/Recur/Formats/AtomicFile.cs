namespace Recur.Formats;

/// <summary>
/// Writes files so that a reader (or a crash) never sees a half-written one: the content goes
/// to a temporary file in the same folder, is flushed to disk, and is then renamed over the
/// target (rename within one file system is atomic on Linux and Windows).
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="path"/> through <paramref name="write"/>, atomically.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        string full = Path.GetFullPath(path);
        string dir = Path.GetDirectoryName(full) ?? ".";
        Directory.CreateDirectory(dir);
        string temp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { }
            throw;
        }
    }

    /// <summary>The names of the temporary files <see cref="Write"/> makes (".NAME.PID.GUID.tmp"), for Directory.GetFiles.</summary>
    public const string TemporaryPattern = ".*.tmp";

    /// <summary>Whether a file name has the shape of one of <see cref="Write"/>'s temporary files.</summary>
    public static bool IsTemporary(string name) => name.StartsWith('.') && name.EndsWith(".tmp", StringComparison.Ordinal);

    /// <summary>Writes text (UTF-8, no BOM) atomically.</summary>
    public static void WriteText(string path, string text) =>
        Write(path, s => s.Write(new System.Text.UTF8Encoding(false).GetBytes(text)));
}
