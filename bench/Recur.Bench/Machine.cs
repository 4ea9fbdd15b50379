using System.Globalization;
using System.Runtime.Intrinsics;

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
        string model = "unknown CPU";
        try
        {
            foreach (var line in File.ReadLines("/proc/cpuinfo"))
                if (line.StartsWith("model name", StringComparison.Ordinal)) { model = line[(line.IndexOf(':') + 1)..].Trim(); break; }
        }
        catch (IOException) { }
        Measure.Emit(new Dictionary<string, object>
        {
            ["machine"] = model,
            ["cores"] = Environment.ProcessorCount,
            ["simd"] = Vector512.IsHardwareAccelerated ? "AVX-512" : Vector256.IsHardwareAccelerated ? "AVX2" : "128-bit",
            ["clock_ghz"] = Math.Round(ClockGHz, 2),
            ["memory_gib"] = Math.Round(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (double)(1L << 30), 1),
            ["dotnet"] = Environment.Version.ToString(),
            ["torchsharp"] = typeof(TorchSharp.torch).Assembly.GetName().Version?.ToString() ?? "?",
            ["date"] = DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        }, null);
    }

    private static double ReadClockGHz()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/cpuinfo"))
                if (line.StartsWith("cpu MHz", StringComparison.Ordinal))
                    return double.Parse(line[(line.IndexOf(':') + 1)..].Trim(), CultureInfo.InvariantCulture) / 1000.0;
        }
        catch (IOException) { }
        return double.NaN;
    }
}
