using Recur.Tagging;

namespace Recur.Tests.Tagging;

/// <summary>Raw text split into Brown's tokens.</summary>
public sealed class BrownTokenizerTests
{
    private static readonly HashSet<string> Known = ["Mr.", "Jan.", "city's"];

    [Theory]
    [InlineData("The jury praised the city.", "The|jury|praised|the|city|.")]
    [InlineData("Mr. Smith left in Jan. with J. Doe.", "Mr.|Smith|left|in|Jan.|with|J.|Doe|.")]
    [InlineData("He said \"it was fine,\" and left.", "He|said|``|it|was|fine|,|''|and|left|.")]
    [InlineData("\"Yes!\" -- or so (he thought)?", "``|Yes|!|''|--|or|so|(|he|thought|)|?")]
    [InlineData("at 3.5 p.m. in the U.S.; the city's boys' don't", "at|3.5|p.m.|in|the|U.S.|;|the|city's|boys'|don't")]
    [InlineData("It cost 3.5.", "It|cost|3.5|.")]
    [InlineData("already , tokenized .", "already|,|tokenized|.")]
    [InlineData("  ", "")]
    public void Tokenize_SplitsAsBrownDoes(string line, string expected) =>
        Assert.Equal(expected.Length == 0 ? [] : expected.Split('|'), BrownTokenizer.Tokenize(line, Known.Contains));
}
