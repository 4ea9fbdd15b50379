using Recur.Bench;

// dotnet run -c Release --project bench/Recur.Bench -- <bench>|all [--threads 1,2] [--reps N] [--filter TEXT]
// dotnet run -c Release --project bench/Recur.Bench -- report bench/results/latest.jsonl
(string Name, Action<BenchOptions> Run)[] benches =
[
    ("gemm", GemmBench.Run), ("lstm-train", LstmTrainBench.Run), ("lstm-step", LstmStepBench.Run), ("lstm-layer", LstmLayerBench.Run),
    ("viterbi", ViterbiBench.Run), ("beam", BeamBench.Run), ("norms", NormsBench.Run),
];
string names = string.Join("|", benches.Select(b => b.Name));
if (args.Length == 0 || args[0] is "-h" or "--help")
{
    Console.Error.WriteLine($"usage: Recur.Bench <{names}|all> [--threads 1,2] [--reps 7] [--min-seconds 0.2] [--filter TEXT]");
    Console.Error.WriteLine("       Recur.Bench report FILE    (bench/README.md's table and results/ratios.png from a run's JSON lines)");
    return args.Length == 0 ? 2 : 0;
}
if (args[0] == "report") return args.Length == 2 ? ResultsReport.Run(args[1]) : Usage("report takes one file: the JSON lines of a run");
BenchOptions options;
try
{
    options = BenchOptions.Parse(args, 1);
}
catch (Exception e) when (e is ArgumentException or FormatException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 2;
}
if (args[0] == "all")
{
    Machine.EmitDescription();
    foreach (var bench in benches) bench.Run(options);
    return 0;
}
var chosen = benches.FirstOrDefault(b => b.Name == args[0]);
if (chosen.Run is null) return Usage($"unknown bench '{args[0]}'; choose one of {string.Join(", ", benches.Select(b => b.Name))}, all or report");
chosen.Run(options);
return 0;

static int Usage(string message)
{
    Console.Error.WriteLine($"error: {message}");
    return 2;
}
