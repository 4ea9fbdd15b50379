using System.Globalization;
using System.Text;
using Recur.Formats;
using Recur.Reproduce.Claims;

namespace Recur.Reproduce.Report;

/// <summary>One checked claim as the command shows it: the result, how long it took, and the plots drawn for it.</summary>
internal sealed record CheckedClaim(ClaimResult Result, double Seconds, IReadOnlyList<(string Title, string File)> Plots);

/// <summary>
/// Writes report.md: a summary table, then each claim with what was measured, its plots and
/// tables. A run of one claim writes report-ID.md instead, so that it never replaces the full report.
/// </summary>
internal static class ReportWriter
{
    public const string FileName = "report.md";

    /// <summary>report.md, or report-ID.md for a run of the one claim <paramref name="only"/>.</summary>
    public static string Name(string? only) => only is null ? FileName : $"report-{only}.md";

    public static string Write(string folder, IReadOnlyList<CheckedClaim> claims, double seconds, bool quick, string? only = null)
    {
        var c = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        int passed = claims.Count(x => x.Result.Passed);
        md.AppendLine("# Reproducing docs/theory.md");
        md.AppendLine();
        md.AppendLine(string.Create(c, $"`recur reproduce{(quick ? " --quick" : "")}{(only is null ? "" : " --only " + only)}` checked {claims.Count} claims in {seconds:F1} s on {Environment.ProcessorCount} cores ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC): **{passed} PASS, {claims.Count - passed} FAIL**."));
        md.AppendLine("Each check measures what the claim predicts and passes on results, counts and allocations only; run times on a shared machine are reported and plotted with fitted slopes, but never decide a claim.");
        md.AppendLine();
        md.AppendLine("| claim | | status |");
        md.AppendLine("|---|---|---|");
        foreach (var x in claims) md.AppendLine($"| [{x.Result.Id}](#{Anchor(x.Result)}) | {x.Result.Title} | {x.Result.Status} |");
        foreach (var x in claims)
        {
            var r = x.Result;
            md.AppendLine();
            md.AppendLine($"## {r.Id} {r.Title}");
            md.AppendLine();
            md.AppendLine($"**Claim.** {r.Claim}");
            md.AppendLine();
            md.AppendLine("**Measured.**");
            md.AppendLine();
            foreach (string line in r.Measured.Split('\n')) md.AppendLine($"- {line}");
            md.AppendLine();
            md.AppendLine($"**Expected.** {r.Expected}");
            md.AppendLine();
            md.AppendLine(string.Create(c, $"**{r.Status}** ({x.Seconds:F2} s)"));
            if (r.Correction is not null)
            {
                md.AppendLine();
                md.AppendLine($"> **The loose answer, measured.** {r.Correction}");
            }
            foreach (string note in r.Notes)
            {
                md.AppendLine();
                md.AppendLine($"*Note.* {note}");
            }
            foreach (var t in r.Tables)
            {
                md.AppendLine();
                md.AppendLine($"*{t.Title}*");
                md.AppendLine();
                md.AppendLine("| " + string.Join(" | ", t.Header) + " |");
                md.AppendLine("|" + string.Concat(Enumerable.Repeat("---|", t.Header.Length)));
                foreach (var row in t.Rows) md.AppendLine("| " + string.Join(" | ", row) + " |");
            }
            foreach (var (title, file) in x.Plots)
            {
                md.AppendLine();
                md.AppendLine($"![{title}]({file})");
            }
        }
        string path = Path.Combine(folder, Name(only));
        AtomicFile.WriteText(path, md.ToString());
        return path;
    }

    // GitHub's heading anchor: lower case, spaces to hyphens, punctuation dropped.
    private static string Anchor(ClaimResult r)
    {
        var a = new StringBuilder();
        foreach (char ch in $"{r.Id} {r.Title}".ToLowerInvariant())
            if (char.IsLetterOrDigit(ch) || ch == '-') a.Append(ch);
            else if (ch == ' ') a.Append('-');
        return a.ToString();
    }
}
