using System.Text.Json;

namespace Recur.Formats;

/// <summary>
/// Strict reading of the JSON model files (docs/formats.md, Markov model JSON and Prefix-tree JSON): no
/// comments, no trailing commas, no repeated keys, no unknown keys, exact types. Every
/// problem becomes an <see cref="InputException"/> naming the file and the JSON path
/// (<c>$.logprobs[2][3]</c>) of what is wrong.
/// </summary>
internal static class ModelJson
{
    private static readonly JsonDocumentOptions Options = new()
    {
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
        AllowDuplicateProperties = false,
        MaxDepth = 2048,
    };

    /// <summary>Default JSON reading but for duplicate keys, which are refused (config.json, metrics lines, safetensors headers).</summary>
    internal static readonly JsonDocumentOptions NoDuplicateKeys = new() { AllowDuplicateProperties = false };

    /// <summary>Parses a whole file; the caller disposes the document.</summary>
    public static JsonDocument Parse(string path)
    {
        byte[] bytes = InputFile.ReadAllBytes(path);
        if (System.Text.Unicode.Utf8.IsValid(bytes) is false)
            throw new InputException(path, $"byte {FirstInvalidUtf8(bytes)}: not valid UTF-8; JSON model files are UTF-8 text");
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(bytes, Options);
        }
        catch (JsonException e)
        {
            throw new InputException(path, $"not valid JSON: {e.Message}", e);
        }
        catch (InvalidOperationException e)
        {
            // Raised while comparing keys for duplicates: a key's escape is no Unicode text.
            throw new InputException(path, $"a key holds an escape that is no Unicode text (a lone surrogate such as \\ud800): {e.Message}", e);
        }
        try
        {
            CheckStrings(doc.RootElement, path, "$");
            return doc;
        }
        catch
        {
            doc.Dispose();
            throw;
        }
    }

    // Every string and key must decode: an escape such as \ud800 alone is valid JSON but no
    // Unicode text, and .NET throws when it is read.
    private static void CheckStrings(JsonElement e, string path, string at)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.String:
                Decode(() => e.GetString(), path, at);
                break;
            case JsonValueKind.Array:
                int i = 0;
                foreach (var item in e.EnumerateArray())
                {
                    if (HoldsStrings(item)) CheckStrings(item, path, $"{at}[{i}]");
                    i++;
                }
                break;
            case JsonValueKind.Object:
                foreach (var p in e.EnumerateObject())
                {
                    string name = Decode(() => p.Name, path, at + ".<key>");
                    if (HoldsStrings(p.Value)) CheckStrings(p.Value, path, $"{at}.{name}");
                }
                break;
        }
    }

    // Numbers, booleans and nulls hold no text: a model's V × V numbers get no path built.
    private static bool HoldsStrings(JsonElement e) => e.ValueKind is JsonValueKind.String or JsonValueKind.Array or JsonValueKind.Object;

    private static string Decode(Func<string?> read, string path, string at)
    {
        try
        {
            return read() ?? "";
        }
        catch (InvalidOperationException)
        {
            throw new InputException(path, $"{at}: the string holds an escape that is no Unicode text (a lone surrogate such as \\ud800)");
        }
    }

    // The offset of the first byte that does not start or continue a valid UTF-8 sequence.
    private static long FirstInvalidUtf8(byte[] bytes)
    {
        var status = System.Text.Unicode.Utf8.ToUtf16(bytes, new char[bytes.Length], out int read, out _, replaceInvalidSequences: false);
        return status == System.Buffers.OperationStatus.Done ? bytes.Length : read;
    }

    /// <summary>Rejects keys other than <paramref name="allowed"/>.</summary>
    public static void OnlyKeys(JsonElement obj, string path, string at, params string[] allowed)
    {
        foreach (var p in obj.EnumerateObject())
            if (System.Array.IndexOf(allowed, p.Name) < 0)
                throw new InputException(path, $"{at}: unknown key \"{p.Name}\"; expected {string.Join(", ", allowed.Select(a => $"\"{a}\""))}");
    }

    /// <summary>Checks that <c>$.type</c> is <paramref name="type"/>.</summary>
    public static void ExpectType(JsonElement root, string type, string path)
    {
        string found = String(Required(root, "type", path, "$"), path, "$.type");
        if (found != type) throw new InputException(path, $"$.type: \"{found}\" where \"{type}\" was expected");
    }

    /// <summary>The element must be an object.</summary>
    public static JsonElement Object(JsonElement e, string path, string at) =>
        e.ValueKind == JsonValueKind.Object ? e : throw Bad(path, at, "an object", e);

    /// <summary>A required property.</summary>
    public static JsonElement Required(JsonElement obj, string name, string path, string at) =>
        obj.TryGetProperty(name, out var v) ? v : throw new InputException(path, $"{at}: the key \"{name}\" is missing");

    /// <summary>An optional property (absent or null gives false).</summary>
    public static bool Optional(JsonElement obj, string name, out JsonElement value) =>
        obj.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null;

    /// <summary>A non-empty string.</summary>
    public static string String(JsonElement e, string path, string at)
    {
        if (e.ValueKind != JsonValueKind.String) throw Bad(path, at, "a string", e);
        string s = e.GetString()!;
        return s.Length > 0 ? s : throw new InputException(path, $"{at}: the string is empty");
    }

    /// <summary>An array.</summary>
    public static JsonElement Array(JsonElement e, string path, string at) =>
        e.ValueKind == JsonValueKind.Array ? e : throw Bad(path, at, "an array", e);

    /// <summary>A finite number (JSON has no NaN or infinity; strings such as "NaN" are rejected by name).</summary>
    public static double Number(JsonElement e, string path, string at)
    {
        if (e.ValueKind == JsonValueKind.String && e.GetString() is "NaN" or "Infinity" or "-Infinity" or "+Infinity")
            throw new InputException(path, $"{at}: {e.GetString()} is not a log-probability; use a finite number, or null for probability 0");
        if (e.ValueKind != JsonValueKind.Number) throw Bad(path, at, "a number", e);
        if (!e.TryGetDouble(out double v) || !double.IsFinite(v)) throw new InputException(path, $"{at}: {e.GetRawText()} is out of range");
        return v;
    }

    /// <summary>A type error: what was expected and what was found.</summary>
    public static InputException Bad(string path, string at, string expected, JsonElement found) =>
        new(path, $"{at}: expected {expected}, found {Describe(found)}");

    private static string Describe(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => $"the string \"{e.GetString()}\"",
        JsonValueKind.Number => $"the number {e.GetRawText()}",
        JsonValueKind.True or JsonValueKind.False => e.GetRawText(),
        _ => "null",
    };
}
