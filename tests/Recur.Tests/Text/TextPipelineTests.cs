using System.Text;
using Recur.Text;

namespace Recur.Tests.Text;

public class TextPipelineTests
{
    [Fact]
    public void CharTokenizer_RoundTripsAndSortsTheVocabulary()
    {
        var t = Tokenizer.Build(TokenizerKind.Char, "hello, wörld 🌍\nbye\n");
        Assert.Equal(["\n", " ", ",", "b", "d", "e", "h", "l", "o", "r", "w", "y", "ö", "🌍"], t.Vocabulary.Tokens);
        int[] ids = t.Encode("hello 🌍\n");
        Assert.Equal("hello 🌍\n", t.Decode(ids));
        Assert.Equal(0, t.EndOfSentence);
        Assert.Equal(-1, t.UnknownToken);
        var e = Assert.Throws<InputException>(() => t.Encode("hex"));
        Assert.Contains("'x'", e.Message);
    }

    [Fact]
    public void WordTokenizer_EndsLinesAndMapsUnknownWords()
    {
        var t = Tokenizer.Build(TokenizerKind.Word, "the red square\n\n  a  blue circle \n");
        Assert.Contains(Tokenizer.EndOfLine, t.Vocabulary.Tokens);
        Assert.Contains(Tokenizer.Unknown, t.Vocabulary.Tokens);
        int[] ids = t.Encode("the red dog\na square");
        Assert.Equal(7, ids.Length);
        Assert.Equal(t.UnknownToken, ids[2]);
        Assert.Equal(t.EndOfSentence, ids[3]);
        Assert.Equal("the red <unk>\na square\n", t.Decode(ids));
        Assert.Equal(3, t.Encode("the red square", endLines: false).Length);
    }

    [Fact]
    public void TextFile_RejectsEmptyBinaryAndInvalidUtf8WithClearMessages()
    {
        Assert.Contains("empty", Assert.Throws<InputException>(() => TextFile.Decode([], "a.txt")).Message);
        Assert.Contains("empty", Assert.Throws<InputException>(() => TextFile.Decode([0xEF, 0xBB, 0xBF], "a.txt")).Message);
        Assert.Contains("binary", Assert.Throws<InputException>(() => TextFile.Decode([65, 0, 66], "a.bin")).Message);
        var e = Assert.Throws<InputException>(() => TextFile.Decode([65, 66, 0xC3, 0x28], "latin.txt"));
        Assert.Contains("not valid UTF-8 at byte offset 2", e.Message);
        Assert.Equal("latin.txt", e.Subject);
        Assert.Equal("a\nb\n", TextFile.Decode(Encoding.UTF8.GetBytes("a\r\nb\r\n"), "crlf.txt"));
    }

    [Fact]
    public void StreamBatches_ContinueEachStreamAcrossBatches()
    {
        int[] tokens = Enumerable.Range(0, 25).ToArray();
        var batches = new StreamBatches(tokens, batch: 3, steps: 4); // L = 8 per stream, 2 batches
        Assert.Equal(2, batches.Count);
        var x = new int[12];
        var y = new int[12];
        batches.Fill(0, x, y);
        // Time-major: row t holds stream starts 0, 8, 16 advanced by t.
        Assert.Equal([0, 8, 16, 1, 9, 17, 2, 10, 18, 3, 11, 19], x);
        Assert.Equal([1, 9, 17, 2, 10, 18, 3, 11, 19, 4, 12, 20], y);
        batches.Fill(1, x, y);
        Assert.Equal([4, 12, 20], x[..3]);
        Assert.Equal([8, 16, 24], y[9..]);
        Assert.True(batches.StartsEpoch(2));
        batches.Fill(2, x, y);
        Assert.Equal(0, x[0]);
    }

    [Fact]
    public void StreamBatches_TooFewTokens_SaysWhatToChange()
    {
        var e = Assert.Throws<InputException>(() => new StreamBatches(new int[10], 4, 4));
        Assert.Contains("use fewer streams per batch or shorter windows", e.Message);
    }
}
