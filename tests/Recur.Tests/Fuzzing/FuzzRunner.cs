using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Recur.Tests.Fuzzing;

/// <summary>What one target's run gave: inputs tried, accepted, refused by outcome class, and the costliest input.</summary>
internal sealed record FuzzReport(string Target, int Inputs, int Accepted, IReadOnlyDictionary<string, int> Refused, double MaxSeconds, long MaxAllocatedBytes, string? Failure);

/// <summary>
/// Feeds a target mutated copies of its seeds (and the seeds themselves) and holds it to the
/// contract of docs/formats.md: each input is accepted or refused with an
/// <see cref="InputException"/> — any other exception, an allocation beyond
/// <see cref="AllocationBound"/> on the parsing thread, or an input taking longer than
/// <see cref="TimeBound"/> is a failure, and the input is kept for replay.
/// </summary>
internal static partial class FuzzRunner
{
    /// <summary>Most bytes one input may allocate: 64 MiB plus 256 bytes per input byte.</summary>
    public static long AllocationBound(int inputLength) => (64L << 20) + 256L * inputLength;

    /// <summary>Longest one input may take.</summary>
    public static readonly TimeSpan TimeBound = TimeSpan.FromSeconds(10);

    public static FuzzReport Run(FuzzTarget target, int iterations, int seed, string seedsRoot, string work, string failures)
    {
        Directory.CreateDirectory(work);
        var context = new FuzzContext(work, seedsRoot);
        string seedPath = Path.Combine(seedsRoot, target.Seeds);
        string[] files = Directory.Exists(seedPath) ? Directory.GetFiles(seedPath).Order(StringComparer.Ordinal).ToArray() : [seedPath];
        byte[][] seeds = [.. files.Select(f => Path.GetFileName(f) == global::Recur.Training.Checkpoint.ConfigFile ? Encoding.UTF8.GetBytes(context.WithCorpus(File.ReadAllBytes(f))) : File.ReadAllBytes(f))];
        var random = new Random(seed ^ StableHash(target.Name));
        var refused = new Dictionary<string, int>(StringComparer.Ordinal);
        int accepted = 0;
        double maxSeconds = 0;
        long maxAllocated = 0;
        for (int i = 0; i < iterations; i++)
        {
            byte[] input = i < seeds.Length ? seeds[i] : Mutator.Mutate(seeds[random.Next(seeds.Length)], seeds, random);
            var (outcome, error, seconds, allocated) = Attempt(target, context, input);
            maxSeconds = Math.Max(maxSeconds, seconds);
            maxAllocated = Math.Max(maxAllocated, allocated);
            string? failure = error is not null ? $"{error.GetType().Name}: {error.Message}"
                : seconds > TimeBound.TotalSeconds ? $"took {seconds:F1} s (bound {TimeBound.TotalSeconds} s)"
                : allocated > AllocationBound(input.Length) ? $"allocated {allocated:N0} bytes (bound {AllocationBound(input.Length):N0})"
                : i < seeds.Length && outcome is not null ? $"the seed {files[i]} is refused: {outcome}"
                : null;
            if (failure is not null)
            {
                Directory.CreateDirectory(failures);
                string kept = Path.Combine(failures, $"{target.Name}-{seed}-{i}.bin");
                File.WriteAllBytes(kept, input);
                return new FuzzReport(target.Name, i + 1, accepted, refused, maxSeconds, maxAllocated, $"input {i} (kept in {kept}): {failure}\n{error}");
            }
            if (outcome is null) accepted++;
            else refused[outcome] = refused.GetValueOrDefault(outcome) + 1;
        }
        return new FuzzReport(target.Name, iterations, accepted, refused, maxSeconds, maxAllocated, null);
    }

    // Runs one input on a thread of its own so that a hang is reported instead of blocking the suite.
    private static (string? Outcome, Exception? Error, double Seconds, long Allocated) Attempt(FuzzTarget target, FuzzContext context, byte[] input)
    {
        (string? Outcome, Exception? Error, double Seconds, long Allocated) result = default;
        var thread = new Thread(() =>
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            var clock = Stopwatch.StartNew();
            try
            {
                target.Run(context, input);
                result = (null, null, clock.Elapsed.TotalSeconds, GC.GetAllocatedBytesForCurrentThread() - before);
            }
            catch (InputException e)
            {
                result = (Classify(e, context.Work), null, clock.Elapsed.TotalSeconds, GC.GetAllocatedBytesForCurrentThread() - before);
            }
            catch (Exception e)
            {
                result = (null, e, clock.Elapsed.TotalSeconds, GC.GetAllocatedBytesForCurrentThread() - before);
            }
        }, maxStackSize: 16 << 20);
        thread.Start();
        if (!thread.Join(TimeBound * 3)) return (null, new TimeoutException($"no answer after {(TimeBound * 3).TotalSeconds} s"), double.PositiveInfinity, 0);
        return result;
    }

    /// <summary>A refusal's class: its message with paths, numbers and quoted text blanked, cut to six words.</summary>
    public static string Classify(InputException e, string work)
    {
        string text = e.Message.Replace(work, "", StringComparison.Ordinal);
        text = Quoted().Replace(text, "…");
        text = Digits().Replace(text, "N");
        return string.Join(' ', text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Take(6));
    }

    private static int StableHash(string s)
    {
        int h = 17;
        foreach (char c in s) h = h * 31 + c;
        return h;
    }

    [GeneratedRegex("\"[^\"]*\"|'[^']*'")]
    private static partial Regex Quoted();

    [GeneratedRegex(@"(?<![A-Za-z-])-?[0-9][0-9,.eE+\-]*")]
    private static partial Regex Digits();
}
