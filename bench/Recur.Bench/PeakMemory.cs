using System.Globalization;

namespace Recur.Bench;

/// <summary>
/// The memory one side of a comparison takes while it is measured: Linux's peak resident set
/// (VmHWM) is reset to the current one by writing 5 to /proc/self/clear_refs before the side's
/// repetition, and read back after it; the figure is the growth, in MiB, over the resident set
/// at the reset — what that side's work added, native (LibTorch) and managed (Recur) alike.
/// Elsewhere, or where clear_refs is not writable, nothing is reported.
/// </summary>
internal static class PeakMemory
{
    private static readonly bool Available = OperatingSystem.IsLinux() && Try(Reset);

    /// <summary>Starts a measurement; returns the resident set at the start (bytes), or null.</summary>
    public static long? Start()
    {
        if (!Available) return null;
        Reset();
        return Read("VmRSS:");
    }

    /// <summary>The peak resident set since <paramref name="start"/> above it, in MiB.</summary>
    public static double? Since(long? start) =>
        start is { } s && Read("VmHWM:") is { } peak ? Math.Max(0, peak - s) / (1024.0 * 1024.0) : null;

    private static void Reset() => File.WriteAllText("/proc/self/clear_refs", "5");

    private static long? Read(string field)
    {
        foreach (string line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith(field, StringComparison.Ordinal))
                return long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
        return null;
    }

    private static bool Try(Action action)
    {
        try
        {
            action();
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
