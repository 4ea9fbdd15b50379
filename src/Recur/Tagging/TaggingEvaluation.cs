using System.Diagnostics;
using Recur.Text;

namespace Recur.Tagging;

// T: words in a sentence; Σ T: words in the corpus.

/// <summary>
/// Tagging accuracy on a gold-tagged corpus: overall, on words seen in training (known) and on
/// the others (unknown), per gold tag, and the errors by kind (gold tag → chosen tag), with the
/// tagging speed. A gold tag the tagger never saw counts as an error.
/// The corpus is tagged twice, single-threaded, and both passes are timed: the first includes
/// the just-in-time compiler's warm-up (.NET compiles hot loops quickly first and optimizes them
/// after some calls), the second is the steady speed a long input sees.
/// </summary>
public sealed record TaggingEvaluation
{
    /// <summary>Sentences tagged.</summary>
    public long Sentences { get; init; }

    /// <summary>Words tagged.</summary>
    public long Tokens { get; init; }

    /// <summary>Words tagged correctly.</summary>
    public long Correct { get; init; }

    /// <summary>Words seen in training.</summary>
    public long KnownTokens { get; init; }

    /// <summary>Of those, tagged correctly.</summary>
    public long KnownCorrect { get; init; }

    /// <summary>Sentences whose best path needed a fallback decode (<see cref="TagDecoder.Fallbacks"/>).</summary>
    public long Fallbacks { get; init; }

    /// <summary>Seconds the second pass spent tagging (lexical scores and decoding; reading files and the model excluded).</summary>
    public double Seconds { get; init; }

    /// <summary>Seconds the first pass spent, warm-up included.</summary>
    public double FirstPassSeconds { get; init; }

    /// <summary>Every gold tag's accuracy, most frequent first (ties by name).</summary>
    public IReadOnlyList<TagAccuracy> PerTag { get; init; } = [];

    /// <summary>Every kind of error, most frequent first (ties by gold, then chosen tag).</summary>
    public IReadOnlyList<TagConfusion> Confusions { get; init; } = [];

    /// <summary>Words not seen in training.</summary>
    public long UnknownTokens => Tokens - KnownTokens;

    /// <summary>Of those, tagged correctly.</summary>
    public long UnknownCorrect => Correct - KnownCorrect;

    /// <summary>Correct / Tokens (NaN for no tokens).</summary>
    public double Accuracy => Ratio(Correct, Tokens);

    /// <summary>KnownCorrect / KnownTokens.</summary>
    public double KnownAccuracy => Ratio(KnownCorrect, KnownTokens);

    /// <summary>UnknownCorrect / UnknownTokens.</summary>
    public double UnknownAccuracy => Ratio(UnknownCorrect, UnknownTokens);

    /// <summary>Tokens / Seconds: the steady speed.</summary>
    public double TokensPerSecond => Seconds > 0 ? Tokens / Seconds : double.NaN;

    /// <summary>Tokens / FirstPassSeconds: the speed with the warm-up.</summary>
    public double FirstPassTokensPerSecond => FirstPassSeconds > 0 ? Tokens / FirstPassSeconds : double.NaN;

    /// <summary>
    /// Tags every sentence with <paramref name="decoder"/> (single-threaded) — by Viterbi, or with
    /// <paramref name="mostFrequent"/> by the most-frequent-tag baseline — and scores it against the gold tags.
    /// </summary>
    public static TaggingEvaluation Run(TagDecoder decoder, IReadOnlyList<TaggedSentence> gold, bool mostFrequent = false)
    {
        ArgumentNullException.ThrowIfNull(decoder);
        ArgumentNullException.ThrowIfNull(gold);
        long total = 0;
        foreach (var s in gold) total += s.Length;
        var predicted = new int[total];   // (Σ T) every sentence's tags, one after another
        long fallbacks = decoder.Fallbacks;
        double firstPass = TagAll(decoder, gold, mostFrequent, predicted);
        fallbacks = decoder.Fallbacks - fallbacks;
        var again = new int[total];
        double seconds = TagAll(decoder, gold, mostFrequent, again);
        if (!predicted.AsSpan().SequenceEqual(again)) throw new InvalidOperationException("Tagging the same corpus twice gave different tags.");
        HmmTagger tagger = decoder.Tagger;
        long correct = 0, known = 0, knownCorrect = 0;
        var perTag = new Dictionary<string, (long Tokens, long Correct, long Predicted)>(StringComparer.Ordinal);
        var confusions = new Dictionary<(string Gold, string Predicted), (long Count, long Unknown)>();
        for (int i = 0, at = 0; i < gold.Count; at += gold[i].Length, i++)
        {
            var s = gold[i];
            for (int j = 0; j < s.Length; j++)
            {
                string chosen = tagger.Tags[predicted[at + j]];
                bool ok = s.Tags[j] == chosen;
                bool seen = tagger.IsKnown(s.Words[j]);
                if (ok) correct++;
                if (seen) known++;
                if (seen && ok) knownCorrect++;
                var g = perTag.GetValueOrDefault(s.Tags[j]);
                perTag[s.Tags[j]] = (g.Tokens + 1, g.Correct + (ok ? 1 : 0), g.Predicted);
                var p = perTag.GetValueOrDefault(chosen);
                perTag[chosen] = (p.Tokens, p.Correct, p.Predicted + 1);
                if (ok) continue;
                var c = confusions.GetValueOrDefault((s.Tags[j], chosen));
                confusions[(s.Tags[j], chosen)] = (c.Count + 1, c.Unknown + (seen ? 0 : 1));
            }
        }
        return new TaggingEvaluation
        {
            Sentences = gold.Count, Tokens = total, Correct = correct, KnownTokens = known, KnownCorrect = knownCorrect,
            Fallbacks = fallbacks, Seconds = seconds, FirstPassSeconds = firstPass,
            PerTag = [.. perTag.Where(t => t.Value.Tokens > 0).Select(t => new TagAccuracy(t.Key, t.Value.Tokens, t.Value.Correct, t.Value.Predicted))
                .OrderByDescending(t => t.Tokens).ThenBy(t => t.Tag, StringComparer.Ordinal)],
            Confusions = [.. confusions.Select(c => new TagConfusion(c.Key.Gold, c.Key.Predicted, c.Value.Count, c.Value.Unknown))
                .OrderByDescending(c => c.Count).ThenBy(c => c.Gold, StringComparer.Ordinal).ThenBy(c => c.Predicted, StringComparer.Ordinal)],
        };
    }

    // Tags every sentence into predicted (Σ T), one after another; returns the seconds it took.
    private static double TagAll(TagDecoder decoder, IReadOnlyList<TaggedSentence> gold, bool mostFrequent, int[] predicted)
    {
        var clock = Stopwatch.StartNew();
        for (int i = 0, at = 0; i < gold.Count; at += gold[i].Length, i++)
        {
            var tags = predicted.AsSpan(at, gold[i].Length);
            if (mostFrequent) decoder.TagMostFrequent(gold[i].Words, tags);
            else decoder.Tag(gold[i].Words, tags);
        }
        return clock.Elapsed.TotalSeconds;
    }

    private static double Ratio(long a, long b) => b == 0 ? double.NaN : (double)a / b;
}
