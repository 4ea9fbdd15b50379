namespace Recur.Decoding;

/// <summary>
/// Options of <see cref="BeamSearch.Decode"/>. Defaults follow Hugging Face where it has the
/// same setting, except: no length normalization (HF: Power(1)) and the exact stop rule (HF:
/// heuristic), so that with a wide enough beam the result is the exact-search one.
/// </summary>
public sealed record BeamSearchOptions
{
    /// <summary>B: open hypotheses kept per step (all groups together). Default 4.</summary>
    public int Width { get; init { ArgumentOutOfRangeException.ThrowIfLessThan(value, 1); field = value; } } = 4;

    /// <summary>T: the most tokens a sequence may have, the end token included. Default 20.</summary>
    public int MaxLength { get; init { ArgumentOutOfRangeException.ThrowIfLessThan(value, 1); field = value; } } = 20;

    /// <summary>The end token is masked until this many tokens precede it (HF min_new_tokens). Default 0.</summary>
    public int MinLength { get; init { ArgumentOutOfRangeException.ThrowIfNegative(value); field = value; } }

    /// <summary>How finished hypotheses are scored. Default none.</summary>
    public LengthNormalization LengthNormalization { get; init; } = LengthNormalization.None;

    /// <summary>When to stop before the length limit. Default <see cref="Decoding.StopRule.Exact"/>.</summary>
    public StopRule StopRule { get; init; } = StopRule.Exact;

    /// <summary>How many finished hypotheses to return, best first; at most <see cref="Width"/>. Default 1.</summary>
    public int Count { get; init { ArgumentOutOfRangeException.ThrowIfLessThan(value, 1); field = value; } } = 1;

    /// <summary>
    /// G: diverse beam search groups (Vijayakumar et al. 2016); each keeps B/G beams, so B
    /// must be a multiple of G. Default 1 (plain beam search).
    /// </summary>
    public int Groups { get; init { ArgumentOutOfRangeException.ThrowIfLessThan(value, 1); field = value; } } = 1;

    /// <summary>
    /// λ: the Hamming diversity penalty. When group g selects at step t, each candidate token
    /// is penalized by λ times the number of beams of groups 0 … g−1 that chose it at step t.
    /// The penalty steers selection only; returned scores are true log-probabilities
    /// (Hugging Face adds it into the beam scores). Default 0.
    /// </summary>
    public double DiversityStrength
    {
        get;
        init
        {
            if (!(value >= 0) || !double.IsFinite(value)) throw new ArgumentOutOfRangeException(nameof(DiversityStrength), value, "The diversity strength must be ≥ 0 and finite.");
            field = value;
        }
    }

    /// <summary>
    /// n: no hypothesis may contain the same n-gram twice (the end token is never banned, so
    /// a hypothesis can always finish). Default 0 = off.
    /// </summary>
    public int NoRepeatNgramSize { get; init { ArgumentOutOfRangeException.ThrowIfNegative(value); field = value; } }
}
