using System.CommandLine;

namespace Recur.Cli;

/// <summary>
/// Every parse error of a command line in one line, a mistyped command or option named with the
/// nearest valid one ("unknown command 'trian' (did you mean 'train'?)"), so a person fixes
/// everything in one go instead of one error per run.
/// </summary>
internal static class UsageErrors
{
    /// <summary>The errors of <paramref name="parse"/>, joined by "; ", unknown tokens first.</summary>
    public static string Describe(ParseResult parse)
    {
        var command = parse.CommandResult.Command;
        var unmatched = parse.UnmatchedTokens;
        var messages = new List<string>();
        for (int i = 0; i < unmatched.Count; i++)
        {
            messages.Add(Unknown(command, unmatched[i]));
            // The value after an unknown option belongs to it: one mistake, not two.
            if (unmatched[i].StartsWith('-') && i + 1 < unmatched.Count && !unmatched[i + 1].StartsWith('-')
                && Adjacent(parse, unmatched[i], unmatched[i + 1])) i++;
        }
        foreach (var error in parse.Errors)
        {
            string message = Rephrase(error.Message.ReplaceLineEndings(" ").Replace('\t', ' ').Trim());
            // System.CommandLine reports an unknown token as "Unrecognized command or argument 'x'."
            // (said better above), and a mistyped subcommand also as a missing one.
            if (unmatched.Any(t => message.Contains($"'{t}'", StringComparison.Ordinal))) continue;
            if (unmatched.Count > 0 && command.Subcommands.Count > 0 && message.StartsWith("Required command was not provided", StringComparison.Ordinal)) continue;
            messages.Add(message);
        }
        return string.Join("; ", messages.Distinct());
    }

    // Whether b follows a directly on the command line.
    private static bool Adjacent(ParseResult parse, string a, string b)
    {
        var tokens = parse.Tokens.Select(t => t.Value).ToList();
        for (int i = 0; i + 1 < tokens.Count; i++)
            if (tokens[i] == a && tokens[i + 1] == b) return true;
        return false;
    }

    private static readonly System.Text.RegularExpressions.Regex CannotParse =
        new(@"^Cannot parse argument '(.*)' for option '(.*)' as expected type '(.*)'\.?$");

    // System.CommandLine's type errors in a person's words: "--batch: 'x' is not a whole number".
    private static string Rephrase(string message)
    {
        var m = CannotParse.Match(message);
        if (!m.Success) return message;
        string what = m.Groups[3].Value switch
        {
            "System.Int32" or "System.Int64" => "a whole number",
            "System.UInt64" or "System.UInt32" => "a whole number ≥ 0",
            "System.Double" or "System.Single" => "a number",
            "System.Boolean" => "true or false",
            _ => "a valid value",
        };
        return $"{m.Groups[2].Value}: '{m.Groups[1].Value}' is not {what}";
    }

    private static string Unknown(Command command, string token)
    {
        if (token.StartsWith('-') && token.Length > 1)
        {
            var names = Options(command).SelectMany(o => o.Aliases.Prepend(o.Name));
            return $"unknown option '{token}'{Suggest(token.Split('=')[0], names)}";
        }
        if (command.Subcommands.Count > 0)
            return $"unknown command '{token}'{Suggest(token, command.Subcommands.SelectMany(c => c.Aliases.Prepend(c.Name)))}";
        return $"unexpected argument '{token}' (`{command.Name}` takes {(command.Arguments.Count == 0 ? "options only" : "at most " + command.Arguments.Count + " argument" + (command.Arguments.Count == 1 ? "" : "s"))})";
    }

    // The command's options and those its ancestors pass down (--help, --version).
    private static IEnumerable<Option> Options(Command command)
    {
        foreach (var o in command.Options) yield return o;
        foreach (var parent in command.Parents.OfType<Command>())
            foreach (var o in Options(parent))
                if (o.Recursive) yield return o;
    }

    /// <summary>" (did you mean 'x'?)" for the nearest candidate within a typo's distance, or "".</summary>
    internal static string Suggest(string token, IEnumerable<string> candidates)
    {
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (var c in candidates.Distinct())
        {
            int d = Distance(token, c);
            if (d < bestDistance) (best, bestDistance) = (c, d);
        }
        int allowed = Math.Max(1, token.TrimStart('-').Length / 3);
        if (best is not null && bestDistance <= allowed) return $" (did you mean '{best}'?)";
        // A prefix: --hid for --hidden.
        var prefixed = candidates.Where(c => token.Length >= 3 && c.StartsWith(token, StringComparison.Ordinal)).ToList();
        return prefixed.Count == 1 ? $" (did you mean '{prefixed[0]}'?)" : "";
    }

    /// <summary>Optimal string alignment distance: insertions, deletions, substitutions and adjacent transpositions each cost 1.</summary>
    internal static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        return d[a.Length, b.Length];
    }
}
