namespace Recur.Decoding;

/// <summary>Options of <see cref="Exhaustive.Search"/>.</summary>
public sealed record ExhaustiveOptions
{
    /// <summary>T: the most tokens a sequence may have, the end token included. Default 20.</summary>
    public int MaxLength { get; init { ArgumentOutOfRangeException.ThrowIfLessThan(value, 1); field = value; } } = 20;

    /// <summary>The end token is masked until this many tokens precede it. Default 0.</summary>
    public int MinLength { get; init { ArgumentOutOfRangeException.ThrowIfNegative(value); field = value; } }

    /// <summary>K: how many of the best sequences to return. Default 1.</summary>
    public int Count { get; init { ArgumentOutOfRangeException.ThrowIfLessThan(value, 1); field = value; } } = 1;

    /// <summary>
    /// The search refuses to start when N^T exceeds this (docs/theory.md 2.1: N^T sequences).
    /// Default 10⁷.
    /// </summary>
    public long MaxSequences { get; init { ArgumentOutOfRangeException.ThrowIfLessThan(value, 1); field = value; } } = 10_000_000;
}
