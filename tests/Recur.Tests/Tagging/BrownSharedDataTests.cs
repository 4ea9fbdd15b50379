using Recur.Tagging;
using Recur.Tests.Support;
using Recur.Text;

namespace Recur.Tests.Tagging;

/// <summary>
/// The tagger on the Brown corpus (../shared/data/brown; skipped without it). The split is by
/// file, as in the report: files sorted by name, every 10th held out (the 10th, 20th, …). A
/// fifth of the training files keep this test fast; the full-corpus figures are in the tagger's
/// report, not here.
/// </summary>
public class BrownSharedDataTests
{
    private static string[] Files()
    {
        string dir = SharedData.Find("brown")!;
        string[] files = [.. Directory.GetFiles(dir).Where(f => !Path.GetFileName(f).StartsWith("README", StringComparison.Ordinal))];
        Array.Sort(files, StringComparer.Ordinal);
        return files;
    }

    [SharedDataFact("brown")]
    public void Read_WholeCorpus_KeepsEvery467TagAsWritten()
    {
        List<TaggedSentence> all = TaggedCorpus.Read(Files());
        var tags = new HashSet<string>(all.SelectMany(s => s.Tags), StringComparer.Ordinal);
        Assert.Equal(467, tags.Count);
        Assert.Contains("nn-tl-hl", tags);
        Assert.Contains("ppss+md", tags);
        Assert.True(all.Sum(s => s.Length) > 1_000_000);
    }

    [SharedDataFact("brown")]
    public void TrainOnAFifth_TestOnHeldOutFiles_SaneAccuracyAboveTheBaseline()
    {
        string[] files = Files();
        var heldOut = files.Where((_, i) => i % 10 == 9).ToArray();
        var train = files.Where((_, i) => i % 10 != 9 && i % 5 == 0).ToArray();
        HmmTagger tagger = HmmTagger.Train(TaggedCorpus.Read(train));
        List<TaggedSentence> gold = TaggedCorpus.Read(heldOut);
        var decoder = new TagDecoder(tagger);
        TaggingEvaluation e = TaggingEvaluation.Run(decoder, gold);
        TaggingEvaluation baseline = TaggingEvaluation.Run(decoder, gold, mostFrequent: true);

        Assert.True(e.Tokens > 100_000, $"{e.Tokens} test tokens");
        Assert.InRange(e.UnknownTokens, 0.05 * e.Tokens, 0.15 * e.Tokens);
        Assert.True(e.Accuracy > 0.93, $"accuracy {e.Accuracy}");
        Assert.True(e.UnknownAccuracy > 0.70, $"unknown-word accuracy {e.UnknownAccuracy}");
        Assert.True(e.KnownAccuracy > e.Accuracy);
        Assert.True(e.Accuracy > baseline.Accuracy + 0.03, $"Viterbi {e.Accuracy}, baseline {baseline.Accuracy}");
        Assert.True(e.Fallbacks < 0.10 * e.Sentences, $"{e.Fallbacks} fallbacks in {e.Sentences} sentences");
    }

    [SharedDataFact("brown")]
    public void TrainOnAll_TestOnHeldOutFiles_MeetsTheTargets()
    {
        string[] files = Files();
        HmmTagger tagger = HmmTagger.Train(TaggedCorpus.Read(files.Where((_, i) => i % 10 != 9)));
        TaggingEvaluation e = TaggingEvaluation.Run(new TagDecoder(tagger), TaggedCorpus.Read(files.Where((_, i) => i % 10 == 9)));
        Assert.Equal(104_208, e.Tokens);
        Assert.True(e.Accuracy >= 0.960, $"accuracy {e.Accuracy}");
        Assert.True(e.UnknownAccuracy >= 0.80, $"unknown-word accuracy {e.UnknownAccuracy}");
    }
}
