using Recur.Tagging;
using Recur.Text;

namespace Recur.Tests.Tagging;

/// <summary>A small hand-made tagged corpus: the weights, probabilities and taggings worked out by hand.</summary>
public class HmmTaggerTests
{
    private static TaggedSentence S(string tagged)
    {
        var tokens = tagged.Split(' ');
        return new TaggedSentence([.. tokens.Select(t => t[..t.LastIndexOf('/')])], [.. tokens.Select(t => t[(t.LastIndexOf('/') + 1)..])]);
    }

    /// <summary>Determiners, nouns, verbs and a modal; "can" is a modal or a noun, "run" a verb or a noun.</summary>
    internal static List<TaggedSentence> Corpus() =>
    [
        S("the/at dog/nn can/md run/vb ./."),
        S("the/at cat/nn can/md see/vb the/at dog/nn ./."),
        S("a/at dog/nn saw/vbd the/at can/nn ./."),
        S("the/at man/nn kicked/vbd a/at can/nn ./."),
        S("John/np can/md run/vb ./."),
        S("Mary/np saw/vbd a/at run/nn ./."),
        S("the/at dogs/nns are/ber running/vbg ./."),
        S("the/at cats/nns were/bed walking/vbg ./."),
        S("the/at man/nn is/bez talking/vbg ./."),
        S("a/at big/jj dog/nn walked/vbd ./."),
        S("Paris/np is/bez big/jj ./."),
        S("the/at 1/2/cd can/nn ./."),
        S("A/at dog/nn walked/vbd ./."),
        S("the/at man/nn has/hvz walked/vbn ./."),
        S("the/at dog/nn has/hvz talked/vbn ./."),
        S("a/at cat/nn has/hvz jumped/vbn ./."),
    ];

    [Fact]
    public void Train_HandMadeCorpus_TagsKnownAndUnknownWordsAsExpected()
    {
        // Every word of so small a corpus is rare; without smoothing each keeps its seen tags (TnT).
        HmmTagger tagger = HmmTagger.Train(Corpus(), new HmmTaggerOptions { RareWordSmoothing = 0 });
        var decoder = new TagDecoder(tagger);
        string[] Tag(string sentence)
        {
            string[] words = sentence.Split(' ');
            var tags = new int[words.Length];
            decoder.Tag(words, tags);
            return [.. tags.Select(t => tagger.Tags[t])];
        }
        Assert.Equal(["at", "nn", "md", "vb", "."], Tag("the cat can run ."));     // "can" after a noun: the modal
        Assert.Equal(["at", "jj", "nn", "."], Tag("a big can ."));               // after an adjective: the noun
        Assert.Equal(["at", "nns", "bed", "vbg", "."], Tag("the dogs were jumping ."));   // unknown: "-ing" after "were"
        Assert.Equal(["np", "vbd", "at", "nn", "."], Tag("Susan saw a dog ."));   // unknown capitalized word: a name
        Assert.Equal(0, decoder.Fallbacks);
        // "The": its known lower-case form says at. A capitalized at was seen only before nn, so
        // no path runs through seen tag pairs and the bigram model decodes the sentence.
        Assert.Equal(["at", "nns", "ber", "vbg", "."], Tag("The dogs are running ."));
        Assert.Equal(1, decoder.Fallbacks);
        Assert.Equal(["at", "cd", "nn", "."], Tag("the 1/2 can ."));             // '/' inside a word
        Assert.Equal(["at", "cd", "nn", "."], Tag("the 3/4 can ."));             // digits fold: "3/4" ends like "1/2"
        Assert.Equal(1, decoder.Fallbacks);
    }

    [Fact]
    public void RareWordSmoothing_RareKnownWord_TakesAnUnseenTagItsContextWants()
    {
        // "kicked" was seen once, as vbd; after "has" the corpus has only vbn, which "-ed" words take.
        string[] words = ["the", "cat", "has", "kicked", "."];
        var tags = new int[5];
        HmmTagger smoothed = HmmTagger.Train(Corpus());
        new TagDecoder(smoothed).Tag(words, tags);
        Assert.Equal("vbn", smoothed.Tags[tags[3]]);
        HmmTagger tnt = HmmTagger.Train(Corpus(), new HmmTaggerOptions { RareWordSmoothing = 0 });
        new TagDecoder(tnt).Tag(words, tags);
        Assert.Equal("vbd", tnt.Tags[tags[3]]);
    }

    [Fact]
    public void Train_HandMadeCorpus_TagsAreSortedAndCountsAreRight()
    {
        HmmTagger tagger = HmmTagger.Train(Corpus());
        Assert.Equal([".", "at", "bed", "ber", "bez", "cd", "hvz", "jj", "md", "nn", "nns", "np", "vb", "vbd", "vbg", "vbn"], tagger.Tags);
        Assert.Equal((16L, 80L), tagger.TrainingSize);
        Assert.True(tagger.IsKnown("can"));
        Assert.False(tagger.IsKnown("Can"));
        Assert.Equal(-1, tagger.TagIndex("xx"));
    }

    // Sentences [X Y], [X Y], [Y]: padded BOS BOS X Y EOS twice and BOS BOS Y EOS. Per trigram
    // (f; leave-one-out estimates c3, c2, c1 with N = 8):
    // (B,B,X) 2: 1/2, 1/2, 1/7 → λ2, λ3 +1 each;  (B,X,Y) 2: 1, 1, 2/7 → +1 each;
    // (X,Y,E) 2: 1, 1, 2/7 → +1 each;  (B,B,Y) 1: 0, 0, 2/7 → λ1 +1;  (B,Y,E) 1: 0 (0/0), 1, 2/7 → λ2 +1.
    // λ = (1, 4, 3)/8.
    private static List<TaggedSentence> Tiny() => [S("a/X b/Y"), S("a/X b/Y"), S("c/Y")];

    [Fact]
    public void DeletedInterpolation_TinyCorpus_MatchesTheHandComputedWeights()
    {
        HmmTagger tagger = HmmTagger.Train(Tiny(), new HmmTaggerOptions { Capitalization = false });
        Assert.Equal(new InterpolationWeights(0.125, 0.5, 0.375), tagger.Weights);
        // P(Y | BOS, BOS) = λ1 f(Y)/N + λ2 f(BOS, Y)/f(BOS) + λ3 f(BOS, BOS, Y)/f(BOS, BOS)
        int x = 2 * tagger.TagIndex("X"), y = 2 * tagger.TagIndex("Y"), bos = tagger.Counts.Bos, eos = tagger.Counts.Eos;
        Assert.Equal(0.125 * 3 / 8 + 0.5 * 1 / 3 + 0.375 * 1 / 3, tagger.Transitions.Trigram(bos, bos, y), 12);
        // P(EOS | X, Y) = λ1 3/8 + λ2 f(Y, EOS)/f(Y) + λ3 f(X, Y, EOS)/f(X, Y) = 0.125·3/8 + 0.5·1 + 0.375·1
        Assert.Equal(0.125 * 3 / 8 + 0.5 + 0.375, tagger.Transitions.Trigram(x, y, eos), 12);
        // Bigram model: (B,X) 2: c2 = 1/2 > c1 = 1/7 → λ2';  (X,Y) 2: 1 > 2/7 → λ2';  (Y,E) 3: 1 > 2/7 → λ2';
        // (B,Y) 1: 0 < 2/7 → λ1'. λ' = (1, 7)/8.
        Assert.Equal(new InterpolationWeights(0.125, 0.875, 0), tagger.Transitions.BigramWeights);
    }

    [Fact]
    public void SuffixModel_SuccessiveAbstraction_MatchesTheHandComputedPosterior()
    {
        // Rare words walking/vbg, talking/vbg, king/nn. Endings of "stalking": g, ng, ing, king all
        // hold (vbg 2/3, nn 1/3); lking, alking, talking hold vbg only. With θ = 1 each step averages:
        // vbg 2/3 → 5/6 → 11/12 → 23/24.
        var tagger = HmmTagger.Train([S("walking/vbg talking/vbg king/nn")], new HmmTaggerOptions { SuffixTheta = 1, SuffixLength = 10 });
        var p = new double[tagger.Tags.Count];
        tagger.Suffixes.Posterior("stalking", p);
        Assert.Equal(23.0 / 24, p[tagger.TagIndex("vbg")], 12);
        Assert.Equal(1.0 / 24, p[tagger.TagIndex("nn")], 12);
        // Longer than m = 2: only g and ng count, both at the root's distribution.
        var short2 = HmmTagger.Train([S("walking/vbg talking/vbg king/nn")], new HmmTaggerOptions { SuffixTheta = 1, SuffixLength = 2 });
        short2.Suffixes.Posterior("stalking", p);
        Assert.Equal(2.0 / 3, p[short2.TagIndex("vbg")], 12);
    }

    [Fact]
    public void ChooseTheta_ConsistentEndings_PicksLittleSmoothing_RandomTags_PickMuch()
    {
        var rng = new Recur.Tensors.Rng(3);
        string Stem() => new([.. Enumerable.Range(0, 5).Select(_ => (char)('a' + rng.NextInt(26)))]);
        var consistent = Enumerable.Range(0, 300).Select(i => i % 2 == 0 ? S($"{Stem()}ing/vbg") : S($"{Stem()}ed/vbd")).ToList();
        Assert.Equal(SuffixModel.ThetaGrid[0], HmmTagger.Train(consistent).Options.SuffixTheta);
        var random = Enumerable.Range(0, 300).Select(i => S($"{Stem()}{(i % 2 == 0 ? "ing" : "ed")}/{(rng.NextInt(2) == 0 ? "vbg" : "vbd")}")).ToList();
        Assert.Equal(SuffixModel.ThetaGrid[^1], HmmTagger.Train(random).Options.SuffixTheta);
    }

    [Fact]
    public void Options_BadValues_AreRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => HmmTagger.Train(Corpus(), new HmmTaggerOptions { Order = 4 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => HmmTagger.Train(Corpus(), new HmmTaggerOptions { SuffixLength = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => HmmTagger.Train(Corpus(), new HmmTaggerOptions { RareWordCount = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => HmmTagger.Train(Corpus(), new HmmTaggerOptions { SuffixTheta = double.NaN }));
        Assert.Throws<ArgumentOutOfRangeException>(() => HmmTagger.Train(Corpus(), new HmmTaggerOptions { RareWordSmoothing = -1 }));
        Assert.Throws<ArgumentException>(() => HmmTagger.Train([]));
        Assert.Throws<ArgumentException>(() => HmmTagger.Train([new TaggedSentence(["a"], [])]));
    }

    [Fact]
    public void MostFrequent_KnownWordsTakeTheirCommonestTag_UnknownTheirEndingsBest()
    {
        HmmTagger tagger = HmmTagger.Train(Corpus());
        var decoder = new TagDecoder(tagger);
        var tags = new int[4];
        decoder.TagMostFrequent(["run", "can", "jumping", "Susan"], tags);
        // run: vb 2, nn 1; can: md 3, nn 3, a tie, so the lower tag; jumping: "-ing"; Susan: the capitalized words' ending statistics.
        Assert.Equal(["vb", "md", "vbg", "np"], tags.Select(t => tagger.Tags[t]));
    }
}
