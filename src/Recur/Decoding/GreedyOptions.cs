namespace Recur.Decoding;

/// <summary>Options of <see cref="Greedy.Decode"/>.</summary>
public sealed record GreedyOptions
{
    /// <summary>T: the most tokens a sequence may have, the end token included. Default 20.</summary>
    public int MaxLength { get; init { ArgumentOutOfRangeException.ThrowIfLessThan(value, 1); field = value; } } = 20;

    /// <summary>The end token is masked until this many tokens precede it. Default 0.</summary>
    public int MinLength { get; init { ArgumentOutOfRangeException.ThrowIfNegative(value); field = value; } }

    /// <summary>θ of the repetition penalty (see Hugging Face's repetition_penalty): a token already in the sequence or its <see cref="Context"/> has its log-probability multiplied by θ. Default 1 = off.</summary>
    public double RepetitionPenalty { get; init { field = Decoding.RepetitionPenalty.Check(value, nameof(RepetitionPenalty)); } } = 1.0;

    /// <summary>Tokens read before the sequence (a prompt), which the repetition penalty counts as already seen. Default none.</summary>
    public IReadOnlyList<int> Context { get; init; } = [];

    /// <summary>Called after each chosen token; returning false ends that sequence there. Default none.</summary>
    public TokenCallback? OnToken { get; init; }
}
