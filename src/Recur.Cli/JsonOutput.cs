using System.Text.Encodings.Web;
using System.Text.Json;

namespace Recur.Cli;

/// <summary>
/// Writes the one JSON object a verb prints with --json (docs/formats.md, JSON outputs): compact, on one line,
/// keys exactly as given, numbers in invariant form, non-ASCII text kept readable.
/// </summary>
internal static class JsonOutput
{
    private static readonly JsonSerializerOptions Options = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Serializes <paramref name="value"/> (typically a dictionary) as one line.</summary>
    public static void Write(TextWriter output, object value)
    {
        output.WriteLine(JsonSerializer.Serialize(value, Options));
    }
}
