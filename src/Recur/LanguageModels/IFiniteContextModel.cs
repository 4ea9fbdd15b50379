namespace Recur.LanguageModels;

/// <summary>
/// A language model whose future depends on a bounded context only: a first-order Markov
/// model (the last token), an order-k n-gram model (the last k−1 tokens, or the shortest suffix
/// of them the model holds). Two rows with equal contexts assign equal probabilities to every
/// continuation, so a search may merge them into one state — docs/theory.md 2.2f: "a k-th order
/// Markov model becomes first order on states of k tokens". Viterbi decoding explores exactly
/// the contexts the model reaches.
/// A recurrent network or a prefix tree conditions on the whole prefix and is not one.
/// </summary>
public interface IFiniteContextModel : ILanguageModel
{
    /// <summary>
    /// The tokens that determine row <paramref name="row"/>'s future, valid after the row has
    /// read at least the begin token. The span is only valid until the state changes.
    /// </summary>
    ReadOnlySpan<int> Context(LanguageModelState state, int row);
}
