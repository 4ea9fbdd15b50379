using System.Diagnostics;
using Recur.Decoding;
using Recur.LanguageModels.PrefixTrees;
using Recur.Tensors;
using Recur.Tests.Support;

namespace Recur.Tests.Decoding;

/// <summary>Every search checks the product of its sizes before it allocates, and exact search bounds its work.</summary>
public sealed class SearchLimitsTests
{
    private static readonly Recur.LanguageModels.Markov.MarkovModel Markov = RandomModels.Markov(new Rng(3), 4, withEnd: true);

    public static TheoryData<string, Action> HugeSearches => new()
    {
        { "ViterbiOptions.MaxLength", () => Viterbi.Decode(Markov, new ViterbiOptions { MaxLength = int.MaxValue }) },
        { "ViterbiOptions.Count", () => Viterbi.Decode(Markov, new ViterbiOptions { Count = int.MaxValue }) },
        { "BeamSearchOptions.Width", () => BeamSearch.Decode(Markov, new BeamSearchOptions { Width = 1_000_000_000 }) },
        { "SamplingOptions.Count", () => Sampler.Sample(Markov, new SamplingOptions { Count = 100_000_000 }, new Rng(1)) },
        { "GreedyOptions.MaxLength", () => Greedy.Decode(Markov, new GreedyOptions { MaxLength = int.MaxValue }) },
        { "BestFirstOptions.MaxLength", () => BestFirst.Search(Markov, new BestFirstOptions { MaxLength = int.MaxValue }) },
    };

    [Theory]
    [MemberData(nameof(HugeSearches))]
    public void HugeSizes_AreRefusedByName_BeforeAnythingIsAllocated(string subject, Action search)
    {
        long before = GC.GetTotalAllocatedBytes(precise: true);
        var e = Assert.Throws<InputException>(search);
        Assert.Equal(subject, e.Subject);
        Assert.Contains("more than a search holds", e.Message);
        Assert.InRange(GC.GetTotalAllocatedBytes(precise: true) - before, 0, 1 << 20);
    }

    [Fact]
    public void ExactSearch_OnATreeOfAHundredThousandTiedChildren_HitsItsBudgetQuickly()
    {
        const int n = 100_000;
        var end = new[] { new TreeBranch("</s>", 0, []) };
        var children = Enumerable.Range(0, n).Select(i => new TreeBranch($"w{i}", -Math.Log(n), end)).ToArray();
        var tree = new PrefixTreeModel("<s>", children);
        var clock = Stopwatch.StartNew();
        var e = Assert.Throws<InputException>(() => BestFirst.Search(tree, new BestFirstOptions { GreedyBound = false }));
        Assert.Contains("gave up after scoring", e.Message);
        Assert.InRange(clock.Elapsed.TotalSeconds, 0, 10);
    }
}
