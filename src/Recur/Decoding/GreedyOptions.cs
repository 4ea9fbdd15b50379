namespace Recur.Decoding;

/// <summary>Options of <see cref="Greedy.Decode"/>.</summary>
public sealed record GreedyOptions
{
    /// <summary>T: the most tokens a sequence may have, the end token included. Default 20.</summary>
    public int MaxLength { get; init { ArgumentOutOfRangeException.ThrowIfLessThan(value, 1); field = value; } } = 20;

    /// <summary>The end token is masked until this many tokens precede it. Default 0.</summary>
    public int MinLength { get; init { ArgumentOutOfRangeException.ThrowIfNegative(value); field = value; } }
}
