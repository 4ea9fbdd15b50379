namespace Recur;

/// <summary>
/// What this process may allocate, for checks made before a large allocation: a size that comes
/// from a file or an option is compared with it first, so that a mistake (hidden size 20000, a
/// beam of a billion) is refused with a message instead of ending in an out-of-memory crash.
/// </summary>
public static class MachineMemory
{
    /// <summary>The memory the runtime may use: physical memory, or the container's limit when lower.</summary>
    public static long AvailableBytes => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

    /// <summary>A byte count for people: "12.8 GB", "640 MB".</summary>
    public static string Describe(double bytes) =>
        bytes >= 1e9 ? $"{bytes / 1e9:#,0.#} GB" : bytes >= 1e6 ? $"{bytes / 1e6:0.#} MB" : $"{bytes / 1e3:0.#} kB";
}
