using System.Globalization;
using System.Runtime.Intrinsics;
using Recur.Kernels;

namespace Recur.Bench;

/// <summary>
/// The machine's peak float32 rate: cores × clock × FMA lanes × 2 (an FMA is two flops).
/// The clock is the nominal one from /proc/cpuinfo; FMA lanes are the vector width in floats
/// times the FMA units per core, taken as 2 for AVX-512 Xeons (Skylake-SP and later) and
/// AVX2 cores. Turbo can lift real figures above this nominal peak.
/// </summary>
internal static class Machine
{
    public static double ClockGHz { get; } = ReadClockGHz();

    public static int FmaLanes { get; } = (Vector512.IsHardwareAccelerated ? 16 : Vector256.IsHardwareAccelerated ? 8 : 4) * 2;

    public static double PeakGflops(int cores) => cores * ClockGHz * FmaLanes * 2;

    /// <summary>Prints the machine line that heads a full run: CPU, cores, vector width, clock, .NET and TorchSharp versions, date.</summary>
    public static void EmitDescription()
    {
        Measure.Emit(new Dictionary<string, object>
        {
            ["machine"] = CpuInfo("model name") ?? "unknown CPU",
            ["cores"] = Environment.ProcessorCount,
            ["simd"] = Simd.Hardware switch { SimdLevel.Vector512 => "AVX-512", SimdLevel.Vector256 => "AVX2", SimdLevel.Vector128 => "128-bit", _ => "none" },
            ["clock_ghz"] = Math.Round(ClockGHz, 2),
            ["memory_gib"] = Math.Round(MachineMemory.AvailableBytes / (double)(1L << 30), 1),
            ["dotnet"] = Environment.Version.ToString(),
            ["torchsharp"] = typeof(TorchSharp.torch).Assembly.GetName().Version?.ToString() ?? "?",
            ["date"] = DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        }, null);
    }

    private static double ReadClockGHz() =>
        CpuInfo("cpu MHz") is { } mhz ? double.Parse(mhz, CultureInfo.InvariantCulture) / 1000.0 : double.NaN;

    // The value of the first /proc/cpuinfo line starting with the field's name; null when there is none.
    private static string? CpuInfo(string field)
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/cpuinfo"))
                if (line.StartsWith(field, StringComparison.Ordinal)) return line[(line.IndexOf(':') + 1)..].Trim();
        }
        catch (IOException) { }
        return null;
    }
}
