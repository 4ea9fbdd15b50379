using System.Text.Json;
using Recur.LanguageModels.NGrams;
using Recur.Tensors;
using Recur.Tests.Support;

namespace Recur.Tests.LanguageModels.NGrams;

/// <summary>Interpolated modified Kneser-Ney: hand-computed values, properties, and the golden reimplementation.</summary>
public class KneserNeyTrainerTests
{
    private static readonly KneserNeyOptions Fallback = new() { Order = 2, DiscountFallback = KneserNeyDiscount.KenLmFallback };

    private static string[][] Sentences(params string[] lines) => Array.ConvertAll(lines, l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries));

    [Fact]
    public void ClosedForm_MatchesChenGoodmanEquation26()
    {
        Assert.Null(KneserNeyTrainer.ClosedForm([0, 10, 4, 2, 1], out KneserNeyDiscount d));
        double y = 10.0 / 18.0;
        AssertClose.Scalar(1 - 2 * y * 4 / 10, d.D1, rtol: 1e-15);
        AssertClose.Scalar(2 - 3 * y * 2 / 4, d.D2, rtol: 1e-15);
        AssertClose.Scalar(3 - 4 * y * 1 / 2, d.D3Plus, rtol: 1e-15);
        Assert.Contains("n2 = 0", KneserNeyTrainer.ClosedForm([0, 10, 0, 2, 1], out _));
        Assert.Contains("D2 = -23 is outside (0, 2)", KneserNeyTrainer.ClosedForm([0, 10, 1, 10, 1], out _));
    }

    [Fact]
    public void TinyCorpus_CountsDiscountsAndProbabilities_MatchHandComputation()
    {
        // <s> a b </s> | <s> a c </s> | <s> b </s>. Unigram adjusted counts are continuation counts:
        // a {<s>} = 1, b {a, <s>} = 2, c {a} = 1, </s> {b, c} = 2, total 6. With D = 0.5, 1, 1.5:
        // γ(ε) = (0.5·2 + 1·2)/6 = 1/2, spread over V − 1 = 5 words (<unk> </s> a b c).
        KneserNeyResult r = KneserNeyTrainer.Train(Sentences("a b", "a c", "b"), Fallback);
        Assert.Equal([6, 6], r.Orders.Select(o => o.NGrams));
        Assert.Equal((2L, 2L, 0L, 0L), (r.Orders[0].N1, r.Orders[0].N2, r.Orders[0].N3, r.Orders[0].N4));
        Assert.Equal((4L, 2L), (r.Orders[1].N1, r.Orders[1].N2));
        Assert.True(r.Orders[0].UsedFallback);
        Assert.Equal(["<unk>", "<s>", "</s>", "a", "b", "c"], r.Model.Vocabulary.Tokens);

        NGramModel m = r.Model;
        double P(string context, string word) =>
            Math.Pow(10, m.Score(context == "" ? m.NullContextState : Context(m, context), word, out _).Log10Probability);
        AssertClose.Scalar(1.0 / 12 + 0.1, P("", "a"), rtol: 1e-12);
        AssertClose.Scalar(1.0 / 6 + 0.1, P("", "b"), rtol: 1e-12);
        AssertClose.Scalar(0.1, P("", "<unk>"), rtol: 1e-12);
        // Context <s>: a ×2, b ×1 (raw counts: they start with <s>); γ(<s>) = (0.5 + 1)/3.
        AssertClose.Scalar(1.0 / 3 + 0.5 * (1.0 / 12 + 0.1), P("<s>", "a"), rtol: 1e-12);
        AssertClose.Scalar(0.5 / 3 + 0.5 * (1.0 / 6 + 0.1), P("<s>", "b"), rtol: 1e-12);
        AssertClose.Scalar(0.5 * (1.0 / 12 + 0.1), P("<s>", "c"), rtol: 1e-12);
        AssertClose.Scalar(0.5 / 2 + 0.5 * (1.0 / 6 + 0.1), P("a", "b"), rtol: 1e-12);
        AssertClose.Scalar(1.0 / 2 + 0.5 * (1.0 / 6 + 0.1), P("b", "</s>"), rtol: 1e-12);
    }

    private static NGramState Context(NGramModel m, string words)
    {
        NGramState state = m.NullContextState;
        foreach (string w in words.Split(' ')) m.Score(state, w, out state);
        return state;
    }

    [Fact]
    public void WithoutUnigramInterpolation_LeftoverMassGoesToUnk()
    {
        KneserNeyResult r = KneserNeyTrainer.Train(Sentences("a b", "a c", "b"), Fallback with { InterpolateUnigrams = false });
        NGramModel m = r.Model;
        AssertClose.Scalar(0.5, Math.Pow(10, m.Score(m.NullContextState, "zzz", out _).Log10Probability), rtol: 1e-12);
        AssertClose.Scalar(1.0 / 12, Math.Pow(10, m.Score(m.NullContextState, "a", out _).Log10Probability), rtol: 1e-12);
    }

    [Fact]
    public void BadDiscounts_WithoutFallback_ThrowOneLineExplanation()
    {
        var e = Assert.Throws<InputException>(() => KneserNeyTrainer.Train(Sentences("a b", "a c", "b"), new KneserNeyOptions { Order = 2 }, "toy.txt"));
        Assert.Equal("toy.txt", e.Subject);
        Assert.Contains("1-grams", e.Message);
        Assert.Contains("KneserNeyOptions.DiscountFallback", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void SentenceMarkersInsideASentence_AndNoWords_Rejected()
    {
        Assert.Contains("sentence 2", Assert.Throws<InputException>(() => KneserNeyTrainer.Train(Sentences("a", "b </s> c"), Fallback)).Message);
        Assert.Throws<InputException>(() => KneserNeyTrainer.Train([[], []], Fallback));
    }

    [Fact]
    public void Options_RejectBadHyperParameters()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new KneserNeyOptions { Order = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new KneserNeyOptions { Order = NGramModel.MaxOrder + 1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new KneserNeyOptions { DiscountFallback = new KneserNeyDiscount(1.5, 1, 1) });
        Assert.Throws<ArgumentOutOfRangeException>(() => new KneserNeyOptions { DiscountFallback = new KneserNeyDiscount(0.5, 0, 1) });
    }

    /// <summary>Random small corpora, orders 1–4: every context's distribution sums to 1, Step agrees with Score, write → read is exact.</summary>
    [Fact]
    public void RandomCorpora_DistributionsSumToOne_StepMatchesScore_RoundTripIsExact()
    {
        var rng = new Rng(20240611);
        for (int trial = 0; trial < 24; trial++)
        {
            int order = 1 + trial % 4;
            int words = 2 + rng.NextInt(6);
            var corpus = new List<string[]>();
            int count = 2 + rng.NextInt(12);
            for (int s = 0; s < count; s++)
            {
                var sentence = new string[rng.NextInt(7)];
                for (int i = 0; i < sentence.Length; i++) sentence[i] = "w" + rng.NextInt(words);
                corpus.Add(sentence);
            }
            if (corpus.All(s => s.Length == 0)) corpus.Add(["w0"]);
            var options = new KneserNeyOptions { Order = order, DiscountFallback = new KneserNeyDiscount(0.4, 0.9, 1.3), InterpolateUnigrams = trial % 3 != 0 };
            NGramModel model = KneserNeyTrainer.Train(corpus, options).Model;
            string what = $"trial {trial}, order {order}";

            foreach (NGramState state in States(model, rng)) CheckDistribution(model, state, what);
            CheckRoundTrip(model, what);
        }
    }

    /// <summary>Every listed context, and contexts reached by random (often unseen) word sequences.</summary>
    private static IEnumerable<NGramState> States(NGramModel model, Rng rng)
    {
        yield return model.NullContextState;
        for (int n = 1; n < model.Order; n++)
            for (int e = 0; e < model.Trie.Levels[n].Count; e++) yield return new NGramState(n, e);
        for (int walk = 0; walk < 8; walk++)
        {
            NGramState state = walk % 2 == 0 ? model.BeginSentenceState : model.NullContextState;
            for (int i = 0; i < 5; i++)
            {
                int w = rng.NextInt(model.Vocabulary.Count);
                model.Score(state, w, out state);
                yield return state;
            }
        }
    }

    internal static void CheckDistribution(NGramModel model, NGramState state, string what)
    {
        int v = model.Vocabulary.Count;
        var row = new float[v];
        model.NextLogProbs(state, row);
        double sum = 0.0;
        for (int w = 0; w < v; w++)
        {
            double log = model.Score(state, w, out _).LogProbability;
            sum += Math.Exp(log);
            if (double.IsNegativeInfinity(log)) Assert.Equal(float.NegativeInfinity, row[w]);
            else Assert.True(Math.Abs(row[w] - log) <= 1e-5 * Math.Max(1, Math.Abs(log)), $"{what}: Step row {row[w]} vs Score {log} for word {w}");
        }
        AssertClose.Scalar(1.0, sum, rtol: 0, atol: 1e-9, what: $"{what}, context '{string.Join(' ', model.ContextWords(state))}'");
    }

    // With all 17 digits write → read is exact; with the default 7 (SRILM's and KenLM's) every
    // number is within half a unit of the 7th digit, and writing what was read changes nothing.
    private static void CheckRoundTrip(NGramModel model, string what)
    {
        foreach (int digits in new[] { ArpaWriteOptions.ExactDigits, 7 })
        {
            var options = new ArpaWriteOptions { SignificantDigits = digits };
            var first = new StringWriter();
            ArpaWriter.Write(model, first, options);
            NGramModel back = NGramModelTests.Load(first.ToString());
            var second = new StringWriter();
            ArpaWriter.Write(back, second, options);
            Assert.Equal(first.ToString(), second.ToString());
            for (int n = 1; n <= model.Order; n++)
            {
                NGramLevel a = model.Trie.Levels[n], b = back.Trie.Levels[n];
                AssertDigits(a.Log10Prob, b.Log10Prob, digits, what);
                AssertDigits(a.Log10Backoff, b.Log10Backoff, digits, what);
                Assert.Equal(a.Suffix, b.Suffix);
                Assert.Equal(a.Oldest, b.Oldest);
            }
            Assert.Equal(model.Vocabulary.Tokens, back.Vocabulary.Tokens);
        }
    }

    private static void AssertDigits(double[] expected, double[] actual, int digits, string what)
    {
        if (digits == ArpaWriteOptions.ExactDigits)
        {
            Assert.Equal(expected, actual);
            return;
        }
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            if (expected[i] != actual[i])
                Assert.True(Math.Abs(expected[i] - actual[i]) <= 0.5 * Math.Pow(10, Math.Floor(Math.Log10(Math.Abs(expected[i]))) - digits + 1) * (1 + 1e-9),
                    $"{what}: {expected[i]:R} written with {digits} digits reads back as {actual[i]:R}");
    }

    public static TheoryData<string> GoldenCases() => new(Golden().Select(c => c.GetProperty("name").GetString()!));

    private static IEnumerable<JsonElement> Golden()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "Golden", "ngram_mkn.json");
        return JsonDocument.Parse(File.ReadAllText(path)).RootElement.GetProperty("cases").EnumerateArray().ToArray();
    }

    /// <summary>tools/golden/ngram_mkn.py: an independent plain-Python interpolated MKN from the counts.</summary>
    [Theory]
    [MemberData(nameof(GoldenCases))]
    public void Golden_MatchesPythonReimplementation(string name)
    {
        JsonElement c = Golden().Single(g => g.GetProperty("name").GetString() == name);
        KneserNeyDiscount? fallback = c.GetProperty("fallback").ValueKind == JsonValueKind.Null ? null
            : new KneserNeyDiscount(c.GetProperty("fallback")[0].GetDouble(), c.GetProperty("fallback")[1].GetDouble(), c.GetProperty("fallback")[2].GetDouble());
        var options = new KneserNeyOptions { Order = c.GetProperty("order").GetInt32(), DiscountFallback = fallback, InterpolateUnigrams = c.GetProperty("interpolate_unigrams").GetBoolean() };
        string[][] Lines(string key) => c.GetProperty(key).EnumerateArray().Select(s => s.GetString()!.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToArray();

        KneserNeyResult r = KneserNeyTrainer.Train(Lines("train"), options);
        Assert.Equal(c.GetProperty("vocabulary").GetInt32(), r.Model.Vocabulary.Count);
        Assert.Equal(c.GetProperty("ngrams").EnumerateArray().Select(x => x.GetInt32()), r.Orders.Select(o => o.NGrams));
        for (int n = 0; n < options.Order; n++)
        {
            JsonElement t = c.GetProperty("counts_of_counts")[n], d = c.GetProperty("discounts")[n];
            Assert.Equal([t[0].GetInt64(), t[1].GetInt64(), t[2].GetInt64(), t[3].GetInt64()], new[] { r.Orders[n].N1, r.Orders[n].N2, r.Orders[n].N3, r.Orders[n].N4 });
            AssertClose.All([d[0].GetDouble(), d[1].GetDouble(), d[2].GetDouble()], [r.Orders[n].Discount.D1, r.Orders[n].Discount.D2, r.Orders[n].Discount.D3Plus], rtol: 1e-13, atol: 0);
            Assert.Equal(c.GetProperty("used_fallback")[n].GetBoolean(), r.Orders[n].UsedFallback);
        }

        NGramModel m = r.Model;
        foreach (JsonElement q in c.GetProperty("queries").EnumerateArray())
        {
            NGramState state = m.NullContextState;
            foreach (JsonElement w in q.GetProperty("context").EnumerateArray()) m.Score(state, w.GetString()!, out state);
            double actual = m.Score(state, q.GetProperty("word").GetString()!, out _).Log10Probability;
            AssertClose.Scalar(q.GetProperty("log10").GetDouble(), actual, rtol: 0, atol: 1e-12, what: q.ToString());
        }

        NGramEvaluation e = m.Evaluate(Lines("test"));
        Assert.Equal(c.GetProperty("tokens").GetInt64(), e.Tokens);
        Assert.Equal(c.GetProperty("oov").GetInt64(), e.Oov);
        AssertClose.Scalar(c.GetProperty("log10_prob").GetDouble(), e.Log10Probability, rtol: 1e-12);
        AssertClose.Scalar(c.GetProperty("perplexity").GetDouble(), e.Perplexity, rtol: 1e-11);
    }
}
