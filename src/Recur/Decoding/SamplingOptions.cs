namespace Recur.Decoding;

/// <summary>
/// Options of <see cref="Sampler.Sample"/>: ancestral sampling with temperature, top-k and
/// top-p (nucleus) filters, applied in that order (as Hugging Face and fairseq do).
/// Degenerate settings: <see cref="TopK"/> ≤ 0 or ≥ N does nothing; <see cref="TopP"/> = 1
/// does nothing; a tiny <see cref="TopP"/> or <see cref="TopK"/> = 1 keeps only the most
/// likely token (greedy decoding with ties to the lowest id); temperature must be positive
/// and finite (temperature → 0 is greedy decoding: use <see cref="Greedy"/>).
/// </summary>
public sealed record SamplingOptions
{
    /// <summary>T: the most tokens a sequence may have, the end token included. Default 20.</summary>
    public int MaxLength { get; init { ArgumentOutOfRangeException.ThrowIfLessThan(value, 1); field = value; } } = 20;

    /// <summary>The end token is masked until this many tokens precede it. Default 0.</summary>
    public int MinLength { get; init { ArgumentOutOfRangeException.ThrowIfNegative(value); field = value; } }

    /// <summary>How many independent samples to draw. Default 1.</summary>
    public int Count { get; init { ArgumentOutOfRangeException.ThrowIfLessThan(value, 1); field = value; } } = 1;

    /// <summary>τ: sample from p^(1/τ) renormalized. Default 1 (the model's distribution).</summary>
    public double Temperature
    {
        get;
        init
        {
            if (!(value > 0) || !double.IsFinite(value)) throw new ArgumentOutOfRangeException(nameof(Temperature), value, "The temperature must be positive and finite; for temperature → 0 use greedy decoding.");
            field = value;
        }
    } = 1.0;

    /// <summary>
    /// Keep only the k most likely tokens (ties to the lowest id). Default 0 = off, unlike
    /// Hugging Face's 50: by default we sample from the model's own distribution.
    /// </summary>
    public int TopK { get; init; }

    /// <summary>
    /// Keep the smallest set of most likely tokens whose probability reaches p (Holtzman et al.
    /// 2020), at least one token. In (0, 1]; default 1 = off.
    /// </summary>
    public double TopP
    {
        get;
        init
        {
            if (!(value > 0 && value <= 1)) throw new ArgumentOutOfRangeException(nameof(TopP), value, "top-p must be in (0, 1]; 1 turns it off.");
            field = value;
        }
    } = 1.0;

    /// <summary>θ of the repetition penalty (see Hugging Face's repetition_penalty): a token already in the sequence or its <see cref="Context"/> has its log-probability multiplied by θ. Default 1 = off.</summary>
    public double RepetitionPenalty { get; init { field = Decoding.RepetitionPenalty.Check(value, nameof(RepetitionPenalty)); } } = 1.0;

    /// <summary>Tokens read before the sequence (a prompt), which the repetition penalty counts as already seen. Default none.</summary>
    public IReadOnlyList<int> Context { get; init; } = [];

    /// <summary>Called after each chosen token; returning false ends that sequence there. Default none.</summary>
    public TokenCallback? OnToken { get; init; }
}
