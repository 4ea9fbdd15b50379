using Recur.Bench;

// dotnet run -c Release --project bench/Recur.Bench -- <bench>|all [--threads 1,2] [--reps N] [--filter TEXT]
// dotnet run -c Release --project bench/Recur.Bench -- report bench/results/latest.jsonl
string[] benches = ["gemm", "lstm-train", "lstm-step", "lstm-layer", "viterbi", "beam", "norms"];
if (args.Length == 0 || args[0] is "-h" or "--help")
{
    Console.Error.WriteLine($"usage: Recur.Bench <{string.Join("|", benches)}|all> [--threads 1,2] [--reps 7] [--min-seconds 0.2] [--filter TEXT]");
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
    foreach (string bench in benches) RunBench(bench, options);
    return 0;
}
if (!benches.Contains(args[0])) return Usage($"unknown bench '{args[0]}'; choose one of {string.Join(", ", benches)}, all or report");
RunBench(args[0], options);
return 0;

static int Usage(string message)
{
    Console.Error.WriteLine($"error: {message}");
    return 2;
}

static void RunBench(string bench, BenchOptions options)
{
switch (bench)
{
    case "gemm": GemmBench.Run(options); break;
    case "lstm-train": LstmTrainBench.Run(options); break;
    case "lstm-step": LstmStepBench.Run(options); break;
    case "lstm-layer": LstmLayerBench.Run(options); break;
    case "viterbi": ViterbiBench.Run(options); break;
    case "beam": BeamBench.Run(options); break;
    case "norms": NormsBench.Run(options); break;
}
}
