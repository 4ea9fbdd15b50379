using Recur.Formats;
using Recur.LanguageModels.Markov;
using Recur.LanguageModels.NGrams;
using Recur.LanguageModels.PrefixTrees;

namespace Recur.LanguageModels.Files;

/// <summary>
/// Loads any explicit model `recur decode` reads, by what the file holds: a JSON object with
/// <c>"type"</c> "markov" (<see cref="MarkovModelFile"/>) or "tree" (<see cref="PrefixTreeFile"/>),
/// or an ARPA back-off n-gram model (<see cref="ArpaReader"/>; text before <c>\data\</c> is
/// allowed, as in KenLM and SRILM files, so anything not JSON is read as ARPA).
/// </summary>
public static class LanguageModelFiles
{
    /// <summary>The formats this dispatch reads, for messages.</summary>
    public const string Formats = "a JSON Markov model ({\"type\":\"markov\",…}), a JSON prefix tree ({\"type\":\"tree\",…}) or an ARPA n-gram model";

    /// <summary>Loads the model in <paramref name="path"/>; throws <see cref="InputException"/> when it is none of <see cref="Formats"/>.</summary>
    public static ILanguageModel Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path)) throw new FileNotFoundException($"Model file not found: {path}", path);
        return FirstCharacter(path) switch
        {
            '{' => LoadJson(path),
            -1 => throw new InputException(path, $"is empty; expected {Formats}"),
            0 => throw new InputException(path, $"looks like a binary file (it starts with a NUL byte); expected {Formats}"),
            _ => NGramModel.Load(path),
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

    // The first character that is not white space (or a byte-order mark), or -1 for an empty
    // file; the look stops after 1 MiB of white space (an ARPA reader then names the problem).
    private static int FirstCharacter(string path)
    {
        using var reader = new StreamReader(Recur.Formats.InputFile.OpenRead(path), detectEncodingFromByteOrderMarks: true);
        int c;
        for (int read = 0; (c = reader.Read()) >= 0; read++)
            if (!char.IsWhiteSpace((char)c) || read > 1 << 20) return c;
        return -1;
    }
}
