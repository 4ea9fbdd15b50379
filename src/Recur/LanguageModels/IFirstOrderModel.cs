namespace Recur.LanguageModels;

// N: vocabulary size.

/// <summary>
/// A first-order Markov model with its whole transition matrix at hand: the next token
/// depends on the last one only, p(w_t = j | w_{t−1} = i) = P[i, j] (docs/theory.md 2.2).
/// Dense and k-best Viterbi read the matrix directly instead of stepping the model.
/// </summary>
public interface IFirstOrderModel : IFiniteContextModel
{
    /// <summary>log P[i, j] at [i·N + j], row-major (N, N); −∞ for impossible transitions.</summary>
    ReadOnlySpan<float> LogProbabilities { get; }
}
