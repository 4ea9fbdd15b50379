namespace Recur.Decoding;

/// <summary>Options of <see cref="BestFirst.Search"/>.</summary>
public sealed record BestFirstOptions
{
    /// <summary>T: the most tokens a sequence may have, the end token included; a prefix of T tokens is complete. Default 20.</summary>
    public int MaxLength { get; init { ArgumentOutOfRangeException.ThrowIfLessThan(value, 1); field = value; } } = 20;

    /// <summary>
    /// The end token is masked until this many tokens precede it. Default 0, under which the
    /// empty sequence (just the end token) is often the most probable one (Stahlberg &amp; Byrne 2019).
    /// </summary>
    public int MinLength { get; init { ArgumentOutOfRangeException.ThrowIfNegative(value); field = value; } }

    /// <summary>K: how many complete sequences to return, in order of probability. Default 1.</summary>
    public int Count { get; init { ArgumentOutOfRangeException.ThrowIfLessThan(value, 1); field = value; } } = 1;

    /// <summary>
    /// The search gives up (with an <see cref="InputException"/>) once it has queued this many
    /// prefixes, which bounds its memory. Default 2·10⁶.
    /// </summary>
    public long MaxNodes { get; init { ArgumentOutOfRangeException.ThrowIfLessThan(value, 1); field = value; } } = 2_000_000;

    /// <summary>
    /// When K = 1, first run greedy decoding and never queue a prefix scoring below its
    /// sequence: log-probabilities only fall as a prefix grows, so such a prefix cannot win.
    /// Changes no result, only memory and time. Default true.
    /// </summary>
    public bool GreedyBound { get; init; } = true;
}
