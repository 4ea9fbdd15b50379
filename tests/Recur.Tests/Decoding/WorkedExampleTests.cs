using Recur.Decoding;
using Recur.Tests.Support;

namespace Recur.Tests.Decoding;

/// <summary>Every figure of docs/theory.md 2.4 on the worked prefix tree.</summary>
public class WorkedExampleTests
{
    private static readonly Recur.LanguageModels.PrefixTrees.PrefixTreeModel Model = RandomModels.WorkedExample();

    private static void AssertSequence(DecodedSequence s, string text, double logProb)
    {
        Assert.Equal(text, RandomModels.Text(Model, s));
        AssertClose.Scalar(logProb, s.LogProbability, 0, 1e-5);
        Assert.Equal(Model.EndToken, s.Tokens[^1]);
        AssertClose.Scalar(DecodedSequence.SumLeftToRight(s.TokenLogProbabilities), s.LogProbability, 0, 0);
    }

    [Fact]
    public void ExactSearch_FindsTheGreenRectangle_Minus8Point2()
    {
        AssertSequence(BestFirst.Search(Model).Best!, "the green rectangle", -8.2);
        AssertSequence(Exhaustive.Search(Model, new ExhaustiveOptions { MaxLength = 4 }).Best!, "the green rectangle", -8.2);
    }

    [Fact]
    public void Greedy_FindsTheRedRectangle_Minus9Point1_ASearchErrorOf0Point9()
    {
        var greedy = Greedy.Decode(Model).Best!;
        AssertSequence(greedy, "the red rectangle", -9.1);
        AssertClose.Scalar(0.9, BestFirst.Search(Model).Best!.LogProbability - greedy.LogProbability, 0, 1e-5);
    }

    [Fact]
    public void Beam2_AfterStep2_KeepsABlueAndARed()
    {
        // Cut at T = 2, the open beams finish there: they are the beams after step 2.
        var r = BeamSearch.Decode(Model, new BeamSearchOptions { Width = 2, MaxLength = 2, Count = 2 });
        Assert.Equal(["a blue", "a red"], r.Sequences.Select(s => RandomModels.Text(Model, s)));
        AssertClose.Scalar(-4.3, r.Sequences[0].LogProbability, 0, 1e-5);
        AssertClose.Scalar(-4.5, r.Sequences[1].LogProbability, 0, 1e-5);
    }

    [Fact]
    public void Beam2_Returns_ABlueSquare_Minus9Point3_AndARedCircle_Minus9Point4()
    {
        var r = BeamSearch.Decode(Model, new BeamSearchOptions { Width = 2, Count = 2 });
        Assert.Equal(2, r.Sequences.Count);
        AssertSequence(r.Sequences[0], "a blue square", -9.3);
        AssertSequence(r.Sequences[1], "a red circle", -9.4);
    }

    [Theory]
    [InlineData(1, "the red rectangle", -9.1)]
    [InlineData(2, "a blue square", -9.3)]
    [InlineData(3, "the red rectangle", -9.1)]
    [InlineData(4, "the green rectangle", -8.2)]
    public void BeamWidth_GreedyBelowBeam2BelowExact_B3Finds9Point1_B4RecoversExact(int width, string text, double logProb)
    {
        foreach (var rule in new[] { StopRule.Exact, StopRule.FirstK, StopRule.Heuristic })
            AssertSequence(BeamSearch.Decode(Model, new BeamSearchOptions { Width = width, StopRule = rule }).Best!, text, logProb);
    }
}
