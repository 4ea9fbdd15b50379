using Recur.LanguageModels;
using Recur.LanguageModels.Rnn;
using Recur.Nn.Recurrent;
using Recur.Tensors;
using Recur.Text;

namespace Recur.Reproduce.Claims;

// N: vocabulary size.

/// <summary>
/// docs/theory.md 2.2f and 2.4a: a prefix tree and an LSTM condition on the whole prefix, not on the
/// last token, so two prefixes ending in the same token can predict differently — which a
/// first-order Markov model cannot, and which is why Viterbi does not apply to them.
/// </summary>
public static class NonMarkovianModels
{
    /// <summary>How far two next-token distributions after prefixes with the same last token differ.</summary>
    /// <param name="TreeLargestFinite">The worked tree after "the red" and "a red": the largest |Δ log p| over tokens possible after both.</param>
    /// <param name="TreeOneSided">Tokens possible after one of the two prefixes and impossible after the other.</param>
    /// <param name="Lstm">A random LSTM language model after "ab" and "cb": the largest |Δ log p|.</param>
    /// <param name="EitherIsFiniteContext">Whether either model implements <see cref="IFiniteContextModel"/> (the interface Viterbi needs).</param>
    public sealed record Result(double TreeLargestFinite, int TreeOneSided, double Lstm, bool EitherIsFiniteContext);

    /// <summary>Measures both models.</summary>
    public static Result Measure()
    {
        var tree = ClaimModels.WorkedExample();
        var v = tree.Vocabulary;
        var afterTheRed = Next(tree, [v.IndexOf("the"), v.IndexOf("red")]);
        var afterARed = Next(tree, [v.IndexOf("a"), v.IndexOf("red")]);
        double largest = 0;
        int oneSided = 0;
        for (int w = 0; w < v.Count; w++)
        {
            bool p = float.IsFinite(afterTheRed[w]), q = float.IsFinite(afterARed[w]);
            if (p && q) largest = Math.Max(largest, Math.Abs(afterTheRed[w] - afterARed[w]));
            else if (p != q) oneSided++;
        }

        var chars = Tokenizer.Build(TokenizerKind.Char, "abc\n");
        var lstm = new RnnLanguageModel(chars, new RnnLanguageModelOptions { Cell = CellKind.Lstm, Embedding = 8, Hidden = 16 }, new Rng(26)) { Training = false };
        var cv = chars.Vocabulary;
        var afterAb = Next(lstm, [cv.IndexOf("a"), cv.IndexOf("b")]);
        var afterCb = Next(lstm, [cv.IndexOf("c"), cv.IndexOf("b")]);
        double lstmDifference = 0;
        for (int w = 0; w < cv.Count; w++) lstmDifference = Math.Max(lstmDifference, Math.Abs(afterAb[w] - afterCb[w]));
        return new Result(largest, oneSided, lstmDifference, IsFiniteContext(tree) || IsFiniteContext(lstm));
    }

    private static bool IsFiniteContext(ILanguageModel model) => model is IFiniteContextModel;

    // log p(next | <bos> prefix).
    private static float[] Next(ILanguageModel model, int[] prefix)
    {
        var state = model.CreateState(1);
        var dist = new float[model.Vocabulary.Count];
        model.Step(state, [model.BeginToken], dist);
        foreach (int token in prefix) model.Step(state, [token], dist);
        return dist;
    }
}
