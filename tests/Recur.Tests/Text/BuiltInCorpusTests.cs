using Recur.Tensors;
using Recur.Text;

namespace Recur.Tests.Text;

public class BuiltInCorpusTests
{
    [Fact]
    public void Grammar_ContainsEveryWordOfTheTreeExample()
    {
        var words = BuiltInCorpus.Grammar.Words;
        foreach (string w in new[] { "the", "a", "red", "green", "blue", "rectangle", "circle", "ellipse", "square" })
            Assert.Contains(w, words);
    }

    [Fact]
    public void ExactEntropy_MatchesMonteCarloEstimateFrom100000Sentences()
    {
        var g = BuiltInCorpus.Grammar;
        var stats = g.Statistics();
        var rng = new Rng(2024);
        const int n = 100_000;
        double sum = 0, sumSq = 0, chars = 0, words = 0;
        for (int i = 0; i < n; i++)
        {
            var s = g.Sample(rng);
            double nll = -g.LogProbability(s);
            sum += nll;
            sumSq += nll * nll;
            chars += StochasticGrammar.Render(s).Length;
            words += s.Count;
        }
        double mean = sum / n;
        double stdErr = Math.Sqrt((sumSq / n - mean * mean) / n);
        // Four standard errors: a false failure about once in 16,000 runs (and the seed is fixed).
        Assert.InRange(stats.EntropyPerSentence, mean - 4 * stdErr, mean + 4 * stdErr);
        Assert.InRange(stats.CharactersPerSentence, chars / n * 0.99, chars / n * 1.01);
        Assert.InRange(stats.WordsPerSentence, words / n * 0.99, words / n * 1.01);
        double perChar = sum / chars;
        Assert.InRange(stats.EntropyPerCharacter, perChar * 0.99, perChar * 1.01);
    }

    [Fact]
    public void MostLikely_IsTheBestSentenceAndBeatsEveryOtherSample()
    {
        var g = BuiltInCorpus.Grammar;
        var (words, logp) = g.MostLikely();
        Assert.Equal("the red rectangle is left of the red circle .", string.Join(' ', words));
        Assert.Equal(Math.Log(0.6 * 0.35 * 0.4 * 0.3 * 0.55 * 0.35 * 0.4 * 0.85), logp, 12);
        Assert.Equal(logp, g.LogProbability(words), 12);
        var rng = new Rng(5);
        for (int i = 0; i < 20_000; i++) Assert.True(g.LogProbability(g.Sample(rng)) <= logp + 1e-12);
    }

    [Fact]
    public void ExpectedVisits_HandleTheAndLoop()
    {
        var g = BuiltInCorpus.Grammar;
        double[] v = g.ExpectedVisits();
        int relation = Enumerable.Range(0, g.StateCount).First(s => g.StateName(s) == "relation");
        // Each sentence has 1 + Geometric number of relations: E = 1 / 0.85.
        Assert.Equal(1 / 0.85, v[relation], 12);
        Assert.Equal(1.0, v[g.Final], 12);
    }

    [Fact]
    public void Generate_IsSeededAndLineBased()
    {
        string a = BuiltInCorpus.Generate(50, 7), b = BuiltInCorpus.Generate(50, 7), c = BuiltInCorpus.Generate(50, 8);
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.Equal(50, a.Count(ch => ch == '\n'));
        Assert.All(a.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => Assert.EndsWith(" .", line));
    }

    [Fact]
    public void Grammar_RejectsAmbiguousOrUnnormalizedStates()
    {
        Assert.Throws<ArgumentException>(() => new StochasticGrammar([("s", [("x", 0.5, "f"), ("x", 0.5, "f")])], "f"));
        Assert.Throws<ArgumentException>(() => new StochasticGrammar([("s", [("x", 0.5, "f"), ("y", 0.4, "f")])], "f"));
        Assert.Throws<ArgumentException>(() => new StochasticGrammar([("s", [("x", 1.0, "nowhere")])], "f"));
    }
}
