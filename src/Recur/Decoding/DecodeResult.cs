namespace Recur.Decoding;

/// <summary>
/// What a decoder returns: the sequences, best first (none when every sequence has
/// probability 0), and what the search cost.
/// </summary>
/// <param name="Sequences">Best first; ties keep the order the decoder documents.</param>
/// <param name="Expanded">Prefixes or states the search scored: model rows stepped for
/// greedy, beam, sampling and exact search, complete sequences for exhaustive search, (step,
/// state) pairs for Viterbi.</param>
/// <param name="ModelCalls">Calls to the language model's Step.</param>
/// <param name="ModelSeconds">Time spent inside the model (Step and Gather), so that the
/// search's own cost is <see cref="Seconds"/> − <see cref="ModelSeconds"/>.</param>
/// <param name="Seconds">Wall-clock time of the whole decode.</param>
public sealed record DecodeResult(IReadOnlyList<DecodedSequence> Sequences, long Expanded, long ModelCalls, double ModelSeconds, double Seconds)
{
    /// <summary>The best sequence, or null when there is none.</summary>
    public DecodedSequence? Best => Sequences.Count > 0 ? Sequences[0] : null;
}
