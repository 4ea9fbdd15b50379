using Recur.Tagging;
using Recur.Tensors;
using Recur.Text;

namespace Recur.Tests.Tagging;

/// <summary>
/// The tagger's decoding (SparseViterbi over its graphs) against exhaustive tagging: on small
/// random HMMs, every tag sequence is scored with the model's own formulas
/// (<see cref="HmmTagger.LogScore"/>, computed from the counts, not from the graph) and the
/// decoder must find the best.
/// </summary>
public class TaggerViterbiTests
{
    private static readonly string[] Vocabulary = ["w0", "w1", "w2", "w3", "w4", "W5", "W6", "w7-x"];

    // Sentences from a random HMM over k tags: a random first-order chain and random emissions
    // (each tag emits a few of the words, so words are ambiguous and some pairs never occur).
    internal static List<TaggedSentence> RandomCorpus(Rng rng, int k, int sentences)
    {
        var next = new double[(k + 1) * k];   // row k: the start
        for (int i = 0; i < next.Length; i++) next[i] = rng.NextDouble() < 0.35 ? 0 : rng.NextDouble();
        var emit = new double[k * Vocabulary.Length];
        for (int i = 0; i < emit.Length; i++) emit[i] = rng.NextDouble() < 0.5 ? 0 : rng.NextDouble();
        int Draw(ReadOnlySpan<double> weights)
        {
            double total = 0;
            foreach (double v in weights) total += v;
            if (total == 0) return rng.NextInt(weights.Length);
            double u = rng.NextDouble() * total;
            for (int i = 0; i < weights.Length; i++)
                if ((u -= weights[i]) < 0) return i;
            return weights.Length - 1;
        }
        var corpus = new List<TaggedSentence>();
        for (int s = 0; s < sentences; s++)
        {
            int t = 1 + rng.NextInt(5);
            var (words, tags) = (new string[t], new string[t]);
            int prev = k;
            for (int i = 0; i < t; i++)
            {
                int tag = Draw(next.AsSpan(prev * k, k));
                tags[i] = $"t{tag}";
                words[i] = Vocabulary[Draw(emit.AsSpan(tag * Vocabulary.Length, Vocabulary.Length))];
                prev = tag;
            }
            corpus.Add(new TaggedSentence(words, tags));
        }
        return corpus;
    }

    // Test sentences mix known words, unknown ones (suffix model), one with a known lower-case
    // form and one with a known part after its hyphen (base forms).
    private static string[] RandomSentence(Rng rng, int t)
    {
        string[] pool = [.. Vocabulary, "zz", "Qed", "W0", "y-w1", "w3s"];
        var words = new string[t];
        for (int i = 0; i < t; i++) words[i] = pool[rng.NextInt(pool.Length)];
        return words;
    }

    private static (double Best, int[]? Path) Exhaustive(HmmTagger tagger, string[] words, bool bigram)
    {
        int k = tagger.Tags.Count, t = words.Length;
        var tags = new int[t];
        double best = double.NegativeInfinity;
        int[]? path = null;
        for (long code = 0, total = (long)Math.Pow(k, t); code < total; code++)
        {
            long x = code;
            for (int i = 0; i < t; i++, x /= k) tags[i] = (int)(x % k);
            double v = tagger.LogScore(words, tags, bigram);
            if (v > best) (best, path) = (v, (int[])tags.Clone());
        }
        return (best, path);
    }

    private static HmmTaggerOptions Options(int trial) => new()
    {
        Order = trial % 3 == 2 ? 2 : 3,
        Capitalization = trial % 2 == 0,
        BaseForms = trial % 4 < 2,
        RareWordSmoothing = trial % 5 == 0 ? 0 : 1,
        RareWordCount = 1 + trial % 3,
        SuffixLength = 3,
        SuffixTheta = trial % 7 == 0 ? null : 0.5,
    };

    [Fact]
    public void Tag_RandomHmms_FindsTheExhaustiveBest()
    {
        var rng = new Rng(7);
        int exact = 0, bigram = 0, mostFrequent = 0;
        for (int trial = 0; trial < 60; trial++)
        {
            int k = 2 + rng.NextInt(3);
            HmmTagger tagger = HmmTagger.Train(RandomCorpus(rng, k, 10 + rng.NextInt(30)), Options(trial));
            var decoder = new TagDecoder(tagger, pruneWidth: double.PositiveInfinity);
            for (int sentence = 0; sentence < 8; sentence++)
            {
                string[] words = RandomSentence(rng, 1 + rng.NextInt(5));
                var tags = new int[words.Length];
                long fallbacks = decoder.Fallbacks;
                double score = decoder.Tag(words, tags);
                bool fellBack = decoder.Fallbacks > fallbacks;
                var (best, path) = Exhaustive(tagger, words, bigram: false);
                bool useBigram = path is null && tagger.Options.Order == 3;
                if (useBigram) (best, path) = Exhaustive(tagger, words, bigram: true);
                if (path is null)
                {
                    // No tagging has a finite score: each word gets its most frequent tag.
                    Assert.True(fellBack);
                    Assert.Equal(double.NegativeInfinity, score);
                    var expected = new int[words.Length];
                    decoder.TagMostFrequent(words, expected);
                    Assert.Equal(expected, tags);
                    mostFrequent++;
                    continue;
                }
                // A trigram model with no path through seen tag pairs decodes with the bigram model.
                Assert.Equal(useBigram, fellBack);
                Assert.True(Math.Abs(score - best) <= 1e-4 * (1 + Math.Abs(best)), $"trial {trial}: decoder {score}, exhaustive {best}");
                double own = tagger.LogScore(words, tags, useBigram);
                Assert.True(Math.Abs(own - best) <= 1e-4 * (1 + Math.Abs(best)), $"trial {trial}: the decoded tags score {own}, the best {best}");
                if (useBigram) bigram++;
                else exact++;
            }
        }
        Assert.True(exact > 300 && bigram > 0, $"{exact} decoded, {bigram} with the bigram fallback, {mostFrequent} by the most frequent tag");
    }

    [Fact]
    public void Tag_WithBeamPruning_ScoresItsOwnPathAndNeverBeatsExact()
    {
        var rng = new Rng(8);
        int compared = 0;
        for (int trial = 0; trial < 20; trial++)
        {
            HmmTagger tagger = HmmTagger.Train(RandomCorpus(rng, 4, 40), new HmmTaggerOptions { SuffixTheta = 0.5 });
            var exact = new TagDecoder(tagger, double.PositiveInfinity);
            var pruned = new TagDecoder(tagger, pruneWidth: 1.0);
            string[] words = RandomSentence(rng, 6);
            var (a, b) = (new int[6], new int[6]);
            double best = exact.Tag(words, a);
            double v = pruned.Tag(words, b);
            if (exact.Fallbacks > 0 || pruned.Fallbacks > 0) continue;
            Assert.True(v <= best + 1e-4, $"pruned {v} beat exact {best}");
            Assert.Equal(tagger.LogScore(words, b), v, 3);
            compared++;
        }
        Assert.True(compared >= 10, $"only {compared} sentences decoded without a fallback");
    }

    [Fact]
    public void Tag_ManySentences_AllocatesNothingOnceWarm()
    {
        HmmTagger tagger = HmmTagger.Train(RandomCorpus(new Rng(9), 4, 60), new HmmTaggerOptions { SuffixTheta = 0.5 });
        var decoder = new TagDecoder(tagger);
        var rng = new Rng(10);
        var sentences = Enumerable.Range(0, 50).Select(i => RandomSentence(rng, 1 + i % 12)).ToArray();
        var tags = new int[12];
        for (int warm = 0; warm < 3; warm++)
            foreach (var s in sentences) decoder.Tag(s, tags);
        long before = GC.GetAllocatedBytesForCurrentThread();
        foreach (var s in sentences) decoder.Tag(s, tags);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
