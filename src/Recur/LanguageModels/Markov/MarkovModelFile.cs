using System.Text.Json;
using Recur.Formats;
using Recur.Text;

namespace Recur.LanguageModels.Markov;

// N: tokens.

/// <summary>
/// Reads a Markov model file (docs/formats.md, Markov model JSON): <c>{"type":"markov","tokens":[…],"bos":"&lt;bos&gt;",
/// "eos":"&lt;eos&gt;","logprobs":[[…],…]}</c>. Row i of <c>logprobs</c> holds
/// log p(next = j | previous = i) as natural logs, <c>null</c> for probability 0; rows must not
/// sum to more than 1 (tolerance 1e-6). <c>"eos"</c> is optional: it names the end token, whose
/// row must be all null (nothing follows it); without it every sequence runs to the length
/// limit. The begin token's column must be all null (it is never predicted).
/// </summary>
public static class MarkovModelFile
{
    /// <summary>Loads the model; throws <see cref="InputException"/> naming the file and what is wrong.</summary>
    public static MarkovModel Load(string path)
    {
        using var doc = ModelJson.Parse(path);
        return Read(doc.RootElement, path);
    }

    internal static MarkovModel Read(JsonElement root, string path)
    {
        ModelJson.Object(root, path, "$");
        ModelJson.ExpectType(root, "markov", path);
        ModelJson.OnlyKeys(root, path, "$", "type", "tokens", "bos", "eos", "logprobs");
        var tokensElement = ModelJson.Array(ModelJson.Required(root, "tokens", path, "$"), path, "$.tokens");
        var tokens = new List<string>();
        int index = 0;
        foreach (var t in tokensElement.EnumerateArray()) tokens.Add(ModelJson.String(t, path, $"$.tokens[{index++}]"));
        Vocabulary vocabulary;
        try
        {
            vocabulary = new Vocabulary(tokens);
        }
        catch (ArgumentException e)
        {
            throw new InputException(path, $"$.tokens: {e.Message}");
        }
        int n = vocabulary.Count;
        if (n == 0) throw new InputException(path, "$.tokens: the list is empty; it must hold at least the begin token");
        int begin = TokenId(vocabulary, ModelJson.String(ModelJson.Required(root, "bos", path, "$"), path, "$.bos"), path, "$.bos");
        int end = ModelJson.Optional(root, "eos", out var eos) ? TokenId(vocabulary, ModelJson.String(eos, path, "$.eos"), path, "$.eos") : -1;

        var rows = ModelJson.Array(ModelJson.Required(root, "logprobs", path, "$"), path, "$.logprobs");
        if (rows.GetArrayLength() != n) throw new InputException(path, $"$.logprobs: {rows.GetArrayLength()} rows for {n} tokens; there must be one row per token");
        var logProbs = new float[(long)n * n];
        int i = 0;
        foreach (var row in rows.EnumerateArray())
        {
            string at = $"$.logprobs[{i}]";
            ModelJson.Array(row, path, at);
            if (row.GetArrayLength() != n) throw new InputException(path, $"{at}: {row.GetArrayLength()} entries for {n} tokens; each row needs one per token");
            int j = 0;
            foreach (var v in row.EnumerateArray())
            {
                logProbs[(long)i * n + j] = v.ValueKind == JsonValueKind.Null ? float.NegativeInfinity : (float)ModelJson.Number(v, path, $"{at}[{j}]");
                j++;
            }
            i++;
        }
        try
        {
            return new MarkovModel(vocabulary, begin, end, logProbs);
        }
        catch (ArgumentException e)
        {
            throw new InputException(path, $"$.logprobs: {e.Message}");
        }
    }

    private static int TokenId(Vocabulary vocabulary, string token, string path, string at)
    {
        int id = vocabulary.IndexOf(token);
        return id >= 0 ? id : throw new InputException(path, $"{at}: unknown token \"{token}\"; it must be one of $.tokens");
    }
}
