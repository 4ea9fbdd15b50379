using Recur.LanguageModels.NGrams;
using Recur.LanguageModels.Rnn;
using Recur.Text;

namespace Recur.LanguageModels.Scoring;

/// <summary>
/// A word-level recurrent model mixed with an n-gram model word by word:
/// p(w | h) = λ·p_rnn(w | h) + (1 − λ)·p_ngram(w | h), where the recurrent model reads the
/// text as one stream and the n-gram model sees the current sentence's history from &lt;s&gt;
/// (SRILM's <c>ngram -lm A -mix-lm B -lambda λ</c>; Mikolov et al. 2011 report the gains of such
/// mixtures). Both models must predict the same words: the recurrent model's vocabulary (with
/// &lt;eos&gt; for &lt;/s&gt;) must equal the n-gram model's (without &lt;s&gt;).
/// </summary>
public sealed class Interpolation
{
    private readonly RnnScorer _rnn;
    private readonly NGramModel _ngram;
    private readonly Tokenizer _tokenizer;

    /// <summary>
    /// Checks that the models share their words; <paramref name="checkpoint"/> and
    /// <paramref name="arpa"/> name them in the <see cref="InputException"/> thrown otherwise.
    /// </summary>
    public Interpolation(RnnLanguageModel rnn, NGramModel ngram, string checkpoint, string arpa)
    {
        ArgumentNullException.ThrowIfNull(rnn);
        ArgumentNullException.ThrowIfNull(ngram);
        _tokenizer = rnn.Tokenizer;
        if (_tokenizer.Kind != TokenizerKind.Word)
            throw new InputException(checkpoint, $"has a {Choice<TokenizerKind>.Name(_tokenizer.Kind)} tokenizer; interpolating with an n-gram model needs a word model over the same words");
        var mine = _tokenizer.Vocabulary.Tokens.Where(t => t != Tokenizer.EndOfLine).ToHashSet(StringComparer.Ordinal);
        var theirs = ngram.Vocabulary.Tokens.Where(t => t is not NGramModel.BeginSentence and not NGramModel.EndSentence).ToHashSet(StringComparer.Ordinal);
        var onlyMine = mine.Except(theirs).Order(StringComparer.Ordinal).ToList();
        var onlyTheirs = theirs.Except(mine).Order(StringComparer.Ordinal).ToList();
        if (onlyMine.Count > 0 || onlyTheirs.Count > 0)
            throw new InputException(arpa, $"has a different vocabulary from {checkpoint} ({theirs.Count} words against {mine.Count}; " +
                $"{onlyTheirs.Count} only in the n-gram model, e.g. {Examples(onlyTheirs)}; {onlyMine.Count} only in the checkpoint, e.g. {Examples(onlyMine)}); " +
                "interpolation needs both models over the same words: train them on the same prepared text");
        _rnn = new RnnScorer(rnn);
        _ngram = ngram;
    }

    /// <summary>
    /// ln p of every word of <paramref name="lines"/> (each non-blank line's words and its end)
    /// under each model, in order, with the word (its vocabulary form: &lt;unk&gt; for unknown words, &lt;eos&gt; for the end).
    /// </summary>
    public (string[] Words, double[] Rnn, double[] NGram) Score(IReadOnlyList<string> lines)
    {
        var scored = _rnn.ScoreLines(lines);
        var words = new List<string>();
        var rnn = new List<double>();
        var ngram = new List<double>();
        for (int i = 0; i < lines.Count; i++)
        {
            var (ids, lps) = scored[i];
            if (ids.Length == 0) continue;
            NGramState state = _ngram.BeginSentenceState;
            for (int k = 0; k < ids.Length; k++)
            {
                bool end = k == ids.Length - 1;
                string word = end ? NGramModel.EndSentence : _tokenizer.Vocabulary[ids[k]];
                var s = _ngram.Score(state, word, out NGramState next);
                state = next;
                words.Add(end ? Tokenizer.EndOfLine : word);
                rnn.Add(lps[k]);
                ngram.Add(s.LogProbability);
            }
        }
        return ([.. words], [.. rnn], [.. ngram]);
    }

    /// <summary>ln(λ·e^a + (1 − λ)·e^b), computed without underflow.</summary>
    public static double Mix(double a, double b, double lambda)
    {
        if (lambda >= 1) return a;
        if (lambda <= 0) return b;
        double x = Math.Log(lambda) + a, y = Math.Log(1 - lambda) + b;
        double m = Math.Max(x, y);
        return double.IsNegativeInfinity(m) ? m : m + Math.Log(Math.Exp(x - m) + Math.Exp(y - m));
    }

    /// <summary>
    /// The λ that maximizes Σ ln(λ·p_a + (1 − λ)·p_b) over the tokens, by expectation
    /// maximization from λ = 0.5 (SRILM's compute-best-mix): λ ← mean of the posteriors
    /// λ·p_a / (λ·p_a + (1 − λ)·p_b), until it moves less than <paramref name="tolerance"/>.
    /// </summary>
    public static double BestLambda(IReadOnlyList<double> a, IReadOnlyList<double> b, double tolerance = 1e-6, int maxIterations = 1000)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Count != b.Count || a.Count == 0) throw new ArgumentException("Both models need scores for the same, non-empty list of tokens.");
        double lambda = 0.5;
        for (int iteration = 0; iteration < maxIterations; iteration++)
        {
            double sum = 0;
            for (int i = 0; i < a.Count; i++)
            {
                double mixed = Mix(a[i], b[i], lambda);
                sum += double.IsNegativeInfinity(mixed) ? 0.5 : Math.Exp(Math.Log(lambda) + a[i] - mixed);
            }
            double next = sum / a.Count;
            bool done = Math.Abs(next - lambda) < tolerance;
            lambda = next;
            if (done) break;
        }
        return lambda;
    }

    private static string Examples(List<string> words) => words.Count == 0 ? "none" : string.Join(" ", words.Take(3).Select(w => $"'{w}'"));
}
