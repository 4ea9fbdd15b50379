using System.Text.Json;
using Recur.Formats;

namespace Recur.LanguageModels.PrefixTrees;

/// <summary>
/// Reads a prefix-tree model file (docs/formats.md, Prefix-tree JSON): <c>{"type":"tree","bos":"&lt;bos&gt;",
/// "children":{"the":{"logprob":-1.5,"children":{…}},…}}</c>, with an optional <c>"eos"</c>
/// naming the end token (default <c>&lt;/s&gt;</c>). Unlisted continuations have probability 0;
/// a node without children ends the sequence (the end token follows with probability 1); a
/// child named after the end token ends it with its own probability.
/// </summary>
public static class PrefixTreeFile
{
    /// <summary>Loads the model; throws <see cref="InputException"/> naming the file and what is wrong.</summary>
    public static PrefixTreeModel Load(string path)
    {
        using var doc = ModelJson.Parse(path);
        return Read(doc.RootElement, path);
    }

    internal static PrefixTreeModel Read(JsonElement root, string path)
    {
        ModelJson.Object(root, path, "$");
        ModelJson.ExpectType(root, "tree", path);
        ModelJson.OnlyKeys(root, path, "$", "type", "bos", "eos", "children");
        string begin = ModelJson.String(ModelJson.Required(root, "bos", path, "$"), path, "$.bos");
        string end = ModelJson.Optional(root, "eos", out var eos) ? ModelJson.String(eos, path, "$.eos") : PrefixTreeModel.DefaultEndToken;
        var children = Children(ModelJson.Required(root, "children", path, "$"), path, "$.children");
        try
        {
            return new PrefixTreeModel(begin, children, end);
        }
        catch (ArgumentException e)
        {
            throw new InputException(path, e.Message);
        }
    }

    private static List<TreeBranch> Children(JsonElement obj, string path, string at)
    {
        ModelJson.Object(obj, path, at);
        var branches = new List<TreeBranch>();
        foreach (var p in obj.EnumerateObject())
        {
            string here = $"{at}.{p.Name}";
            var node = ModelJson.Object(p.Value, path, here);
            ModelJson.OnlyKeys(node, path, here, "logprob", "children");
            double lp = ModelJson.Number(ModelJson.Required(node, "logprob", path, here), path, $"{here}.logprob");
            var kids = ModelJson.Optional(node, "children", out var c) ? Children(c, path, $"{here}.children") : [];
            branches.Add(new TreeBranch(p.Name, lp, kids));
        }
        return branches;
    }
}
