using Recur.LanguageModels.PrefixTrees;
using Recur.Tests.Support;

namespace Recur.Tests.LanguageModels.PrefixTrees;

public class PrefixTreeModelTests
{
    [Fact]
    public void Vocabulary_IsBeginThenWordsInOrderThenEnd()
    {
        var m = RandomModels.WorkedExample();
        Assert.Equal(["<bos>", "the", "a", "red", "green", "blue", "rectangle", "circle", "ellipse", "square", "</s>"], m.Vocabulary.Tokens);
        Assert.Equal(0, m.BeginToken);
        Assert.Equal(10, m.EndToken);
        Assert.Equal(4, m.LongestSequence);
        Assert.Equal(3, new PrefixTreeModel("<s>", [new("a", -1, [new("</s>", -1, []), new("b", -1, [])]), new("c", -1, [])]).LongestSequence);
    }

    [Fact]
    public void Step_FollowsThePath_AndALeafEndsWithProbabilityOne()
    {
        var m = RandomModels.WorkedExample();
        int n = m.Vocabulary.Count;
        var state = m.CreateState(1);
        var lp = new float[n];
        m.Step(state, [0], lp);
        Assert.Equal(-1.5f, lp[m.Vocabulary.IndexOf("the")]);
        Assert.Equal(-1.8f, lp[m.Vocabulary.IndexOf("a")]);
        Assert.Equal(2, lp.Count(float.IsFinite));
        foreach (string w in new[] { "a", "blue", "square" }) m.Step(state, [m.Vocabulary.IndexOf(w)], lp);
        Assert.Equal(0f, lp[m.EndToken]);
        Assert.Single(lp, float.IsFinite);
        m.Step(state, [m.EndToken], lp);
        Assert.All(lp, v => Assert.Equal(float.NegativeInfinity, v));
    }

    [Fact]
    public void Step_UnlistedToken_LeadsToADeadRow()
    {
        var m = RandomModels.WorkedExample();
        var state = m.CreateState(2);
        var lp = new float[2 * m.Vocabulary.Count];
        m.Step(state, [0, m.Vocabulary.IndexOf("red")], lp);
        Assert.All(lp[m.Vocabulary.Count..], v => Assert.Equal(float.NegativeInfinity, v));
        m.Step(state, [m.Vocabulary.IndexOf("square"), 0], lp);
        Assert.All(lp, v => Assert.Equal(float.NegativeInfinity, v));
    }

    [Fact]
    public void ExplicitEndBranch_EndsAnInnerNodeWithItsProbability()
    {
        var m = new PrefixTreeModel("<s>", [new("hi", -0.1, [new("</s>", -0.7, []), new("there", -0.9, [])])]);
        var state = m.CreateState(1);
        var lp = new float[m.Vocabulary.Count];
        m.Step(state, [0], lp);
        m.Step(state, [m.Vocabulary.IndexOf("hi")], lp);
        Assert.Equal(-0.7f, lp[m.EndToken]);
        Assert.Equal(-0.9f, lp[m.Vocabulary.IndexOf("there")]);
    }

    [Theory]
    [InlineData("positive", 0.1, "positive")]
    [InlineData("nan", double.NaN, "NaN")]
    [InlineData("minf", double.NegativeInfinity, "leave the branch out")]
    public void Constructor_BadLogProbability_ThrowsNamingThePath(string _, double lp, string expected)
    {
        var e = Assert.Throws<ArgumentException>(() => new PrefixTreeModel("<s>", [new("a", -0.1, [new("b", lp, [])])]));
        Assert.Contains(expected, e.Message);
        Assert.Contains("<s> → a → b", e.Message);
    }

    [Fact]
    public void Constructor_StructuralErrors_Throw()
    {
        Assert.Contains("sum to", Assert.Throws<ArgumentException>(() => new PrefixTreeModel("<s>", [new("a", -0.1, []), new("b", -0.2, [])])).Message);
        Assert.Contains("twice", Assert.Throws<ArgumentException>(() => new PrefixTreeModel("<s>", [new("a", -1, []), new("a", -2, [])])).Message);
        Assert.Contains("begin token", Assert.Throws<ArgumentException>(() => new PrefixTreeModel("<s>", [new("<s>", -1, [])])).Message);
        Assert.Contains("cannot have children", Assert.Throws<ArgumentException>(() => new PrefixTreeModel("<s>", [new("</s>", -1, [new("a", -1, [])])])).Message);
        Assert.Contains("empty token", Assert.Throws<ArgumentException>(() => new PrefixTreeModel("<s>", [new("", -1, [])])).Message);
    }
}
