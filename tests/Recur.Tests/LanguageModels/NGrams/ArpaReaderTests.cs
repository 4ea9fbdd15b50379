using Recur.LanguageModels.NGrams;
using Recur.Tests.Support;

namespace Recur.Tests.LanguageModels.NGrams;

/// <summary>Each rule of docs/formats.md (ARPA), strict and lenient.</summary>
public class ArpaReaderTests
{
    private const string Tiny = NGramModelTests.TinyArpa;

    private static InputException Rejects(string arpa, int line)
    {
        using var dir = new TempDirectory();
        string path = dir.File("bad.arpa", arpa);
        var e = Assert.Throws<InputException>(() => NGramModel.Load(path));
        Assert.Equal($"{path}: line {line}", e.Subject);
        Assert.DoesNotContain('\n', e.Message);
        return e;
    }

    private static (NGramModel Model, List<string> Warnings) Lenient(string arpa)
    {
        var warnings = new List<string>();
        NGramModel model = NGramModelTests.Load(arpa, new ArpaReadOptions { Lenient = true, Warning = warnings.Add });
        return (model, warnings);
    }

    [Fact]
    public void Strict_TextBeforeData_RejectedWithLineOne_LenientSkipsIt()
    {
        string arpa = "# made by a tool\n" + Tiny;
        Assert.Contains("\\data\\", Rejects(arpa, 1).Message);
        var (model, warnings) = Lenient(arpa);
        Assert.Equal(2, model.Order);
        Assert.Single(warnings);
    }

    [Fact]
    public void Strict_CountsNotMatchingSections_Rejected_LenientWarns()
    {
        Assert.Contains("more than the 2", Rejects(Tiny.Replace("ngram 2=3", "ngram 2=2"), 15).Message);
        Assert.Contains("has 3 n-grams but the header announced ngram 2=4", Rejects(Tiny.Replace("ngram 2=3", "ngram 2=4"), 16).Message);
        var (model, warnings) = Lenient(Tiny.Replace("ngram 2=3", "ngram 2=4"));
        Assert.Equal(3, model.NGramCount(2));
        Assert.Contains(warnings, w => w.Contains("ngram 2=4"));
    }

    [Fact]
    public void Strict_SpaceInsteadOfTab_Rejected_LenientAccepts()
    {
        string arpa = Tiny.Replace("-0.3010300\ta b", "-0.3010300 a b");
        Assert.Contains("TAB", Rejects(arpa, 14).Message);
        Assert.Equal(3, Lenient(arpa).Model.NGramCount(2));
        Assert.Contains("single spaces", Rejects(Tiny.Replace("\ta b\n", "\ta  b\n"), 14).Message);
    }

    [Fact]
    public void Strict_WindowsLineEnds_Rejected_LenientAccepts()
    {
        string arpa = Tiny.Replace("\n", "\r\n");
        Assert.Contains("\\r\\n", Rejects(arpa, 1).Message);
        var (model, warnings) = Lenient(arpa);
        AssertClose.Scalar(-0.6020599, model.Score(model.BeginSentenceState, "b", out _).Log10Probability, rtol: 0, atol: 1e-7);
        Assert.Contains(warnings, w => w.Contains("\\r\\n"));
    }

    [Theory]
    [InlineData("nan")]
    [InlineData("inf")]
    [InlineData("-inf")]
    [InlineData("NaN")]
    public void BackoffNotFinite_RejectedEvenWhenLenient(string weight)
    {
        string arpa = Tiny.Replace("a\t-0.1461280", "a\t" + weight);
        Assert.Contains("back-off", Rejects(arpa, 9).Message);
        Assert.Throws<InputException>(() => Lenient(arpa));
    }

    [Fact]
    public void PositiveLogProb_RejectedStrict_ClampedLenient()
    {
        string arpa = Tiny.Replace("-0.3010300\ta b", "0.1\ta b");
        Assert.Contains("IRSTLM", Rejects(arpa, 14).Message);
        var (model, warnings) = Lenient(arpa);
        model.Score(model.NullContextState, "a", out NGramState afterA);
        Assert.Equal(0.0, model.Score(afterA, "b", out _).Log10Probability);
        Assert.Contains(warnings, w => w.Contains("clamped 1"));
    }

    [Fact]
    public void HighestOrderBackoff_RejectedStrict_IgnoredLenient()
    {
        string arpa = Tiny.Replace("-0.3010300\ta b", "-0.3010300\ta b\t-0.5");
        Assert.Contains("highest order", Rejects(arpa, 14).Message);
        Assert.Equal(3, Lenient(arpa).Model.NGramCount(2));
        NGramModelTests.Load(Tiny.Replace("-0.3010300\ta b", "-0.3010300\ta b\t0")); // a zero weight changes nothing
    }

    [Fact]
    public void TextAfterEnd_RejectedStrict_IgnoredLenient()
    {
        Assert.Contains("after \\end\\", Rejects(Tiny + "\nanother model\n", 19).Message);
        Assert.Single(Lenient(Tiny + "another model\n").Warnings);
        NGramModelTests.Load(Tiny + "\n  \n"); // whitespace is fine
    }

    [Fact]
    public void MissingEnd_RejectedStrict_WarnedLenient()
    {
        string truncated = Tiny[..Tiny.IndexOf("\\end\\", StringComparison.Ordinal)];
        Assert.Contains("truncated", Rejects(truncated, 16).Message);
        Assert.Single(Lenient(truncated).Warnings);
    }

    [Fact]
    public void Headers_MustBeExact()
    {
        Assert.Contains("ngram 2=", Rejects(Tiny.Replace("ngram 2=3", "ngram 3=3"), 3).Message);
        Assert.Contains("\\2-grams:", Rejects(Tiny.Replace("\\2-grams:", "\\2-grams"), 12).Message);
        Assert.Contains("\\2-grams:", Rejects(Tiny.Replace("\\2-grams:", "\\3-grams:"), 12).Message);
        Assert.Contains("\\data\\", Rejects(Tiny.Replace("\\data\\", "\\Data\\"), 1).Message);
        Assert.Contains("ngram 1=", Rejects("\\data\\\n\n\\1-grams:\n", 3).Message);
    }

    [Fact]
    public void Entries_WrongWordCountUnknownWordDuplicate_Rejected()
    {
        Assert.Contains("2 word(s)", Rejects(Tiny.Replace("\ta b\n", "\ta\n"), 14).Message);
        Assert.Contains("\"c\"", Rejects(Tiny.Replace("\ta b\n", "\ta c\n"), 14).Message);
        Assert.Contains("second time", Rejects(Tiny.Replace("\ta b\n", "\t<s> a\n"), 14).Message);
        Assert.Contains("second time", Rejects(Tiny.Replace("\tb\t", "\ta\t"), 10).Message);
        Assert.Contains("log10 probability", Rejects(Tiny.Replace("-0.6989700\t</s>", "x\t</s>"), 7).Message);
    }

    [Fact]
    public void MissingSentenceMarkers_Rejected()
    {
        string noEnd = Tiny.Replace("ngram 1=5", "ngram 1=4").Replace("-0.6989700\t</s>\n", "").Replace("-0.3010300\tb </s>\n", "").Replace("ngram 2=3", "ngram 2=2");
        Assert.Contains("</s>", Rejects(noEnd, 5).Message);
    }

    [Fact]
    public void Probabilities_AtMostMinus99_ReadAsZeroProbability()
    {
        NGramModel model = NGramModelTests.Load(Tiny.Replace("-1.0000000\t<unk>", "-120\t<unk>"));
        Assert.Equal(double.NegativeInfinity, model.Score(model.NullContextState, "<unk>", out _).Log10Probability);
        NGramModel inf = NGramModelTests.Load(Tiny.Replace("-1.0000000\t<unk>", "-inf\t<unk>"));
        Assert.Equal(double.NegativeInfinity, inf.Score(inf.NullContextState, "<unk>", out _).Log10Probability);
    }

    [Fact]
    public void GzipFiles_ReadTransparently_WhateverTheirName()
    {
        using var dir = new TempDirectory();
        var plain = NGramModel.Load(dir.File("m.arpa", Tiny));
        var packed = new MemoryStream();
        using (var gz = new System.IO.Compression.GZipStream(packed, System.IO.Compression.CompressionLevel.Optimal, leaveOpen: true))
            gz.Write(System.Text.Encoding.UTF8.GetBytes(Tiny));
        foreach (string name in new[] { "m.arpa.gz", "no-extension" })
        {
            var model = NGramModel.Load(dir.File(name, packed.ToArray()));
            Assert.Equal(plain.Vocabulary.Count, model.Vocabulary.Count);
            Assert.Equal(plain.Score(plain.BeginSentenceState, "a", out _), model.Score(model.BeginSentenceState, "a", out _));
        }
        var broken = Assert.ThrowsAny<Exception>(() => NGramModel.Load(dir.File("bad.arpa.gz", [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])));
        Assert.True(broken is InputException, broken.ToString());
        Assert.True(broken.Message.Contains("gzip", StringComparison.Ordinal), broken.Message);
    }

    [Fact]
    public void CompressedAndBinaryFiles_RejectedWithAdvice()
    {
        using var dir = new TempDirectory();
        var bzip2 = Assert.Throws<InputException>(() => NGramModel.Load(dir.File("m.arpa.bz2", "BZh91AY&SY")));
        Assert.Contains("bunzip2", bzip2.Message);
        var kenlm = Assert.Throws<InputException>(() => NGramModel.Load(dir.File("m.bin", "mmap lm http://kheafield.com/code\0\0")));
        Assert.Contains("KenLM binary", kenlm.Message);
        var nul = Assert.Throws<InputException>(() => NGramModel.Load(dir.File("m.arpa", "\\data\\\nngram 1=1\0\n")));
        Assert.EndsWith("line 2", nul.Subject);
        var latin1 = Assert.Throws<InputException>(() => NGramModel.Load(dir.File("l.arpa", [.. "\\data\\\n"u8, 0xe9, (byte)'\n'])));
        Assert.EndsWith("line 2", latin1.Subject);
        Assert.Contains("UTF-8", latin1.Message);
        Assert.Throws<InputException>(() => NGramModel.Load(dir.File("empty.arpa", "")));
        Assert.Throws<FileNotFoundException>(() => NGramModel.Load(Path.Combine(dir.Path, "missing.arpa")));
    }

    [Fact]
    public void Writer_SrilmAndKenLmBeginSentence_BothReadBack()
    {
        NGramModel model = NGramModelTests.Load(Tiny);
        var srilm = new StringWriter();
        ArpaWriter.Write(model, srilm);
        Assert.Contains("\n-99\t<s>\t-0.0791812\n", srilm.ToString());
        var kenlm = new StringWriter();
        ArpaWriter.Write(model, kenlm, new ArpaWriteOptions { KenLmBeginSentence = true });
        Assert.Contains("\n0\t<s>\t-0.0791812\n", kenlm.ToString());
        Assert.Equal(srilm.ToString(), Tiny.Replace("-0.6989700", "-0.69897").Replace("-1.0000000", "-1").Replace("-0.3979400", "-0.39794")
            .Replace("-0.1461280", "-0.146128").Replace("-0.2041200", "-0.20412").Replace("-0.3010300", "-0.30103"));
        foreach (string text in new[] { srilm.ToString(), kenlm.ToString() })
        {
            NGramModel back = NGramModelTests.Load(text);
            AssertClose.Scalar(-0.6020599, back.Score(back.BeginSentenceState, "b", out _).Log10Probability, rtol: 0, atol: 1e-12);
        }
    }

    /// <summary>tools/golden/ngram_irstlm.sh: a model written by IRSTLM, and the perplexity IRSTLM's own reader gives it.</summary>
    [Fact]
    public void IrstlmModel_ReadStrictly_PerplexityMatchesCompileLm()
    {
        string golden = Path.Combine(AppContext.BaseDirectory, "Golden");
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(golden, "irstlm_order3.json")));
        var expected = doc.RootElement;
        NGramModel model = NGramModel.Load(Path.Combine(golden, "irstlm_order3.arpa"));
        Assert.Equal(3, model.Order);
        string[][] test = expected.GetProperty("test").EnumerateArray().Select(s => s.GetString()!.Split(' ')).ToArray();
        NGramEvaluation e = model.Evaluate(test);
        Assert.Equal(expected.GetProperty("tokens").GetInt64(), e.Tokens);
        Assert.Equal(0, e.Oov);
        // compile-lm prints the perplexity with two decimals.
        AssertClose.Scalar(expected.GetProperty("perplexity").GetDouble(), e.Perplexity, rtol: 0, atol: 0.005);
    }
}
