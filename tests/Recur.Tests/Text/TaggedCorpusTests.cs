using Recur.Tests.Support;
using Recur.Text;

namespace Recur.Tests.Text;

/// <summary>The Brown-format reader: word/TAG tokens, the tag after the last '/', errors naming file and line.</summary>
public class TaggedCorpusTests
{
    [Fact]
    public void Read_BrownLayout_SplitsAtTheLastSlashAndSkipsBlankLines()
    {
        using var dir = new TempDirectory();
        string path = dir.File("ca01", "\n\n\tThe/at Fulton/np-tl 1-1/2/cd and/or/cc it's/pps+bez n't/*\r\n\n\n\t``/`` No/at-hl ./.\n");
        List<TaggedSentence> s = TaggedCorpus.Read(path);
        Assert.Equal(2, s.Count);
        Assert.Equal(["The", "Fulton", "1-1/2", "and/or", "it's", "n't"], s[0].Words);
        Assert.Equal(["at", "np-tl", "cd", "cc", "pps+bez", "*"], s[0].Tags);
        Assert.Equal(["``", "No", "."], s[1].Words);
        Assert.Equal(["``", "at-hl", "."], s[1].Tags);
    }

    [Theory]
    [InlineData("a/at dog", "line 2", "token 2 \"dog\" has no '/'")]
    [InlineData("a/at /nn", "line 2", "token 2 \"/nn\" has no word")]
    [InlineData("a/at dog/", "line 2", "token 2 \"dog/\" has no tag")]
    public void Read_MalformedToken_NamesFileLineAndToken(string second, string line, string why)
    {
        using var dir = new TempDirectory();
        string path = dir.File("bad", $"the/at dog/nn\n{second}\n");
        var e = Assert.Throws<InputException>(() => TaggedCorpus.Read(path));
        Assert.Equal($"{path}: {line}", e.Subject);
        Assert.Contains(why, e.Message);
    }

    [Fact]
    public void Read_EmptyFolderOrMissing_SaysWhat()
    {
        using var dir = new TempDirectory();
        Assert.Contains("no tagged sentences", Assert.Throws<InputException>(() => TaggedCorpus.Read(dir.File("empty", "\n\t\n"))).Message);
        Assert.Contains("is a folder", Assert.Throws<InputException>(() => TaggedCorpus.Read(dir.Path)).Message);
        Assert.Throws<FileNotFoundException>(() => TaggedCorpus.Read(Path.Combine(dir.Path, "none")));
        Assert.Contains("UTF-8", Assert.Throws<InputException>(() => TaggedCorpus.Read(dir.File("latin1", [0x61, 0x2F, 0x62, 0xE9, 0x0A]))).Message);
    }

    [Fact]
    public void Read_SeveralFiles_ConcatenatesInOrder()
    {
        using var dir = new TempDirectory();
        var s = TaggedCorpus.Read([dir.File("a", "x/A\n"), dir.File("b", "y/B\nz/C\n")]);
        Assert.Equal(["x", "y", "z"], s.Select(t => t.Words[0]));
    }
}
