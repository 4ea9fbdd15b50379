using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Recur.Reproduce.Claims;
using Recur.Reproduce.Report;

namespace Recur.Cli.Commands;

/// <summary>
/// `recur reproduce [--out DIR] [--only ID]`: checks every numbered claim of docs/theory.md (the
/// library's <see cref="Reproduction"/>), prints each claim, what was measured, what was
/// expected and PASS or FAIL, and writes DIR/report.md with the plots. Exit code 1 on any FAIL.
/// </summary>
internal static class ReproduceCommand
{
    public static Command Create()
    {
        var output = new Option<DirectoryInfo>("--out") { Description = "Folder for report.md and the plots" }.ShowsDefault("runs/reproduce");
        var only = new Option<string>("--only") { Description = $"Check one claim ({string.Join(", ", Reproduction.Ids)}); its report is report-ID.md, beside the full report.md" };
        only.Validators.Add(r =>
        {
            string? id = r.GetValueOrDefault<string>();
            if (id is not null && !Reproduction.Ids.Contains(id)) r.AddError($"--only: '{id}' is not a claim of docs/theory.md; choose one of {string.Join(", ", Reproduction.Ids)}");
        });
        var quick = new Option<bool>("--quick") { Description = "Smaller timing sweeps and fewer random trials (the same checks, in a few seconds)" };
        var json = new Option<bool>("--json") { Description = "Print one JSON object {\"claims\":[{\"id\",\"status\",\"measured\",\"expected\"}]}; progress goes to stderr" };
        var cmd = new Command("reproduce", "Check every numbered claim of docs/theory.md, print PASS or FAIL for each, and write a report with plots.")
        {
            output, only, quick, json,
        };
        cmd.SetAction(parse => Run(parse.GetValue(output)?.FullName ?? Path.Combine("runs", "reproduce"), parse.GetValue(only), parse.GetValue(quick),
            parse.GetValue(json), parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error));
        return cmd;
    }

    internal static int Run(string folder, string? only, bool quick, bool json, TextWriter stdout, TextWriter stderr)
    {
        // An unknown id is refused before anything runs or is written.
        var ids = only is null ? Reproduction.Ids : [Reproduction.Require(only)];
        Directory.CreateDirectory(folder);
        var options = new ReproduceOptions { Quick = quick };
        var clock = Stopwatch.StartNew();
        var claims = new List<CheckedClaim>();
        var log = json ? stderr : stdout;
        foreach (string id in ids)
        {
            var started = Stopwatch.GetTimestamp();
            var result = Reproduction.Check(id, options);
            double seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            var claim = new CheckedClaim(result, seconds, ClaimPlots.Draw(result, folder));
            claims.Add(claim);
            if (json) stderr.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{result.Id}] {result.Status} ({seconds:F2} s)"));
            else Print(stdout, claim);
        }
        return Finish(folder, claims, clock.Elapsed.TotalSeconds, quick, json, stdout, log, only);
    }

    /// <summary>Writes the report and the summary; 0 when every claim passed, 1 otherwise.</summary>
    internal static int Finish(string folder, IReadOnlyList<CheckedClaim> claims, double seconds, bool quick, bool json, TextWriter stdout, TextWriter log, string? only = null)
    {
        string report = ReportWriter.Write(folder, claims, seconds, quick, only);
        int failed = claims.Count(c => !c.Result.Passed);
        if (json)
        {
            JsonOutput.Write(stdout, new Dictionary<string, object>
            {
                ["claims"] = claims.Select(c => new Dictionary<string, object>
                {
                    ["id"] = c.Result.Id,
                    ["status"] = c.Result.Status,
                    ["measured"] = c.Result.Measured,
                    ["expected"] = c.Result.Expected,
                    ["title"] = c.Result.Title,
                    ["claim"] = c.Result.Claim,
                    ["seconds"] = Math.Round(c.Seconds, 3),
                    ["plots"] = c.Plots.Select(p => p.File).ToArray(),
                }).ToArray(),
                ["passed"] = claims.Count - failed,
                ["failed"] = failed,
                ["seconds"] = Math.Round(seconds, 2),
                ["report"] = report,
            });
        }
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{claims.Count - failed} of {claims.Count} claims PASS{(failed > 0 ? $", {failed} FAIL" : "")} in {seconds:F1} s; report: {report}"));
        return failed == 0 ? ExitCodes.Success : ExitCodes.CheckFailed;
    }

    private static void Print(TextWriter o, CheckedClaim c)
    {
        var r = c.Result;
        o.WriteLine($"[{r.Id}] {r.Title}");
        Field(o, "claim", r.Claim);
        Field(o, "measured", r.Measured);
        Field(o, "expected", r.Expected);
        if (r.Correction is not null) Field(o, "loose answer", r.Correction);
        foreach (string note in r.Notes) Field(o, "note", note);
        o.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {r.Status} ({c.Seconds:F2} s)"));
        o.WriteLine();
    }

    // "  name:  text", continuation lines aligned under the text.
    private static void Field(TextWriter o, string name, string text)
    {
        string head = $"  {name + ":",-14}";
        var lines = text.Split('\n');
        o.WriteLine(head + lines[0]);
        foreach (string line in lines.Skip(1)) o.WriteLine(new string(' ', head.Length) + line);
    }
}
