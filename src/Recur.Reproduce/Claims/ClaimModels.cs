using Recur.LanguageModels.Markov;
using Recur.LanguageModels.NGrams;
using Recur.LanguageModels.PrefixTrees;
using Recur.Tensors;
using Recur.Text;

namespace Recur.Reproduce.Claims;

// N: vocabulary size.

/// <summary>The explicit language models the decoding claims are checked on (docs/theory.md §2).</summary>
public static class ClaimModels
{
    /// <summary>
    /// A seeded random Markov model of <paramref name="n"/> tokens (token 0 = begin; with an end
    /// token, the last). Rows are log-softmax of random logits 3·U(0, 1); a fraction
    /// <paramref name="sparsity"/> of the entries are zero (−∞), and about a third of the rows
    /// lose mass (sum below 1), which decoders must handle; the end token is often likely, so
    /// sequences end at every length.
    /// </summary>
    public static MarkovModel RandomMarkov(Rng rng, int n, bool withEnd, double sparsity = 0.2)
    {
        ArgumentNullException.ThrowIfNull(rng);
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 2);
        var tokens = new List<string> { "<bos>" };
        for (int i = 1; i < n; i++) tokens.Add(withEnd && i == n - 1 ? "<eos>" : $"w{i}");
        int end = withEnd ? n - 1 : -1;
        var lp = new float[n * n];
        for (int i = 0; i < n; i++)
        {
            var row = lp.AsSpan(i * n, n);
            row.Fill(float.NegativeInfinity);
            if (i == end) continue;
            var logits = new double[n];
            double max = double.NegativeInfinity;
            for (int j = 1; j < n; j++)
            {
                bool zero = rng.NextDouble() < sparsity && j != 1;  // keep one token possible
                logits[j] = zero ? double.NegativeInfinity : 3 * rng.NextDouble();
                max = Math.Max(max, logits[j]);
            }
            double z = 0;
            for (int j = 1; j < n; j++) z += Math.Exp(logits[j] - max);
            double lost = rng.NextDouble() < 0.3 ? Math.Log(0.5 + 0.5 * rng.NextDouble()) : 0;
            // −1e-7 keeps float rounding from pushing a row's sum above 1.
            for (int j = 1; j < n; j++) row[j] = (float)(logits[j] - max - Math.Log(z) + lost - 1e-7);
        }
        return new MarkovModel(new Vocabulary(tokens), 0, end, lp);
    }

    /// <summary>
    /// An order-<paramref name="order"/> modified Kneser-Ney model of a random little corpus
    /// (4 … 13 sentences of 1 … 4 words from {a, b, c, d}), with KenLM's fallback discounts, since
    /// such corpora rarely have the counts of counts the closed form needs (docs/theory.md 2.2f).
    /// </summary>
    public static NGramModel RandomNGram(Rng rng, int order)
    {
        ArgumentNullException.ThrowIfNull(rng);
        string[] words = ["a", "b", "c", "d"];
        var sentences = new List<string[]>();
        int count = 4 + rng.NextInt(10);
        for (int s = 0; s < count; s++)
        {
            var sentence = new string[1 + rng.NextInt(4)];
            for (int i = 0; i < sentence.Length; i++) sentence[i] = words[rng.NextInt(words.Length)];
            sentences.Add(sentence);
        }
        var options = new KneserNeyOptions { Order = order, DiscountFallback = KneserNeyDiscount.KenLmFallback };
        return KneserNeyTrainer.Train(sentences, options).Model;
    }

    /// <summary>The prefix tree of docs/theory.md 2.4 (conditional log-probabilities; unlisted branches have probability 0).</summary>
    public static IReadOnlyList<TreeBranch> WorkedExampleBranches() =>
    [
        new("the", -1.5, [
            new("red", -3.1, [new("rectangle", -4.5, []), new("circle", -4.8, [])]),
            new("green", -3.4, [new("rectangle", -3.3, []), new("ellipse", -3.6, [])]),
        ]),
        new("a", -1.8, [
            new("red", -2.7, [new("circle", -4.9, []), new("square", -5.1, [])]),
            new("blue", -2.5, [new("ellipse", -5.4, []), new("square", -5.0, [])]),
        ]),
    ];

    /// <summary>The model of docs/theory.md 2.4, begin token &lt;bos&gt;.</summary>
    public static PrefixTreeModel WorkedExample() => new("<bos>", WorkedExampleBranches());
}
