using System.Text.Json;
using Recur.Tests.LanguageModels.Files;

namespace Recur.Tests.Cli;

/// <summary>`recur decode` in-process: output, and exit 2 with one line for bad models and options.</summary>
public sealed class DecodeCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("recur-decode-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private const string WorkedTree = """
        {"type":"tree","bos":"<bos>","children":{
          "the":{"logprob":-1.5,"children":{
            "red":{"logprob":-3.1,"children":{"rectangle":{"logprob":-4.5},"circle":{"logprob":-4.8}}},
            "green":{"logprob":-3.4,"children":{"rectangle":{"logprob":-3.3},"ellipse":{"logprob":-3.6}}}}},
          "a":{"logprob":-1.8,"children":{
            "red":{"logprob":-2.7,"children":{"circle":{"logprob":-4.9},"square":{"logprob":-5.1}}},
            "blue":{"logprob":-2.5,"children":{"ellipse":{"logprob":-5.4},"square":{"logprob":-5.0}}}}}}}
        """;

    private string Write(string text, string name)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Theory]
    [InlineData("exact")]
    [InlineData("viterbi")]
    [InlineData("beam")]
    [InlineData("exhaustive")]
    public void Decode_ArpaModel_EveryExactMethodFindsTheBestSentence(string method)
    {
        // docs/formats.md, ARPA worked example: P(</s> | <s>) = 10^(−0.0791812 − 0.69897) = 1/6 beats "a b </s>" (1/8),
        // so the empty sentence is the mode (Stahlberg & Byrne's observation, in miniature).
        string arpa = Write(Recur.Tests.LanguageModels.NGrams.NGramModelTests.TinyArpa, "tiny.arpa");
        var (code, output, error) = ProgramTests.Run("decode", "--model", arpa, "--method", method, "--length", "3", "--beam", "25", "--json");
        Assert.Equal(0, code);
        Assert.Equal("", error);
        var best = JsonDocument.Parse(output).RootElement.GetProperty("sequences")[0];
        Assert.Equal("", best.GetProperty("text").GetString());
        Assert.Equal(Math.Log(1.0 / 6), best.GetProperty("logprob").GetDouble(), 5);
        var (code2, output2, _) = ProgramTests.Run("decode", "--model", arpa, "--method", method, "--length", "3", "--min-length", "1", "--beam", "25", "--json");
        Assert.Equal(0, code2);
        var second = JsonDocument.Parse(output2).RootElement.GetProperty("sequences")[0];
        // "b" (1/4 · 1/2) and "a b" (1/2 · 1/2 · 1/2) tie at 1/8; every method must find one of them.
        Assert.Contains(second.GetProperty("text").GetString(), new[] { "b", "a b" });
        Assert.Equal(Math.Log(0.125), second.GetProperty("logprob").GetDouble(), 5);
    }

    [Theory]
    [InlineData("exact", "the green rectangle", -8.2)]
    [InlineData("greedy", "the red rectangle", -9.1)]
    [InlineData("beam", "the green rectangle", -8.2)]
    [InlineData("exhaustive", "the green rectangle", -8.2)]
    public void Decode_WorkedTree_Json_HasTheDesignFields(string method, string text, double logProb)
    {
        string tree = Write(WorkedTree, "tree.json");
        var (code, output, error) = ProgramTests.Run("decode", "--model", tree, "--method", method, "--length", "4", "--json");
        Assert.Equal(0, code);
        Assert.Equal("", error);
        using var doc = JsonDocument.Parse(output);
        var root = doc.RootElement;
        foreach (string key in new[] { "method", "sequences", "model_calls", "seconds", "expanded" }) Assert.True(root.TryGetProperty(key, out _), key);
        Assert.Equal(method, root.GetProperty("method").GetString());
        var best = root.GetProperty("sequences")[0];
        Assert.Equal(text, best.GetProperty("text").GetString());
        Assert.Equal([.. text.Split(' '), "</s>"], best.GetProperty("tokens").EnumerateArray().Select(t => t.GetString()!));
        Assert.Equal(logProb, best.GetProperty("logprob").GetDouble(), 5);
        Assert.Equal(logProb, best.GetProperty("score").GetDouble(), 5);
        Assert.Single(output.TrimEnd().Split('\n'));
    }

    [Fact]
    public void Decode_TreeWithoutLength_LimitsToItsLongestSequence()
    {
        string tree = Write(WorkedTree, "tree.json");
        var (code, output, _) = ProgramTests.Run("decode", "--model", tree, "--method", "exhaustive");
        Assert.Equal(0, code);
        Assert.Contains("length ≤ 4", output);
        Assert.Contains("-8.2000", output);
    }

    [Fact]
    public void Decode_BeamTwo_HumanView_ListsBothSequences()
    {
        string tree = Write(WorkedTree, "tree.json");
        var (code, output, _) = ProgramTests.Run("decode", "--model", tree, "--beam", "2", "--kbest", "2");
        Assert.Equal(0, code);
        Assert.Contains("a blue square", output);
        Assert.Contains("a red circle", output);
        Assert.Contains("-9.3000", output);
    }

    [Fact]
    public void Decode_MarkovViterbiKBest_AndSampling_Succeed()
    {
        string markov = Write(ModelFilesTests.Markov, "markov.json");
        var (code, output, _) = ProgramTests.Run("decode", "--model", markov, "--method", "viterbi", "--kbest", "3", "--length", "5", "--json");
        Assert.Equal(0, code);
        using var doc = JsonDocument.Parse(output);
        Assert.Equal(3, doc.RootElement.GetProperty("sequences").GetArrayLength());
        var (sampleCode, sampleOutput, _) = ProgramTests.Run("decode", "--model", markov, "--method", "sample", "--kbest", "4", "--seed", "3", "--top-p", "0.9", "--json");
        Assert.Equal(0, sampleCode);
        Assert.Equal(sampleOutput.Split("\"seconds\"")[0], ProgramTests.Run("decode", "--model", markov, "--method", "sample", "--kbest", "4", "--seed", "3", "--top-p", "0.9", "--json").Out.Split("\"seconds\"")[0]);
    }

    public static TheoryData<string[], string> BadOptions => new()
    {
        { ["--beam", "-1"], "--beam must be at least 1" },
        { ["--beam", "0"], "--beam must be at least 1" },
        { ["--length", "0"], "--length must be at least 1" },
        { ["--method", "viterbi"], "not Markov" },
        { ["--method", "frob"], "frob" },
        { ["--kbest", "5", "--beam", "2"], "at most B = 2" },
        { ["--groups", "3", "--beam", "4"], "multiple of the number of groups" },
        { ["--top-p", "0"], "--top-p must be in (0, 1]" },
        { ["--temperature", "0"], "--temperature must be a positive number" },
        { ["--method", "exhaustive", "--length", "30"], "exceed the limit" },
        { ["--method", "exact", "--max-nodes", "2", "--kbest", "3"], "gave up" },
        { ["--min-length", "-2"], "--min-length must be at least 0" },
    };

    [Theory]
    [MemberData(nameof(BadOptions))]
    public void Decode_BadOption_ExitsTwo_WithOneLine(string[] options, string expected)
    {
        string tree = Write(WorkedTree, "tree.json");
        var (code, output, error) = ProgramTests.Run(["decode", "--model", tree, .. options]);
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.StartsWith("error: ", error);
        Assert.Contains(expected, error);
        Assert.Single(error.TrimEnd().Split('\n'));
    }

    public static TheoryData<string, string> BadModels => new()
    {
        { ModelFilesTests.Markov.Replace("-0.5,-1.5", "-0.1,-0.2"), "sums to" },
        { ModelFilesTests.Markov.Replace("\"bos\":\"<bos>\"", "\"bos\":\"<start>\""), "unknown token" },
        { ModelFilesTests.Markov.Replace("-1.5,-2.0", "\"NaN\",-2.0"), "NaN" },
        { ModelFilesTests.Markov.Replace("-1.5,-2.0", "0.5,-2.0"), "must be ≤ 0" },
        { ModelFilesTests.Markov.Replace("[null,-0.5,-1.5,-2.0]", "\"x\""), "$.logprobs[0]: expected an array" },
        { "{not json", "not valid JSON" },
        { "\\data\\", "bad.json: line" },
    };

    [Theory]
    [MemberData(nameof(BadModels))]
    public void Decode_BadModelFile_ExitsTwo_NamingTheFile(string text, string expected)
    {
        string path = Write(text, "bad.json");
        var (code, output, error) = ProgramTests.Run("decode", "--model", path, "--method", "greedy");
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.StartsWith($"error: {path}: ", error);
        Assert.Contains(expected, error);
        Assert.Single(error.TrimEnd().Split('\n'));
    }

    [Fact]
    public void Decode_MissingModel_ExitsTwo()
    {
        var (code, _, error) = ProgramTests.Run("decode", "--model", Path.Combine(_dir, "none.json"));
        Assert.Equal(2, code);
        Assert.Contains("file not found", error);
    }
}
