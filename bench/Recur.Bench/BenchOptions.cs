namespace Recur.Bench;

/// <summary>Command-line options shared by every bench.</summary>
internal sealed record BenchOptions
{
    /// <summary>Thread counts to measure at (both implementations get the same one).</summary>
    public IReadOnlyList<int> Threads { get; init; } = [1, 2];

    /// <summary>Timed repetitions per implementation (alternating Recur, peer, Recur, …).</summary>
    public int Repetitions { get; init; } = 7;

    /// <summary>Minimum seconds one repetition runs for (it repeats its work until then).</summary>
    public double MinSeconds { get; init; } = 0.2;

    /// <summary>Only configurations whose name contains this text.</summary>
    public string? Filter { get; init; }

    /// <summary>Bench-specific data path (lstm-train --data).</summary>
    public string? Data { get; init; }

    /// <summary>Bench-specific step count (lstm-train).</summary>
    public int? Steps { get; init; }

    public static BenchOptions Parse(string[] args, int start)
    {
        var o = new BenchOptions();
        for (int i = start; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            o = args[i] switch
            {
                "--threads" => o with { Threads = Next().Split(',').Select(int.Parse).ToArray() },
                "--reps" => o with { Repetitions = int.Parse(Next()) },
                "--min-seconds" => o with { MinSeconds = double.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture) },
                "--filter" => o with { Filter = Next() },
                "--data" => o with { Data = Next() },
                "--steps" => o with { Steps = int.Parse(Next()) },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
        }
        return o;
    }
}
