using Recur.LanguageModels.NGrams;
using Recur.Tests.Support;

namespace Recur.Tests.LanguageModels.NGrams;

/// <summary>The worked ARPA example of docs/formats.md, the scoring API and the ILanguageModel protocol.</summary>
public class NGramModelTests
{
    internal const string TinyArpa =
        "\\data\\\nngram 1=5\nngram 2=3\n\n\\1-grams:\n" +
        "-99\t<s>\t-0.0791812\n-0.6989700\t</s>\n-1.0000000\t<unk>\n-0.3979400\ta\t-0.1461280\n-0.5228787\tb\t-0.2041200\n\n" +
        "\\2-grams:\n-0.3010300\t<s> a\n-0.3010300\ta b\n-0.3010300\tb </s>\n\n\\end\\\n";

    internal static NGramModel Load(string arpa, Recur.LanguageModels.NGrams.ArpaReadOptions? options = null)
    {
        using var dir = new TempDirectory();
        return NGramModel.Load(dir.File("model.arpa", arpa), options);
    }

    [Fact]
    public void WorkedExample_UnlistedBigram_BacksOffThroughBeginSentence()
    {
        NGramModel model = Load(TinyArpa);
        NGramScore s = model.Score(model.BeginSentenceState, "b", out _);
        AssertClose.Scalar(-0.0791812 - 0.5228787, s.Log10Probability, rtol: 0, atol: 1e-12);
        AssertClose.Scalar(Math.Log10(0.25), s.Log10Probability, rtol: 0, atol: 1e-6);
        Assert.Equal(1, s.NGramLength);
        Assert.False(s.IsOov);
    }

    [Fact]
    public void WorkedExample_SentenceAB_HasPerplexityTwo()
    {
        NGramModel model = Load(TinyArpa);
        AssertClose.Scalar(-0.90309, model.SentenceLog10Probability(["a", "b"]), rtol: 0, atol: 1e-12);
        NGramEvaluation e = model.Evaluate([["a", "b"]]);
        Assert.Equal(3, e.Tokens);
        Assert.Equal(0, e.Oov);
        AssertClose.Scalar(2.0, e.Perplexity, rtol: 1e-6);
    }

    [Fact]
    public void WorkedExample_OovAfterA_ScoredAsUnkWithOovFlagAndLengthOne()
    {
        NGramModel model = Load(TinyArpa);
        model.Score(model.BeginSentenceState, "a", out NGramState afterA);
        NGramScore s = model.Score(afterA, "c", out NGramState next);
        AssertClose.Scalar(-0.146128 - 1.0, s.Log10Probability, rtol: 0, atol: 1e-12);
        Assert.True(s.IsOov);
        Assert.Equal(1, s.NGramLength);
        Assert.Equal(model.NullContextState, next); // <unk> is no context and has back-off 1: dropped
        Assert.True(model.Score(afterA, model.UnknownToken, out _).IsOov);
    }

    [Fact]
    public void WorkedExample_EveryContextsDistribution_SumsToOne()
    {
        NGramModel model = Load(TinyArpa);
        foreach (NGramState state in new[] { model.NullContextState, model.BeginSentenceState, new NGramState(1, 3), new NGramState(1, 4) })
        {
            double sum = 0;
            for (int w = 0; w < model.Vocabulary.Count; w++) sum += Math.Pow(10, model.Score(state, w, out _).Log10Probability);
            AssertClose.Scalar(1.0, sum, rtol: 0, atol: 2e-6, what: string.Join(' ', model.ContextWords(state)));
        }
        // After a: 0.5 + 0.7143 · (0.4 + 0.2 + 0.1).
        model.Score(model.BeginSentenceState, "a", out NGramState afterA);
        AssertClose.Scalar(-0.30103, model.Score(afterA, "b", out _).Log10Probability, rtol: 0, atol: 1e-12);
    }

    [Fact]
    public void WorkedExample_BeginSentenceIsNeverPredicted_InBothConventions()
    {
        NGramModel srilm = Load(TinyArpa);
        NGramModel kenlm = Load(TinyArpa.Replace("-99\t<s>", "0\t<s>"));
        foreach (NGramModel model in new[] { srilm, kenlm })
        {
            Assert.Equal(double.NegativeInfinity, model.Score(model.NullContextState, "<s>", out _).Log10Probability);
            var row = new float[model.Vocabulary.Count];
            model.NextLogProbs(model.BeginSentenceState, row);
            Assert.Equal(float.NegativeInfinity, row[model.BeginToken]);
            AssertClose.Scalar(-0.6020599, model.Score(model.BeginSentenceState, "b", out _).Log10Probability, rtol: 0, atol: 1e-7);
        }
    }

    [Fact]
    public void Step_FromCreateState_MatchesScoreInNaturalLog()
    {
        NGramModel model = Load(TinyArpa);
        int v = model.Vocabulary.Count;
        var state = model.CreateState(2);
        var logProbs = new float[2 * v];
        model.Step(state, [model.BeginToken, model.BeginToken], logProbs);
        int a = model.Vocabulary.IndexOf("a"), b = model.Vocabulary.IndexOf("b");
        model.Step(state, [a, b], logProbs);
        model.Score(model.BeginSentenceState, a, out NGramState afterA);
        model.Score(model.BeginSentenceState, b, out NGramState afterB);
        Assert.Equal(afterA, model.RowState(state, 0));
        Assert.Equal(afterB, model.RowState(state, 1));
        for (int w = 0; w < v; w++)
        {
            Assert.Equal(model.Score(afterA, w, out _).LogProbability, logProbs[w], 5);
            Assert.Equal(model.Score(afterB, w, out _).LogProbability, logProbs[v + w], 5);
        }
        Assert.Equal(Math.Log(0.5), logProbs[b], 5);
        Assert.Equal(model.EndToken, model.Vocabulary.IndexOf("</s>"));
    }

    [Fact]
    public void Gather_CopiesRowsIntoTheDestination()
    {
        NGramModel model = Load(TinyArpa);
        int v = model.Vocabulary.Count, a = model.Vocabulary.IndexOf("a");
        var state = model.CreateState(2);
        var logProbs = new float[2 * v];
        model.Step(state, [model.BeginToken, model.BeginToken], logProbs);
        model.Step(state, [a, model.EndToken], logProbs);
        var gathered = model.CreateState(3);
        model.Gather(state, [1, 0, 0], gathered);
        Assert.Equal(model.RowState(state, 1), model.RowState(gathered, 0));
        Assert.Equal(model.RowState(state, 0), model.RowState(gathered, 2));
        Assert.Throws<ArgumentException>(() => model.Gather(state, [0, 1], state));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Gather(state, [0, 2, 0], gathered));
    }

    [Fact]
    public void States_ReachingTheSameContext_AreEqualAndHashEqual()
    {
        NGramModel model = Load(TinyArpa);
        model.Score(model.BeginSentenceState, "a", out NGramState viaBos);
        model.Score(model.NullContextState, "a", out NGramState viaNull);
        model.Score(new NGramState(1, model.Vocabulary.IndexOf("b")), "a", out NGramState viaB);
        Assert.Equal(viaBos, viaNull);
        Assert.Equal(viaBos, viaB);
        Assert.Equal(viaBos.GetHashCode(), viaB.GetHashCode());
        Assert.Equal(["a"], model.ContextWords(viaBos));
        model.Score(viaBos, "</s>", out NGramState afterEnd);
        Assert.Equal(model.NullContextState, afterEnd);
    }

    [Fact]
    public void ClosedVocabulary_UnknownWord_HasProbabilityZeroLengthZero()
    {
        string closed = TinyArpa.Replace("ngram 1=5", "ngram 1=4").Replace("-1.0000000\t<unk>\n", "");
        NGramModel model = Load(closed);
        Assert.False(model.IsOpenVocabulary);
        Assert.Equal(-1, model.WordId("c"));
        NGramScore s = model.Score(model.BeginSentenceState, "c", out NGramState next);
        Assert.Equal(double.NegativeInfinity, s.Log10Probability);
        Assert.True(s.IsOov);
        Assert.Equal(0, s.NGramLength);
        Assert.Equal(model.NullContextState, next);
        NGramEvaluation e = model.Evaluate([["a", "c"]]);
        Assert.Equal(1, e.Oov);
        Assert.Equal(double.PositiveInfinity, e.PerplexityWithOov);
        Assert.True(double.IsFinite(e.Perplexity));
    }

    [Fact]
    public void PrunedModel_MissingSubNGrams_AnswerByTheBackoffRuleAndAreNotWrittenBack()
    {
        // The trigram "a b c" is listed but its prefix "a b" and suffix "b c" are not (SRILM pruning).
        const string pruned = "\\data\\\nngram 1=5\nngram 2=1\nngram 3=1\n\n\\1-grams:\n" +
            "-99\t<s>\t-0.3\n-0.5\t</s>\n-0.6\ta\t-0.2\n-0.7\tb\t-0.1\n-0.8\tc\n\n" +
            "\\2-grams:\n-0.4\t<s> a\n\n\\3-grams:\n-0.05\ta b c\n\n\\end\\\n";
        NGramModel model = Load(pruned);
        model.Score(model.NullContextState, "a", out NGramState afterA);
        NGramScore b = model.Score(afterA, "b", out NGramState afterAB);
        AssertClose.Scalar(-0.2 - 0.7, b.Log10Probability, rtol: 0, atol: 1e-12);
        Assert.Equal(["a", "b"], model.ContextWords(afterAB));
        AssertClose.Scalar(-0.05, model.Score(afterAB, "c", out _).Log10Probability, rtol: 0, atol: 1e-12);
        // P(</s> | a b) = bow(a b) + bow(b) + P(</s>) with bow(a b) = 1.
        AssertClose.Scalar(-0.1 - 0.5, model.Score(afterAB, "</s>", out _).Log10Probability, rtol: 0, atol: 1e-12);
        Assert.Equal(1, model.NGramCount(2));
        var text = new StringWriter();
        Recur.LanguageModels.NGrams.ArpaWriter.Write(model, text);
        Assert.DoesNotContain("a b\t", text.ToString());
        Assert.DoesNotContain("\tb c", text.ToString());
        Assert.Contains("ngram 2=1\n", text.ToString());
    }

    [Fact]
    public void Score_RejectsForeignStatesAndWordIds()
    {
        NGramModel model = Load(TinyArpa);
        Assert.Throws<ArgumentException>(() => model.Score(new NGramState(2, 0), 0, out _));
        Assert.Throws<ArgumentException>(() => model.Score(new NGramState(1, 99), 0, out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => model.Score(model.NullContextState, 5, out _));
        Assert.Throws<ArgumentException>(() => model.Step(model.CreateState(1), [0, 0], new float[10]));
    }
}
