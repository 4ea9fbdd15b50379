using System.Text.Json;
using Recur.Tests.LanguageModels.NGrams;
using Recur.Tests.Support;

namespace Recur.Tests.Cli;

/// <summary>`recur ngram train` and `recur ngram eval`, in-process.</summary>
public class NGramCommandTests
{
    private static (int Code, string Out, string Err) Run(params string[] args) => ProgramTests.Run(args);

    private static void AssertBadInput((int Code, string Out, string Err) r, string contains)
    {
        Assert.Equal(2, r.Code);
        Assert.StartsWith("error: ", r.Err);
        Assert.Single(r.Err.TrimEnd().Split('\n'));
        Assert.Contains(contains, r.Err);
    }

    /// <summary>The golden file's training text: varied enough for closed-form discounts at orders 1–4.</summary>
    private static string Corpus()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Golden", "ngram_mkn.json")));
        return string.Join('\n', doc.RootElement.GetProperty("cases")[0].GetProperty("train").EnumerateArray().Select(s => s.GetString())) + "\n";
    }

    [Fact]
    public void TrainThenEval_Json_ReportsPerplexityTokensAndOov()
    {
        using var dir = new TempDirectory();
        string corpus = dir.File("train.txt", Corpus());
        string test = dir.File("test.txt", "w1 w8 w57\nw3 never-seen w22\n\n");
        string arpa = Path.Combine(dir.Path, "m.arpa");
        var train = Run("ngram", "train", "--corpus", corpus, "--order", "3", "--out", arpa, "--json");
        Assert.True(train.Code == 0, train.Err);
        using (var doc = JsonDocument.Parse(train.Out))
        {
            Assert.Equal(3, doc.RootElement.GetProperty("order").GetInt32());
            Assert.Equal(3, doc.RootElement.GetProperty("discounts").GetArrayLength());
            Assert.False(doc.RootElement.GetProperty("discounts")[2].GetProperty("fallback").GetBoolean());
        }
        Assert.StartsWith("\\data\\\nngram 1=", File.ReadAllText(arpa));

        var eval = Run("ngram", "eval", "--model", arpa, "--corpus", test, "--json");
        Assert.True(eval.Code == 0, eval.Err);
        using var result = JsonDocument.Parse(eval.Out);
        Assert.Equal(7, result.RootElement.GetProperty("tokens").GetInt64()); // 6 words − 1 OOV + 2 </s>
        Assert.Equal(1, result.RootElement.GetProperty("oov").GetInt64());
        double ppl = result.RootElement.GetProperty("perplexity").GetDouble();
        double expected = Recur.LanguageModels.NGrams.NGramModel.Load(arpa).Evaluate([["w1", "w8", "w57"], ["w3", "never-seen", "w22"]]).Perplexity;
        Assert.Equal(expected, ppl, 12);

        var human = Run("ngram", "eval", "--model", arpa, "--corpus", test);
        Assert.Equal(0, human.Code);
        Assert.Contains("perplexity:", human.Out);
    }

    [Fact]
    public void Train_TinyCorpus_ExplainsBadDiscounts_FallbackMakesItWork()
    {
        using var dir = new TempDirectory();
        string corpus = dir.File("toy.txt", "a b\na c\nb\n");
        string arpa = Path.Combine(dir.Path, "m.arpa");
        AssertBadInput(Run("ngram", "train", "--corpus", corpus, "--order", "2", "--out", arpa), "--discount-fallback");
        Assert.False(File.Exists(arpa));
        var r = Run("ngram", "train", "--corpus", corpus, "--order", "2", "--out", arpa, "--discount-fallback");
        Assert.True(r.Code == 0, r.Err);
        Assert.Contains("fallback", r.Out);
        Assert.Equal(0, Run("ngram", "train", "--corpus", corpus, "--order", "2", "--out", arpa, "--discount-fallback", "0.7").Code);
        AssertBadInput(Run("ngram", "train", "--corpus", corpus, "--order", "2", "--out", arpa, "--discount-fallback", "1.5"), "0 < Dk");
    }

    [Fact]
    public void Train_BadOptionsAndCorpora_ExitTwoWithOneLine()
    {
        using var dir = new TempDirectory();
        string good = dir.File("good.txt", "a b\n");
        string arpa = Path.Combine(dir.Path, "m.arpa");
        AssertBadInput(Run("ngram", "train", "--corpus", good, "--order", "0", "--out", arpa), "--order");
        AssertBadInput(Run("ngram", "train", "--corpus", good, "--order", "17", "--out", arpa), "at most 16");
        AssertBadInput(Run("ngram", "train", "--corpus", good, "--out", arpa, "--discount-fallback", "0.5", "1", "1.5", "2"), "at most three");
        AssertBadInput(Run("ngram", "train", "--corpus", Path.Combine(dir.Path, "none.txt"), "--out", arpa), "not found");
        AssertBadInput(Run("ngram", "train", "--corpus", dir.File("empty.txt", "\n \n"), "--out", arpa), "no words");
        AssertBadInput(Run("ngram", "train", "--corpus", dir.File("bin.txt", [0x41, 0x0a, 0x00, 0x01]), "--out", arpa), "line 2");
        AssertBadInput(Run("ngram", "train", "--corpus", dir.File("latin1.txt", [0x61, 0x0a, 0x63, 0x61, 0x66, 0xe9, 0x0a]), "--out", arpa), "UTF-8");
        AssertBadInput(Run("ngram", "train", "--corpus", dir.File("markers.txt", "a <s> b\n"), "--out", arpa, "--discount-fallback"), "<s>");
    }

    [Fact]
    public void Eval_BadArpa_ExitTwoNamingTheLine_LenientReadsIt()
    {
        using var dir = new TempDirectory();
        string corpus = dir.File("t.txt", "a b\n");
        string bad = dir.File("bad.arpa", NGramModelTests.TinyArpa.Replace("ngram 2=3", "ngram 2=4"));
        AssertBadInput(Run("ngram", "eval", "--model", bad, "--corpus", corpus), "bad.arpa: line 16");
        var lenient = Run("ngram", "eval", "--model", bad, "--corpus", corpus, "--lenient", "--json");
        Assert.Equal(0, lenient.Code);
        Assert.StartsWith("warning: ", lenient.Err);
        using var doc = JsonDocument.Parse(lenient.Out);
        Assert.Equal(2.0, doc.RootElement.GetProperty("perplexity").GetDouble(), 6);
    }

    [Fact]
    public void Train_OutThatIsTheCorpus_IsRefused_AndTheCorpusKept()
    {
        using var dir = new TempDirectory();
        string corpus = dir.File("c.txt", "a b c\na b\n");
        var (code, _, error) = Run("ngram", "train", "--corpus", corpus, "--out", corpus, "--order", "2", "--discount-fallback");
        Assert.Equal(2, code);
        Assert.Contains("is also an input", error);
        Assert.Equal("a b c\na b\n", File.ReadAllText(corpus));
    }
}
