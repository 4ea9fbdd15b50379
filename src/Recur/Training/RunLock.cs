namespace Recur.Training;

/// <summary>
/// One training process per run folder: an exclusive lock on the folder's <c>.lock</c> file, held
/// while the run trains and released by the operating system when the process ends in any way
/// (exit, crash, kill -9), so a stale lock never blocks the next run. A second process that
/// tries to train into the folder gets an <see cref="InputException"/> at once.
/// </summary>
public sealed class RunLock : IDisposable
{
    /// <summary>The lock file in a run folder.</summary>
    public const string FileName = ".lock";

    private readonly FileStream _stream;

    private RunLock(FileStream stream) => _stream = stream;

    /// <summary>Locks <paramref name="folder"/> (created if needed) for this process.</summary>
    public static RunLock Acquire(string folder)
    {
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, FileName);
        try
        {
            return new RunLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException e)
        {
            throw new InputException(folder, "is being trained by another process (its .lock is held); wait for it to finish, or train into another folder", e);
        }
    }

    public void Dispose() => _stream.Dispose();
}
