using Recur.Tagging;
using Recur.Tests.Support;

namespace Recur.Tests.Tagging;

/// <summary>The versioned tagger file: a round trip keeps every decision; damage is reported with file and line.</summary>
public class HmmTaggerFileTests
{
    private static string Saved(TempDirectory dir, HmmTaggerOptions? options = null)
    {
        string path = Path.Combine(dir.Path, "m.tagger");
        HmmTagger.Train(HmmTaggerTests.Corpus(), options).Save(path);
        return path;
    }

    [Fact]
    public void SaveLoad_RoundTrip_TagsAlikeAndKeepsTheOptions()
    {
        using var dir = new TempDirectory();
        var options = new HmmTaggerOptions { Order = 2, SuffixLength = 4, RareWordCount = 3, Capitalization = false, BaseForms = false, RareWordSmoothing = 0.25 };
        HmmTagger trained = HmmTagger.Train(HmmTaggerTests.Corpus(), options);
        string path = Path.Combine(dir.Path, "m.tagger");
        trained.Save(path);
        HmmTagger loaded = HmmTagger.Load(path);
        Assert.Equal(trained.Options, loaded.Options);
        Assert.Equal(trained.Tags, loaded.Tags);
        Assert.Equal(trained.Weights, loaded.Weights);
        Assert.StartsWith("recur-tagger 2\norder 2\n", File.ReadAllText(path));
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp"));
        var (a, b) = (new TagDecoder(trained), new TagDecoder(loaded));
        foreach (string sentence in new[] { "the cat can run .", "Susan saw 3/4 zorbs .", "a big can ." })
        {
            string[] words = sentence.Split(' ');
            var (ta, tb) = (new int[words.Length], new int[words.Length]);
            Assert.Equal(a.Tag(words, ta), b.Tag(words, tb));
            Assert.Equal(ta, tb);
        }
        // Saving what was loaded writes the same bytes.
        string again = Path.Combine(dir.Path, "again.tagger");
        loaded.Save(again);
        Assert.Equal(File.ReadAllBytes(path), File.ReadAllBytes(again));
    }

    [Fact]
    public void Load_CrossValidatedTheta_IsStoredNotRecomputed()
    {
        using var dir = new TempDirectory();
        string path = Saved(dir);
        HmmTagger loaded = HmmTagger.Load(path);
        Assert.NotNull(loaded.Options.SuffixTheta);
        Assert.Contains($"suffix-theta {loaded.Options.SuffixTheta!.Value.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}\n", File.ReadAllText(path));
    }

    // Replaces line `number` (1-based) of the saved model.
    private static string Damaged(TempDirectory dir, int number, string replacement)
    {
        var lines = File.ReadAllText(Saved(dir)).Split('\n');
        lines[number - 1] = replacement;
        return dir.File("damaged.tagger", string.Join('\n', lines));
    }

    [Fact]
    public void Load_FormatOne_KeepsTheBehaviourItWasEvaluatedWith()
    {
        using var dir = new TempDirectory();
        var lines = File.ReadAllText(Saved(dir)).Split('\n').ToList();
        Assert.StartsWith("base-form-suffix-weight ", lines[8]);
        Assert.StartsWith("unknown-prior-exponent ", lines[9]);
        lines.RemoveRange(8, 2);
        lines[0] = "recur-tagger 1";
        var old = HmmTagger.Load(dir.File("old.tagger", string.Join('\n', lines)));
        Assert.Equal(0, old.Options.BaseFormSuffixWeight);
        Assert.Equal(1, old.Options.UnknownPriorExponent);
    }

    [Theory]
    [InlineData(1, "\\data\\", "line 1", "not a Recur tagger model")]
    [InlineData(1, "recur-tagger 3", "line 1", "format 3")]
    [InlineData(2, "order 5", "line 2", "whole number in [2, 3]")]
    [InlineData(6, "suffix-theta -1", "line 6", "suffix-theta <number ≥ 0>")]
    [InlineData(9, "base-form-suffix-weight -1", "line 9", "base-form-suffix-weight <number ≥ 0>")]
    [InlineData(11, "tags x", "line 11", "whole number")]
    [InlineData(13, ".", "line 13", "listed twice")]
    public void Load_DamagedHeader_NamesFileAndLine(int number, string replacement, string line, string why)
    {
        using var dir = new TempDirectory();
        string path = Damaged(dir, number, replacement);
        var e = Assert.Throws<InputException>(() => HmmTagger.Load(path));
        Assert.Equal($"{path}: {line}", e.Subject);
        Assert.Contains(why, e.Message);
    }

    [Fact]
    public void Load_AHugeLexiconCount_AllocatesNothingForIt_AndEndsEarly()
    {
        using var dir = new TempDirectory();
        var lines = File.ReadAllText(Saved(dir)).Split('\n');
        int lexicon = Array.FindIndex(lines, l => l.StartsWith("lexicon ", StringComparison.Ordinal));
        lines[lexicon] = "lexicon 2147483647";
        string path = dir.File("huge.tagger", string.Join('\n', lines));
        long before = GC.GetTotalAllocatedBytes(precise: true);
        var e = Assert.Throws<InputException>(() => HmmTagger.Load(path));
        Assert.Contains("lexicon entry", e.Message);
        Assert.InRange(GC.GetTotalAllocatedBytes(precise: true) - before, 0, 64L << 20);
    }

    [Fact]
    public void Load_CountsWhoseSumOverflows_AreRefused()
    {
        using var dir = new TempDirectory();
        var lines = File.ReadAllText(Saved(dir)).Split('\n');
        int trigrams = Array.FindIndex(lines, l => l.StartsWith("trigrams ", StringComparison.Ordinal));
        for (int i = trigrams + 1; i <= trigrams + 3; i++)
        {
            var f = lines[i].Split(' ');
            lines[i] = $"{f[0]} {f[1]} {f[2]} {1L << 52}";
        }
        string path = dir.File("overflow.tagger", string.Join('\n', lines));
        var e = Assert.Throws<InputException>(() => HmmTagger.Load(path));
        Assert.Equal($"{path}: line {trigrams + 4}", e.Subject);
        Assert.Contains("sum past", e.Message);
    }

    [Fact]
    public void Load_DamagedBody_NamesFileAndLine()
    {
        using var dir = new TempDirectory();
        string text = File.ReadAllText(Saved(dir));
        var lines = text.Split('\n');
        int trigrams = Array.FindIndex(lines, l => l.StartsWith("trigrams ", StringComparison.Ordinal)) + 1;   // 1-based number of the header line

        string Write(string name, string[] l) => dir.File(name, string.Join('\n', l));
        string[] Edit(int number, string value) { var copy = (string[])lines.Clone(); copy[number - 1] = value; return copy; }

        string bad = Write("bad-count.tagger", Edit(trigrams + 1, "0 1 2 zero"));
        var e = Assert.Throws<InputException>(() => HmmTagger.Load(bad));
        Assert.Equal($"{bad}: line {trigrams + 1}", e.Subject);

        int bos = 2 * int.Parse(lines[10].Split(' ')[1]);   // "tags K": BOS = 2K
        string impossible = Write("bos-last.tagger", Edit(trigrams + 1, $"0 0 {bos} 1"));
        e = Assert.Throws<InputException>(() => HmmTagger.Load(impossible));
        Assert.Equal($"{impossible}: line {trigrams + 1}", e.Subject);
        Assert.Contains("cannot occur", e.Message);

        // A lexicon count changed: the counts no longer add up to the tag counts.
        int lexicon = Array.FindIndex(lines, l => l.StartsWith("lexicon ", StringComparison.Ordinal)) + 1;
        string[] entry = lines[lexicon].Split(' ');
        entry[1] = entry[1][..(entry[1].IndexOf(':') + 1)] + "77";
        string mismatch = Write("mismatch.tagger", Edit(lexicon + 1, string.Join(' ', entry)));
        Assert.Contains("the model is corrupt", Assert.Throws<InputException>(() => HmmTagger.Load(mismatch)).Message);

        string truncated = Write("cut.tagger", lines[..(lexicon + 3)]);
        Assert.Contains("ends early", Assert.Throws<InputException>(() => HmmTagger.Load(truncated)).Message);

        string extra = dir.File("extra.tagger", text + "more\n");
        Assert.Contains("follows \"end\"", Assert.Throws<InputException>(() => HmmTagger.Load(extra)).Message);

        Assert.Contains("is empty", Assert.Throws<InputException>(() => HmmTagger.Load(dir.File("empty.tagger", ""))).Message);
    }
}
