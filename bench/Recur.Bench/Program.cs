using Recur.Bench;

// dotnet run -c Release --project bench/Recur.Bench -- <bench> [--threads 1,2] [--reps N] [--filter TEXT]
string[] benches = ["gemm", "lstm-layer", "viterbi"];
if (args.Length == 0 || args[0] is "-h" or "--help")
{
    Console.Error.WriteLine($"usage: Recur.Bench <{string.Join("|", benches)}> [--threads 1,2] [--reps 7] [--min-seconds 0.2] [--filter TEXT]");
    return args.Length == 0 ? 2 : 0;
}
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
switch (args[0])
{
    case "gemm": GemmBench.Run(options); break;
    case "lstm-layer": LstmLayerBench.Run(options); break;
    case "viterbi": ViterbiBench.Run(options); break;
    default:
        Console.Error.WriteLine($"error: unknown bench '{args[0]}'; choose one of {string.Join(", ", benches)}");
        return 2;
}
return 0;
