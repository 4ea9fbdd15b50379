using Recur.Text;

namespace Recur.LanguageModels;

/// <summary>
/// The one incremental interface every decoder works over (docs/theory.md §2): a distribution over
/// the next token given the prefix so far, advanced one token at a time for a batch of
/// independent rows. Markov, prefix-tree, n-gram and RNN language models all implement it.
/// <para>
/// Protocol: <see cref="CreateState"/> makes <c>batch</c> rows in the empty state (nothing
/// read yet). <see cref="Step"/> reads one token per row — first <see cref="BeginToken"/>, then
/// the chosen continuations — advances each row's state in place, and writes the natural-log
/// probabilities of every possible next token, row-major [batch × N]. Impossible tokens get
/// −∞. The begin token is context only and is never predicted (its log-probability is −∞) —
/// unless it is also the end token, as in a model trained on a stream of sentences, where the
/// separator both starts a sentence (as context) and ends one (as a prediction).
/// A beam search reorders rows with <see cref="Gather"/>.
/// </para>
/// </summary>
public interface ILanguageModel
{
    /// <summary>The tokens; ids index it. N = Vocabulary.Count.</summary>
    Vocabulary Vocabulary { get; }

    /// <summary>The id of the begin-of-sequence token (w₀ in docs/theory.md §2).</summary>
    int BeginToken { get; }

    /// <summary>The id of the end-of-sequence token, or −1 when sequences end only at a length limit.</summary>
    int EndToken { get; }

    /// <summary>A batch of <paramref name="batch"/> rows, each in the empty state.</summary>
    LanguageModelState CreateState(int batch);

    /// <summary>
    /// Reads <paramref name="tokens"/>[r] into row r of <paramref name="state"/> (in place) and
    /// writes log p(next | row r's prefix) for every token into row r of
    /// <paramref name="logProbs"/> (length ≥ batch × N).
    /// </summary>
    void Step(LanguageModelState state, ReadOnlySpan<int> tokens, Span<float> logProbs);

    /// <summary>
    /// Sets row r of <paramref name="destination"/> to a copy of row <paramref name="rows"/>[r]
    /// of <paramref name="source"/>; destination.Batch must equal rows.Length. Source and
    /// destination must be different objects.
    /// </summary>
    void Gather(LanguageModelState source, ReadOnlySpan<int> rows, LanguageModelState destination);
}

/// <summary>
/// The per-row decoding state of one language model (last token, n-gram context, hidden
/// vectors…). Opaque to decoders; only the model that created it reads it.
/// </summary>
public abstract class LanguageModelState
{
    /// <summary>Number of rows.</summary>
    public abstract int Batch { get; }
}
