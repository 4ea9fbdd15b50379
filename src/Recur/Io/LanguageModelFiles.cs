using System.Text.Json;
using Recur.LanguageModels;

namespace Recur.Io;

/// <summary>
/// Loads any explicit model `recur decode` reads, by what the file holds: a JSON object with
/// <c>"type"</c> "markov" (<see cref="MarkovModelFile"/>) or "tree" (<see cref="PrefixTreeFile"/>).
/// New formats (the ARPA n-gram format) join <see cref="Load"/>'s dispatch.
/// </summary>
public static class LanguageModelFiles
{
    /// <summary>The formats this dispatch reads, for messages.</summary>
    public const string Formats = "a JSON Markov model ({\"type\":\"markov\",…}) or prefix tree ({\"type\":\"tree\",…})";

    /// <summary>Loads the model in <paramref name="path"/>; throws <see cref="InputException"/> when it is none of <see cref="Formats"/>.</summary>
    public static ILanguageModel Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"Model file not found: {path}", path);
        return FirstCharacter(path) switch
        {
            '{' => LoadJson(path),
            _ => throw new InputException(path, $"not a model file Recur reads; expected {Formats}"),
        };
    }

    private static ILanguageModel LoadJson(string path)
    {
        using var doc = ModelJson.Parse(path);
        var root = ModelJson.Object(doc.RootElement, path, "$");
        string type = ModelJson.String(ModelJson.Required(root, "type", path, "$"), path, "$.type");
        return type switch
        {
            "markov" => MarkovModelFile.Read(root, path),
            "tree" => PrefixTreeFile.Read(root, path),
            _ => throw new InputException(path, $"$.type: unknown model type \"{type}\"; expected \"markov\" or \"tree\""),
        };
    }

    // The first character that is not white space (or a byte-order mark), or '\0' for an empty file.
    private static char FirstCharacter(string path)
    {
        using var reader = new StreamReader(path, detectEncodingFromByteOrderMarks: true);
        int c;
        while ((c = reader.Read()) >= 0)
            if (!char.IsWhiteSpace((char)c)) return (char)c;
        return '\0';
    }
}
