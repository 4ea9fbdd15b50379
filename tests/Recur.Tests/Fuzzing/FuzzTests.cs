using System.Text.Json;
using Xunit.Abstractions;
using Recur.Tests.Support;

namespace Recur.Tests.Fuzzing;

/// <summary>
/// The mutation fuzzer over every parser, as part of the suite: 1,000 inputs per parser (14,000 in
/// all) from the committed seeds in Seeds/. For a longer run set RECUR_FUZZ_ITERATIONS (and
/// RECUR_FUZZ_SEED for other inputs; RECUR_FUZZ_REPORT=file appends one JSON line per parser):
/// <c>RECUR_FUZZ_ITERATIONS=20000 dotnet test --filter FullyQualifiedName~Fuzz</c>. A failing
/// input is kept under the test's temporary folder and named in the failure.
/// </summary>
public sealed class FuzzTests(ITestOutputHelper output) : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    public static TheoryData<string> Targets => [.. FuzzTargets.All.Select(t => t.Name)];

    private static int Setting(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), out int value) && value > 0 ? value : fallback;

    [Theory]
    [MemberData(nameof(Targets))]
    public void EveryMutatedInput_IsAcceptedOrRefusedAsBadInput_WithinTheTimeAndMemoryBounds(string name)
    {
        var target = FuzzTargets.All.Single(t => t.Name == name);
        string seeds = Path.Combine(SharedData.RepositoryRoot(), "tests", "Recur.Tests", "Fuzzing", "Seeds");
        string failures = Path.Combine(Path.GetTempPath(), "recur-fuzz-failures");
        var report = FuzzRunner.Run(target, Setting("RECUR_FUZZ_ITERATIONS", 1000), Setting("RECUR_FUZZ_SEED", 1), seeds, Path.Combine(_dir.Path, name), failures);
        output.WriteLine($"{name}: {report.Inputs} inputs, {report.Accepted} accepted, {report.Inputs - report.Accepted} refused in {report.Refused.Count} classes; slowest {report.MaxSeconds:F3} s, most allocated {report.MaxAllocatedBytes:N0} bytes");
        foreach (var (outcome, count) in report.Refused.OrderByDescending(kv => kv.Value).Take(12)) output.WriteLine($"  {count,6}  {outcome}");
        if (Environment.GetEnvironmentVariable("RECUR_FUZZ_REPORT") is { Length: > 0 } file)
            File.AppendAllText(file, JsonSerializer.Serialize(report) + "\n");
        Assert.True(report.Failure is null, report.Failure);
        Assert.True(report.Accepted > 0, "the seeds should be accepted");
    }
}
