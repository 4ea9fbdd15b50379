using System.Text.Json;
using Recur.Tests.Support;
using Recur.Text;

namespace Recur.Tests.Cli;

/// <summary>
/// `recur eval` and `recur score` on a small word model trained in-process: the counts and
/// perplexities follow the n-gram tools' conventions, interpolation at λ = 1 and 0 gives each
/// model alone, and every mistake gets exit 2 and one line.
/// </summary>
public sealed class EvalCommandTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly string _train, _test, _dev, _checkpoint, _arpa;

    public EvalCommandTests()
    {
        _train = _dir.File("train.txt", BuiltInCorpus.Generate(400, 5));
        _test = _dir.File("test.txt", BuiltInCorpus.Generate(30, 6) + "the purple elephant .\n");
        _dev = _dir.File("dev.txt", BuiltInCorpus.Generate(30, 7));
        _checkpoint = Path.Combine(_dir.Path, "run");
        var train = Run("train", "--corpus", _train, "--tokenizer", "word", "--embedding", "8", "--hidden", "8", "--batch", "4", "--seq", "8",
            "--steps", "30", "--eval-every", "0", "--threads", "1", "--out", _checkpoint, "--json");
        Assert.True(train.Code == 0, train.Err);
        _arpa = Path.Combine(_dir.Path, "m.arpa");
        var ngram = Run("ngram", "train", "--corpus", _train, "--order", "3", "--out", _arpa, "--discount-fallback");
        Assert.True(ngram.Code == 0, ngram.Err);
    }

    public void Dispose() => _dir.Dispose();

    private static (int Code, string Out, string Err) Run(params string[] args) => ProgramTests.Run(args);

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();

    [Fact]
    public void Eval_CountsLikeTheNGramTools_AndReportsUnknownWords()
    {
        var r = Run("eval", "--checkpoint", _checkpoint, "--corpus", _test, "--json");
        Assert.True(r.Code == 0, r.Err);
        var j = Json(r.Out);
        var ngram = Json(Run("ngram", "eval", "--model", _arpa, "--corpus", _test, "--json").Out);
        // Words and ends, <unk> included: what the n-gram tools count with their OOVs.
        Assert.Equal(ngram.GetProperty("tokens").GetInt64() + ngram.GetProperty("oov").GetInt64(), j.GetProperty("tokens").GetInt64());
        Assert.Equal(2, j.GetProperty("unk").GetInt64());   // "purple elephant"
        double tokens = j.GetProperty("tokens").GetInt64(), logProb = j.GetProperty("log_prob").GetDouble();
        Assert.Equal(Math.Exp(-logProb / tokens), j.GetProperty("perplexity").GetDouble(), 9);
        Assert.Equal(j.GetProperty("perplexity").GetDouble(), j.GetProperty("perplexity_per_word").GetDouble(), 9);   // a word model's tokens are words
        Assert.Equal(-logProb / (j.GetProperty("characters").GetInt64() * Math.Log(2)), j.GetProperty("bits_per_char").GetDouble(), 9);
        var human = Run("eval", "--checkpoint", _checkpoint, "--corpus", _test);
        Assert.Contains("perplexity per token", human.Out);
    }

    [Fact]
    public void Eval_InterpolationAtLambdaOneAndZero_IsEachModelAlone()
    {
        double alone = Json(Run("eval", "--checkpoint", _checkpoint, "--corpus", _test, "--json").Out).GetProperty("perplexity").GetDouble();
        double ngram = Json(Run("ngram", "eval", "--model", _arpa, "--corpus", _test, "--json").Out).GetProperty("perplexity_with_oov").GetDouble();
        var one = Json(Run("eval", "--checkpoint", _checkpoint, "--corpus", _test, "--ngram", _arpa, "--lambda", "1", "--json").Out).GetProperty("interpolated");
        var zero = Json(Run("eval", "--checkpoint", _checkpoint, "--corpus", _test, "--ngram", _arpa, "--lambda", "0", "--json").Out).GetProperty("interpolated");
        Assert.Equal(alone, one.GetProperty("perplexity").GetDouble(), 6);
        Assert.Equal(ngram, zero.GetProperty("perplexity").GetDouble(), 6);
        Assert.Equal(ngram, zero.GetProperty("ngram_perplexity").GetDouble(), 6);
    }

    [Fact]
    public void Eval_LambdaAuto_FitsOnTheDevelopmentText_AndBeatsBothEndsThere()
    {
        var fitted = Json(Run("eval", "--checkpoint", _checkpoint, "--corpus", _dev, "--ngram", _arpa, "--lambda", "auto", "--dev", _dev, "--json").Out).GetProperty("interpolated");
        double lambda = fitted.GetProperty("lambda").GetDouble();
        Assert.InRange(lambda, 0, 1);
        Assert.True(fitted.GetProperty("lambda_fitted").GetBoolean());
        foreach (string end in new[] { "0", "1" })
        {
            double at = Json(Run("eval", "--checkpoint", _checkpoint, "--corpus", _dev, "--ngram", _arpa, "--lambda", end, "--json").Out)
                .GetProperty("interpolated").GetProperty("perplexity").GetDouble();
            Assert.True(fitted.GetProperty("perplexity").GetDouble() <= at * (1 + 1e-6), $"λ* = {lambda} is worse on its own development text than λ = {end}");
        }
    }

    [Theory]
    [InlineData("--lambda", "2", "neither a number in [0, 1] nor auto")]
    [InlineData("--lambda", "auto", "give --dev FILE")]
    public void Eval_BadLambda_ExitsTwo(string option, string value, string why) =>
        ProgramTests.AssertBadInput(Run("eval", "--checkpoint", _checkpoint, "--corpus", _test, "--ngram", _arpa, option, value), why);

    [Fact]
    public void Eval_NGramOverOtherWords_ExitsTwoNamingBothModels()
    {
        string other = Path.Combine(_dir.Path, "other.arpa");
        Assert.Equal(0, Run("ngram", "train", "--corpus", _dir.File("other.txt", "a b c\na b d\nb c d\n"), "--order", "2", "--out", other, "--discount-fallback").Code);
        var r = Run("eval", "--checkpoint", _checkpoint, "--corpus", _test, "--ngram", other);
        ProgramTests.AssertBadInput(r, "different vocabulary");
        Assert.Contains("other.arpa", r.Err);
    }

    [Fact]
    public void Score_PrintsEveryTokenAndSentence_InBothBases()
    {
        var r = Run("score", "--checkpoint", _checkpoint, "--json", _test);
        Assert.True(r.Code == 0, r.Err);
        var j = Json(r.Out);
        var first = j.GetProperty("sentences")[0];
        double ln = first.GetProperty("tokens").EnumerateArray().Sum(t => t.GetProperty("ln").GetDouble());
        Assert.Equal(first.GetProperty("ln").GetDouble(), ln, 6);
        Assert.Equal(first.GetProperty("ln").GetDouble() / Math.Log(10), first.GetProperty("log10").GetDouble(), 6);
        double evalLogProb = Json(Run("eval", "--checkpoint", _checkpoint, "--corpus", _test, "--json").Out).GetProperty("log_prob").GetDouble();
        Assert.Equal(evalLogProb, j.GetProperty("ln").GetDouble(), 3);
        var text = Run("score", "--ngram", _arpa, _test);
        Assert.Contains("Total: log10", text.Out);
        Assert.Contains("</s>", text.Out);
    }

    [Fact]
    public void Score_NBest_ReranksByTheLanguageModel()
    {
        string nbest = _dir.File("nbest.txt",
            "0 ||| circle the red . the ||| tm= -1 ||| -1.0\n" +
            "0 ||| the red circle is above the square . ||| tm= -1.5 ||| -1.5\n" +
            "1 ||| a blue square . ||| tm= -2 ||| -2.0\n");
        Assert.Equal(0, Run("score", "--checkpoint", _checkpoint, "--nbest", nbest).Code);
        var r = Run("score", "--ngram", _arpa, "--nbest", nbest, "--weight", "1");
        Assert.True(r.Code == 0, r.Err);
        var lines = r.Out.TrimEnd().Split('\n');
        Assert.Equal(3, lines.Length);
        Assert.StartsWith("0 ||| the red circle is above the square . ||| tm= -1.5 RecurLM= ", lines[0]);   // the grammatical sentence wins
        Assert.All(lines, l => Assert.Equal(4, l.Split(" ||| ").Length));
        Assert.StartsWith("1 |||", lines[2]);
    }

    [Fact]
    public void Score_BadNBestLine_ExitsTwoNamingFileAndLine()
    {
        string nbest = _dir.File("bad.txt", "0 ||| a b ||| f= 1 ||| -1\n0 ||| missing fields\n");
        var r = Run("score", "--ngram", _arpa, "--nbest", nbest);
        ProgramTests.AssertBadInput(r, "bad.txt: line 2");
    }

    [Theory]
    [InlineData("--tie-weights", "needs the embedding size to equal the hidden size")]
    [InlineData("--softmax adaptive --cutoffs 5,3", "must increase strictly")]
    [InlineData("--softmax adaptive --cutoffs 10,100000", "not below the vocabulary size")]
    [InlineData("--softmax adaptive --tie-weights", "needs the full softmax")]
    [InlineData("--cutoffs 10", "applies to --softmax adaptive only")]
    [InlineData("--softmax adaptive --cutoffs 1,x", "not a comma-separated list")]
    [InlineData("--min-count 2", "applies to --tokenizer word only")]
    public void Train_BadOutputLayerOrVocabularyOptions_ExitTwo(string options, string why)
    {
        string[] args = ["train", "--corpus", _train, "--embedding", "8", "--hidden", "12", "--steps", "2", "--out", Path.Combine(_dir.Path, "x"), .. options.Split(' ')];
        if (!options.Contains("--min-count")) args = [.. args, "--tokenizer", "word"];
        ProgramTests.AssertBadInput(Run(args), why);
    }
}
