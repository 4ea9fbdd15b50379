using Recur.LanguageModels.NGrams;
using Recur.Tests.Support;

namespace Recur.Tests.LanguageModels.NGrams;

/// <summary>A trigram model of real text (../shared/data/tinyshakespeare.txt as words; skipped without it).</summary>
public class NGramSharedDataTests
{
    [SharedDataFact("tinyshakespeare.txt")]
    public void TinyShakespeareWords_TrigramMkn_ClosedFormDiscountsAndNormalizedDistributions()
    {
        string[] lines = File.ReadAllLines(SharedData.Find("tinyshakespeare.txt")!);
        int split = lines.Length * 9 / 10;
        string[][] Sentences(IEnumerable<string> part) => part.Select(Recur.Text.SentenceCorpus.Tokenize).Where(s => s.Length > 0).ToArray();

        KneserNeyResult r = KneserNeyTrainer.Train(Sentences(lines.Take(split)), new KneserNeyOptions { Order = 3 });
        Assert.All(r.Orders, o => Assert.False(o.UsedFallback));
        Assert.All(r.Orders, o => Assert.InRange(o.Discount.D1, 0.5, 1.0));

        NGramEvaluation e = r.Model.Evaluate(Sentences(lines.Skip(split)));
        // A word trigram on 200k words of Shakespeare: far better than the unigram, far from perfect.
        Assert.InRange(e.Perplexity, 100, 600);
        NGramEvaluation unigram = KneserNeyTrainer.Train(Sentences(lines.Take(split)), new KneserNeyOptions { Order = 1 }).Model.Evaluate(Sentences(lines.Skip(split)));
        Assert.True(e.Perplexity < 0.6 * unigram.Perplexity, $"trigram {e.Perplexity} vs unigram {unigram.Perplexity}");

        NGramModel m = r.Model;
        foreach (string context in new[] { "", "<s>", "<s> First", "to be", "my lord", "zzz unseen" })
        {
            NGramState state = m.NullContextState;
            foreach (string w in context.Split(' ', StringSplitOptions.RemoveEmptyEntries)) m.Score(state, w, out state);
            KneserNeyTrainerTests.CheckDistribution(m, state, context);
        }
    }
}
