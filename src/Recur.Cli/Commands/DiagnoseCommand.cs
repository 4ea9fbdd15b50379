using System.CommandLine;
using System.Globalization;
using Recur.Diagnostics;
using Recur.Kernels;
using Recur.Nn.Recurrent;
using Recur.Plots;
using Recur.Training;

namespace Recur.Cli.Commands;

/// <summary>
/// `recur diagnose jacobian` and `recur diagnose gradients` (docs/cli.md, docs/theory.md 1.2–1.3):
/// ‖∂h_T/∂h_0‖ from exact Jacobian products, for random weights scaled to a chosen spectral
/// norm or for a trained checkpoint, against the bound (‖W‖γ)^T; and ‖∂ℓ_T/∂h_t‖ through time
/// for a trained checkpoint. Each prints a table (or JSON) and writes a PNG on a log scale.
/// </summary>
internal static class DiagnoseCommand
{
    public static Command Create()
    {
        var cmd = new Command("diagnose", "Diagnose vanishing and exploding gradients: Jacobian norms across time, gradient norms through time.");
        cmd.Subcommands.Add(Jacobian());
        cmd.Subcommands.Add(Gradients());
        return cmd;
    }

    private static Command Jacobian()
    {
        var checkpoint = new Option<DirectoryInfo>("--checkpoint") { Description = "A `recur train` run folder: measure its trained recurrent weights along its validation text" }.MustBeRunFolder().ShowsDefault("random weights");
        var layer = new Option<int>("--layer") { Description = "With --checkpoint: which recurrent layer (0 = the first)", DefaultValueFactory = _ => 0 }.AtLeast(0);
        var cell = ChoiceOption.Create("--cell", "Random weights: the recurrent unit", CellKind.Rnn);
        var hidden = new Option<int>("--hidden") { Description = "Random weights: hidden units H", DefaultValueFactory = _ => 32 }.AtLeast(1);
        var norm = new Option<double>("--spectral-norm") { Description = "Random weights: scale W_hh to this spectral norm ‖W‖", DefaultValueFactory = _ => 1.0 }.InRange(0, 1e6);
        var activation = ChoiceOption.Create("--activation", "Random weights, rnn: σ", Activation.Tanh);
        var form = ChoiceOption.Create("--rnn-form", "Random weights, rnn: standard (g_t = σ(W g_{t−1} + U x_t + b)) or preactivation (h_t = W σ(h_{t−1}) + U x_t + b)", ElmanForm.Standard);
        var inputScale = new Option<double>("--input-scale") { Description = "Random weights: inputs x_t ~ N(0, s²); large values saturate the units", DefaultValueFactory = _ => 1.0 }.InRange(0, 1e6);
        var seed = new Option<ulong>("--seed") { Description = "Random weights: seed of the weights, inputs and initial state", DefaultValueFactory = _ => 1UL };
        var tMin = new Option<int>("--t-min") { Description = "Smallest T reported", DefaultValueFactory = _ => 1 }.AtLeast(1);
        var tMax = new Option<int>("--t-max") { Description = "Largest T reported", DefaultValueFactory = _ => 100 }.AtLeast(1);
        var plot = new Option<FileInfo>("--plot") { Description = "The PNG to write" }.ShowsDefault("named after what it shows, e.g. jacobian-rnn-tanh-h32-norm0.9-seed1-t1-100.png, in runs/ or in the checkpoint folder");
        var json = new Option<bool>("--json") { Description = "Print one JSON object {\"jacobian\":[{\"T\",\"jacobian_norm\",\"bound\"}], …}" };
        var cmd = new Command("jacobian", "‖∂h_T/∂h_0‖ for T in a range, from the exact product of per-step Jacobians, against the bound (‖W‖γ)^T.")
        {
            checkpoint, layer, cell, hidden, norm, activation, form, inputScale, seed, tMin, tMax, plot, json,
        };
        cmd.SetAction(parse =>
        {
            bool Given(Option o) => parse.GetResult(o) is { Implicit: false };
            int first = parse.GetValue(tMin), last = parse.GetValue(tMax);
            if (first > last) throw new InputException("--t-min", $"{first} is above --t-max {last}");
            JacobianReport report;
            if (parse.GetValue(checkpoint) is { } dir)
            {
                Option[] randomOnly = [cell, hidden, norm, activation, form, inputScale, seed];
                if (randomOnly.FirstOrDefault(Given) is { } clash)
                    throw new InputException(clash.Name, "sets up random weights; with --checkpoint the trained model fixes it");
                report = FromCheckpoint(dir.FullName, parse.GetValue(layer), first, last);
            }
            else
            {
                if (Given(layer)) throw new InputException("--layer", "chooses a layer of a --checkpoint; random weights have one layer");
                var cellKind = parse.GetValue(cell);
                if (cellKind != CellKind.Rnn && (Given(activation) || Given(form)))
                    throw new InputException(Given(form) ? "--rnn-form" : "--activation", $"applies to --cell rnn only; {Choice<CellKind>.Name(cellKind)} has fixed gate functions");
                var probe = new RandomRecurrence
                {
                    Cell = cellKind,
                    Hidden = parse.GetValue(hidden),
                    Activation = parse.GetValue(activation),
                    Form = parse.GetValue(form),
                    SpectralNorm = parse.GetValue(norm),
                    InputScale = parse.GetValue(inputScale),
                    Seed = parse.GetValue(seed),
                };
                var stack = probe.CreateStack();
                report = new JacobianReport(probe.Measure(stack, last, first), Describe(stack.Layers[0]) + string.Create(CultureInfo.InvariantCulture,
                    $", random weights (seed {probe.Seed}), inputs N(0, {probe.InputScale:G4}²)"), null, ProbePlotName(probe, first, last));
            }
            string plotPath = parse.GetValue(plot)?.FullName ?? DefaultPlot(parse.GetValue(checkpoint)?.FullName, report.PlotName);
            return WriteJacobian(report, plotPath, parse.GetValue(json), parse.InvocationConfiguration.Output);
        });
        return cmd;
    }

    /// <summary>A measured series, what it was measured on, the checkpoint folder if any, and the default PNG name.</summary>
    internal sealed record JacobianReport(JacobianSeries Series, string Source, string? Checkpoint, string PlotName);

    /// <summary>
    /// Plots are named after what they show, so that measuring something else never replaces
    /// an earlier plot: in the checkpoint folder, or in runs/ (created) for random weights.
    /// </summary>
    private static string DefaultPlot(string? checkpoint, string name)
    {
        string folder = checkpoint ?? Path.GetFullPath("runs");
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, name);
    }

    internal static string ProbePlotName(RandomRecurrence p, int first, int last)
    {
        var c = CultureInfo.InvariantCulture;
        string unit = p.Cell == CellKind.Rnn
            ? $"rnn-{Choice<Activation>.Name(p.Activation)}{(p.Form == ElmanForm.PreActivation ? "-preactivation" : "")}"
            : Choice<CellKind>.Name(p.Cell);
        string input = p.InputScale == 1 ? "" : string.Create(c, $"-input{p.InputScale:G4}");
        string norm = p.SpectralNorm is { } n ? string.Create(c, $"-norm{n:G4}") : "";
        return string.Create(c, $"jacobian-{unit}-h{p.Hidden}{norm}{input}-seed{p.Seed}-t{first}-{last}.png");
    }

    // The trained layer along the first T_max tokens of the run's validation text (batch row 0).
    private static JacobianReport FromCheckpoint(string dir, int layer, int first, int last)
    {
        var (model, config) = Checkpoint.LoadModel(dir);
        if (layer >= model.Rnn.Layers.Count) throw new InputException("--layer", $"the model has layers 0 … {model.Rnn.Layers.Count - 1}");
        var validation = Checkpoint.LoadData(config).Validation;
        if (validation.Length < last + 1) throw new InputException("--t-max", $"the validation text has {validation.Length} tokens; use --t-max below {validation.Length}");
        model.Forward(validation.AsSpan(0, last), validation.AsSpan(1, last), last, 1, model.Rnn.CreateState(1));
        var l = model.Rnn.Layers[layer];
        var series = JacobianSeries.Measure(l, 0, last, first);
        return new JacobianReport(series, Describe(l) + $", layer {layer} of {dir}, along its validation text", dir, $"jacobian-layer{layer}-t{first}-{last}.png");
    }

    private static string Describe(RecurrentLayer layer) => layer switch
    {
        ElmanLayer e => string.Create(CultureInfo.InvariantCulture,
            $"Elman RNN ({e.Activation.ToString().ToLowerInvariant()}, {(e.Form == ElmanForm.PreActivation ? "pre-activation" : "standard")} form), H = {e.HiddenSize}"),
        LstmLayer => $"LSTM, H = {layer.HiddenSize}",
        _ => $"GRU, H = {layer.HiddenSize}",
    };

    /// <summary>Why gated cells get no bound.</summary>
    internal const string NoBound = "no bound for gated cells: their Jacobians add the paths diag(f) (LSTM cell) and diag(z) (GRU), so (‖W‖γ)^T does not hold";

    internal static int WriteJacobian(JacobianReport report, string plotPath, bool json, TextWriter output)
    {
        var s = report.Series;
        var c = CultureInfo.InvariantCulture;
        var x = Array.ConvertAll(s.Steps, t => (double)t);
        var lines = new List<LinePlot.Series> { new("‖∂h_T/∂h_0‖", x, s.JacobianNorm) };
        if (s.StateNorm is not null) lines.Add(new LinePlot.Series("‖∂(h, c)_T/∂(h, c)_0‖", x, s.StateNorm));
        if (s.Bound is not null) lines.Add(new LinePlot.Series(string.Create(c, $"bound (‖W‖γ)^T, ‖W‖γ = {s.WeightNorm * s.Gamma!.Value:F3}"), x, s.Bound, Dashed: true));
        LinePlot.Save(plotPath, "Jacobian norm across time: " + report.Source, "T", "spectral norm", lines, logY: true);
        if (json)
        {
            JsonOutput.Write(output, new Dictionary<string, object?>
            {
                ["source"] = report.Source,
                ["checkpoint"] = report.Checkpoint,
                ["weight_norm"] = s.WeightNorm,
                ["gamma"] = s.Gamma,
                ["bound_note"] = s.Bound is null ? NoBound : "(‖W‖γ)^T with W = weight_hh and γ = sup|σ′|",
                ["jacobian"] = s.Steps.Select((t, k) => new Dictionary<string, object?>
                {
                    ["T"] = t,
                    ["jacobian_norm"] = s.JacobianNorm[k],
                    ["bound"] = s.Bound?[k],
                    ["state_norm"] = s.StateNorm?[k],
                }).ToArray(),
                ["plot"] = plotPath,
            });
            return ExitCodes.Success;
        }
        output.WriteLine("Jacobian ∂h_T/∂h_0 of " + report.Source);
        output.WriteLine(s.Gamma is { } g
            ? string.Create(c, $"‖W_hh‖ = {s.WeightNorm:G6}, γ = {g:G3}, ‖W‖γ = {s.WeightNorm * g:G6}")
            : string.Create(c, $"‖W_hh‖ = {s.WeightNorm:G6}; {NoBound}"));
        output.WriteLine(s.StateNorm is null
            ? string.Create(c, $"{"T",6}  {"‖∂h_T/∂h_0‖",14}  {"bound",12}")
            : string.Create(c, $"{"T",6}  {"‖∂h_T/∂h_0‖",14}  {"‖∂(h,c)_T/∂(h,c)_0‖",20}"));
        foreach (int k in Numbers.TableRows(s.Steps))
            output.WriteLine(s.StateNorm is null
                ? string.Create(c, $"{s.Steps[k],6}  {Numbers.Scientific(s.JacobianNorm[k]),14}  {(s.Bound is null ? "—" : Numbers.Scientific(s.Bound[k])),12}")
                : string.Create(c, $"{s.Steps[k],6}  {Numbers.Scientific(s.JacobianNorm[k]),14}  {Numbers.Scientific(s.StateNorm[k]),20}"));
        WriteThinned(output, s.Steps);
        output.WriteLine("plot: " + plotPath);
        return ExitCodes.Success;
    }

    private static Command Gradients()
    {
        var checkpoint = new Option<DirectoryInfo>("--checkpoint") { Description = "A `recur train` run folder", Required = true }.MustBeRunFolder();
        var window = new Option<int>("--window") { Description = "T: tokens per validation window; the loss is that of the last position", DefaultValueFactory = _ => 64 }.AtLeast(1);
        var rows = new Option<int>("--rows") { Description = "Validation streams averaged over", DefaultValueFactory = _ => 16 }.AtLeast(1);
        var plot = new Option<FileInfo>("--plot") { Description = "The PNG to write" }.ShowsDefault("gradients-layer<L>-window<T>.png in the checkpoint folder");
        var json = new Option<bool>("--json") { Description = "Print one JSON object {\"gradients\":[{\"t\",\"distance\",\"mean\",\"min\",\"max\"}], …}" };
        var cmd = new Command("gradients", "‖∂ℓ_T/∂h_t‖ for t = T … 0 on a trained model's validation text: how far back the loss reaches.")
        {
            checkpoint, window, rows, plot, json,
        };
        cmd.SetAction(parse =>
        {
            string dir = parse.GetValue(checkpoint)!.FullName;
            var (model, config) = Checkpoint.LoadModel(dir);
            var validation = Checkpoint.LoadData(config).Validation;
            int t = parse.GetValue(window), b = parse.GetValue(rows);
            if ((long)b * t + 1 > validation.Length)
                throw new InputException("--window", $"the validation text has {validation.Length:N0} tokens, too few for --rows {b} × --window {t}; use a --window of at most {Math.Max(1, (validation.Length - 1) / b):N0} or fewer --rows");
            var flow = GradientsThroughTime.Measure(model, validation, t, b);
            string plotPath = parse.GetValue(plot)?.FullName ?? Path.Combine(dir, $"gradients-layer{flow.Layer}-window{parse.GetValue(window)}.png");
            return WriteGradients(flow, dir, plotPath, parse.GetValue(json), parse.InvocationConfiguration.Output);
        });
        return cmd;
    }

    internal static int WriteGradients(GradientsThroughTime flow, string dir, string plotPath, bool json, TextWriter output)
    {
        var c = CultureInfo.InvariantCulture;
        int window = flow.Steps[0];
        var distance = flow.Steps.Select(t => (double)(window - t)).ToArray();
        LinePlot.Save(plotPath, $"‖∂ℓ_T/∂h_t‖ through time, layer {flow.Layer} ({flow.Rows} validation streams)", "T − t (steps back)", "gradient norm", [
            new LinePlot.Series("mean over streams", distance, flow.MeanNorm),
            new LinePlot.Series("smallest", distance, flow.MinNorm, Dashed: true),
            new LinePlot.Series("largest", distance, flow.MaxNorm, Dashed: true),
        ], logY: true);
        if (json)
        {
            JsonOutput.Write(output, new Dictionary<string, object>
            {
                ["checkpoint"] = dir,
                ["window"] = window,
                ["rows"] = flow.Rows,
                ["layer"] = flow.Layer,
                ["loss"] = flow.MeanLoss,
                ["gradients"] = flow.Steps.Select((t, k) => new Dictionary<string, object>
                {
                    ["t"] = t,
                    ["distance"] = window - t,
                    ["mean"] = flow.MeanNorm[k],
                    ["min"] = flow.MinNorm[k],
                    ["max"] = flow.MaxNorm[k],
                }).ToArray(),
                ["plot"] = plotPath,
            });
            return ExitCodes.Success;
        }
        output.WriteLine(string.Create(c, $"‖∂ℓ_T/∂h_t‖ of {dir}, layer {flow.Layer}: ℓ_T is the loss at the last of T = {window} positions (mean {flow.MeanLoss:F4} nats over {flow.Rows} validation streams)"));
        output.WriteLine(string.Create(c, $"{"t",6}  {"T − t",6}  {"mean",12}  {"smallest",12}  {"largest",12}  {"mean / mean at T",16}"));
        foreach (int k in Numbers.TableRows(flow.Steps))
            output.WriteLine(string.Create(c, $"{flow.Steps[k],6}  {window - flow.Steps[k],6}  {Numbers.Scientific(flow.MeanNorm[k]),12}  {Numbers.Scientific(flow.MinNorm[k]),12}  {Numbers.Scientific(flow.MaxNorm[k]),12}  {Numbers.Scientific(flow.MeanNorm[k] / flow.MeanNorm[0], 3),16}"));
        WriteThinned(output, flow.Steps);
        output.WriteLine("plot: " + plotPath);
        return ExitCodes.Success;
    }

    private static void WriteThinned(TextWriter output, IReadOnlyList<int> steps)
    {
        int shown = Numbers.TableRows(steps).Count();
        if (shown < steps.Count) output.WriteLine($"({shown} of {steps.Count} rows; --json gives every row, the plot shows them all)");
    }
}
