using System.Text.Json;
using Recur.Tests.Support;
using Recur.Tests.Tagging;

namespace Recur.Tests.Cli;

/// <summary>`recur tag train`, `recur tag eval` and `recur tag`, in-process.</summary>
public class TagCommandTests
{
    private static (int Code, string Out, string Err) Run(params string[] args) => ProgramTests.Run(args);

    private static void AssertBadInput((int Code, string Out, string Err) r, string contains) => ProgramTests.AssertBadInput(r, contains);

    private static string Brown(IEnumerable<Recur.Text.TaggedSentence> sentences) =>
        string.Concat(sentences.Select(s => "\n\n\t" + string.Join(' ', s.Words.Zip(s.Tags, (w, t) => $"{w}/{t}")) + "\n"));

    [Fact]
    public void TrainEvalTag_HandMadeCorpus_Json()
    {
        using var dir = new TempDirectory();
        var corpus = HmmTaggerTests.Corpus();
        string a = dir.File("ca01", Brown(corpus.Take(8)));
        string b = dir.File("ca02", Brown(corpus.Skip(8)));
        string model = Path.Combine(dir.Path, "m.tagger");
        var train = Run("tag", "train", "--corpus", a, b, "--out", model, "--json");
        Assert.True(train.Code == 0, train.Err);
        using (var doc = JsonDocument.Parse(train.Out))
        {
            Assert.Equal(corpus.Count, doc.RootElement.GetProperty("sentences").GetInt64());
            Assert.Equal(3, doc.RootElement.GetProperty("lambdas").GetArrayLength());
        }

        string test = dir.File("test", "\tthe/at cat/nn can/md run/vb ./.\n\n\ta/at big/jj can/nn ./.\n\n\tSusan/np saw/vbd a/at dog/nn ./.\n");
        var eval = Run("tag", "eval", "--model", model, "--corpus", test, "--json");
        Assert.True(eval.Code == 0, eval.Err);
        using (var doc = JsonDocument.Parse(eval.Out))
        {
            var r = doc.RootElement;
            Assert.Equal(14, r.GetProperty("tokens").GetInt64());
            Assert.Equal(1, r.GetProperty("unknown_tokens").GetInt64());
            Assert.Equal(1.0, r.GetProperty("accuracy").GetDouble());
            Assert.Equal(1.0, r.GetProperty("known_accuracy").GetDouble());
            Assert.Equal(1.0, r.GetProperty("unknown_accuracy").GetDouble());
            Assert.True(r.GetProperty("tokens_per_s").GetDouble() > 0);
        }
        var baseline = Run("tag", "eval", "--model", model, "--corpus", test, "--most-frequent");
        Assert.True(baseline.Code == 0, baseline.Err);
        Assert.Contains("most-frequent", baseline.Out);
        Assert.Contains("accuracy 92.86%", baseline.Out);   // 13 of 14: "can" is md and nn three times each; the tie gives md, wrong after "big"

        string text = dir.File("plain.txt", "the cat can run .\n\n  Susan saw  a dog .\n");
        var tagged = Run("tag", "--model", model, text);
        Assert.True(tagged.Code == 0, tagged.Err);
        Assert.Equal("the/at cat/nn can/md run/vb ./.\n\nSusan/np saw/vbd a/at dog/nn ./.\n", tagged.Out.ReplaceLineEndings("\n"));

        // Raw text: punctuation is split off as Brown does; --json gives a line per sentence.
        string raw = dir.File("raw.txt", "the cat can run.\nSusan saw a dog.\n");
        tagged = Run("tag", "--model", model, raw, "--json");
        Assert.True(tagged.Code == 0, tagged.Err);
        var sentences = tagged.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, sentences.Length);
        using (var doc = JsonDocument.Parse(sentences[1]))
        {
            Assert.Equal(["Susan", "saw", "a", "dog", "."], doc.RootElement.GetProperty("words").EnumerateArray().Select(w => w.GetString()));
            Assert.Equal(["np", "vbd", "at", "nn", "."], doc.RootElement.GetProperty("tags").EnumerateArray().Select(w => w.GetString()));
        }
        tagged = Run("tag", "--model", model, raw, "--pretokenized");
        Assert.StartsWith("the/at cat/nn can/md run./", tagged.Out);   // "run." is one (unknown) word when the text is taken as tokenized

        // Per-tag accuracy and the confusions, from the baseline's one error.
        baseline = Run("tag", "eval", "--model", model, "--corpus", test, "--most-frequent", "--json");
        using (var doc = JsonDocument.Parse(baseline.Out))
        {
            var nn = doc.RootElement.GetProperty("per_tag").EnumerateArray().Single(t => t.GetProperty("tag").GetString() == "nn");
            Assert.Equal(3, nn.GetProperty("tokens").GetInt64());
            Assert.Equal(2, nn.GetProperty("correct").GetInt64());
            var confusion = Assert.Single(doc.RootElement.GetProperty("confusions").EnumerateArray());
            Assert.Equal("nn", confusion.GetProperty("gold").GetString());
            Assert.Equal("md", confusion.GetProperty("predicted").GetString());
            Assert.Equal(1, confusion.GetProperty("count").GetInt64());
        }
        var human = Run("tag", "eval", "--model", model, "--corpus", test, "--most-frequent");
        Assert.Contains("most frequent confusions (of 1 errors", human.Out);
    }

    [Fact]
    public void Train_MalformedCorpusLine_ExitsTwoNamingFileAndLine()
    {
        using var dir = new TempDirectory();
        string bad = dir.File("cb07", "\tthe/at dog/nn\n\n\tthe/at dog\n");
        AssertBadInput(Run("tag", "train", "--corpus", bad, "--out", Path.Combine(dir.Path, "m")), $"{bad}: line 3: token 2 \"dog\" has no '/'");
        Assert.False(File.Exists(Path.Combine(dir.Path, "m")));
    }

    [Fact]
    public void Eval_MalformedCorpusOrModel_ExitsTwoNamingFileAndLine()
    {
        using var dir = new TempDirectory();
        string model = Path.Combine(dir.Path, "m.tagger");
        Recur.Tagging.HmmTagger.Train(HmmTaggerTests.Corpus()).Save(model);
        string bad = dir.File("bad", "the/at dog/\n");
        AssertBadInput(Run("tag", "eval", "--model", model, "--corpus", bad), $"{bad}: line 1: token 2 \"dog/\" has no tag");

        string notModel = dir.File("lm.arpa", "\\data\\\nngram 1=3\n");
        string good = dir.File("good", "the/at dog/nn\n");
        AssertBadInput(Run("tag", "eval", "--model", notModel, "--corpus", good), $"{notModel}: line 1: is not a Recur tagger model");
        AssertBadInput(Run("tag", "--model", notModel, good), $"{notModel}: line 1");

        string newer = dir.File("newer.tagger", File.ReadAllText(model).Replace("recur-tagger 2", "recur-tagger 9"));
        AssertBadInput(Run("tag", "--model", newer, good), "format 9");
    }

    [Fact]
    public void Usage_MissingOrBadOptions_ExitTwo()
    {
        using var dir = new TempDirectory();
        string good = dir.File("good", "the/at dog/nn\n");
        AssertBadInput(Run("tag"), "--model");
        AssertBadInput(Run("tag", "train", "--corpus", good, "--out", Path.Combine(dir.Path, "m"), "--order", "4"), "--order must be 2 or 3");
        AssertBadInput(Run("tag", "train", "--corpus", good, "--out", Path.Combine(dir.Path, "m"), "--suffix-theta", "-1"), "--suffix-theta");
        AssertBadInput(Run("tag", "train", "--corpus", Path.Combine(dir.Path, "none"), "--out", Path.Combine(dir.Path, "m")), "not found");
        AssertBadInput(Run("tag", "eval", "--model", Path.Combine(dir.Path, "none"), "--corpus", good), "not found");
        AssertBadInput(Run("tag", "--model", Path.Combine(dir.Path, "none")), "not found");
    }

    [Fact]
    public void Train_OutThatIsTheCorpus_IsRefused_AndTheCorpusKept()
    {
        using var dir = new TempDirectory();
        string corpus = dir.File("b.txt", "The/at dog/nn ran/vbd ./.\n");
        var (code, _, error) = ProgramTests.Run("tag", "train", "--corpus", corpus, "--out", corpus);
        Assert.Equal(2, code);
        Assert.Contains("is also an input", error);
        Assert.Equal("The/at dog/nn ran/vbd ./.\n", File.ReadAllText(corpus));
    }
}
