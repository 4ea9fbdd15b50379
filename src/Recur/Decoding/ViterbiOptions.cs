namespace Recur.Decoding;

/// <summary>Options of <see cref="Viterbi.Decode(LanguageModels.IFirstOrderModel, ViterbiOptions?)"/>.</summary>
public sealed record ViterbiOptions
{
    /// <summary>T: the most tokens a sequence may have, the end token included (exactly T without an end token). Default 20.</summary>
    public int MaxLength { get; init { ArgumentOutOfRangeException.ThrowIfLessThan(value, 1); field = value; } } = 20;

    /// <summary>The end token is masked until this many tokens precede it. Default 0.</summary>
    public int MinLength { get; init { ArgumentOutOfRangeException.ThrowIfNegative(value); field = value; } }

    /// <summary>K: how many of the most probable sequences to return (list Viterbi when K &gt; 1). Default 1.</summary>
    public int Count { get; init { ArgumentOutOfRangeException.ThrowIfLessThan(value, 1); field = value; } } = 1;
}
