using Recur.LanguageModels.Files;
using Recur.LanguageModels.Markov;
using Recur.LanguageModels.PrefixTrees;

namespace Recur.Tests.LanguageModels.Files;

public sealed class ModelFilesTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("recur-models-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    internal const string Markov = """
        {"type":"markov","tokens":["<bos>","a","b","<eos>"],"bos":"<bos>","eos":"<eos>",
         "logprobs":[[null,-0.5,-1.5,-2.0],[null,-1.0,-1.0,-1.5],[null,-0.1,null,-3.0],[null,null,null,null]]}
        """;

    internal const string Tree = """
        {"type":"tree","bos":"<bos>","children":{"the":{"logprob":-1.5,"children":{"end":{"logprob":-0.1}}},"a":{"logprob":-1.8}}}
        """;

    private string Write(string text, string name = "model.json")
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Load_Markov_ReadsTokensEndAndNullsAsZero()
    {
        var m = Assert.IsType<MarkovModel>(LanguageModelFiles.Load(Write(Markov)));
        Assert.Equal(4, m.Vocabulary.Count);
        Assert.Equal(3, m.EndToken);
        Assert.Equal(float.NegativeInfinity, m.Row(2)[2]);
        Assert.Equal(-0.1f, m.Row(2)[1]);
    }

    [Fact]
    public void Load_MarkovWithoutEos_HasNoEndToken()
    {
        string text = """{"type":"markov","tokens":["<bos>","a"],"bos":"<bos>","logprobs":[[null,0],[null,0]]}""";
        Assert.Equal(-1, LanguageModelFiles.Load(Write(text)).EndToken);
    }

    [Fact]
    public void Load_Tree_BuildsThePrefixTree()
    {
        var m = Assert.IsType<PrefixTreeModel>(LanguageModelFiles.Load(Write(Tree)));
        Assert.Equal(["<bos>", "the", "a", "end", "</s>"], m.Vocabulary.Tokens);
    }

    public static TheoryData<string, string> BadFiles => new()
    {
        { Markov.Replace("-0.5,-1.5", "-0.1,-0.2"), "sums to" },
        { Markov.Replace("\"eos\":\"<eos>\"", "\"eos\":\"<end>\""), "unknown token \"<end>\"" },
        { Markov.Replace("\"bos\":\"<bos>\"", "\"bos\":\"x\""), "$.bos: unknown token" },
        { Markov.Replace("-1.5,-2.0", "\"NaN\",-2.0"), "NaN is not a log-probability" },
        { Markov.Replace("-1.5,-2.0", "1.5,-2.0"), "must be ≤ 0" },
        { Markov.Replace("-1.5,-2.0", "\"x\",-2.0"), "$.logprobs[0][2]: expected a number" },
        { Markov.Replace("-1.5,-2.0", "1e400,-2.0"), "out of range" },
        { Markov.Replace("[null,-0.1,null,-3.0]", "[null,-0.1,null]"), "$.logprobs[2]: 3 entries for 4 tokens" },
        { Markov.Replace(",[null,null,null,null]", ""), "3 rows for 4 tokens" },
        { Markov.Replace("\"tokens\":[\"<bos>\",\"a\",\"b\",\"<eos>\"]", "\"tokens\":\"abc\""), "$.tokens: expected an array, found the string" },
        { Markov.Replace("\"b\",\"<eos>\"]", "\"a\",\"<eos>\"]"), "appears twice" },
        { Markov.Replace("\"type\":\"markov\",", "\"type\":\"markov\",\"extra\":1,"), "unknown key \"extra\"" },
        { Markov.Replace("\"type\":\"markov\"", "\"type\":\"hmm\""), "unknown model type \"hmm\"" },
        { Markov.Replace("[null,null,null,null]", "[null,-1,null,null]"), "nothing follows the end token" },
        { Markov.Replace("[null,-0.5", "[-0.5,-0.5"), "never predicted" },
        { Markov[..^5], "not valid JSON" },
        { Tree.Replace("-1.8", "0.2"), "positive" },
        { Tree.Replace("\"logprob\":-1.8", "\"prob\":0.2"), "unknown key \"prob\"" },
        { Tree.Replace("{\"logprob\":-1.8}", "{\"children\":{}}"), "\"logprob\" is missing" },
        { Tree.Replace("{\"logprob\":-1.8}", "[1]"), "$.children.a: expected an object, found an array" },
        { Tree.Replace("\"a\":{\"logprob\":-1.8}", "\"a\":{\"logprob\":-1.8},\"a\":{\"logprob\":-2}"), "not valid JSON" },
        { Tree.Replace("-1.5", "-0.1").Replace("-1.8", "-0.2"), "sum to" },
        { "", "is empty" },
        { "\\data\\\nngram 1=2\n", "expected the section header" },
    };

    [Theory]
    [MemberData(nameof(BadFiles))]
    public void Load_BadFile_ThrowsInputExceptionNamingFileAndProblem(string text, string expected)
    {
        string path = Write(text);
        var e = Assert.Throws<InputException>(() => LanguageModelFiles.Load(path));
        Assert.StartsWith(path, e.Subject); // ARPA errors add ": line L"
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Load_MissingFile_ThrowsFileNotFound()
    {
        Assert.Throws<FileNotFoundException>(() => LanguageModelFiles.Load(Path.Combine(_dir, "nope.json")));
    }

    [Fact]
    public void TypedLoaders_RejectTheOtherType()
    {
        Assert.Contains("\"markov\" was expected", Assert.Throws<InputException>(() => MarkovModelFile.Load(Write(Tree))).Message);
        Assert.Contains("\"tree\" was expected", Assert.Throws<InputException>(() => PrefixTreeFile.Load(Write(Markov))).Message);
    }
}
