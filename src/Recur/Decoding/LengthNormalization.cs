namespace Recur.Decoding;

/// <summary>The formulas of <see cref="LengthNormalization"/>.</summary>
[ChoiceName("length normalization")]
public enum LengthNormalizationKind
{
    /// <summary>score = log p (the default: beam search then approximates the same objective as exact search).</summary>
    None,
    /// <summary>score = log p / len^α (Hugging Face, fairseq, ONNX Runtime GenAI; α = 1 is the mean log-probability).</summary>
    Power,
    /// <summary>score = log p / ((5 + len) / 6)^α (Wu et al. 2016, GNMT, eq. 14; α ≈ 0.6 there).</summary>
    Gnmt,
}

/// <summary>
/// How beam search scores a finished sequence of log-probability log p and length len, where
/// len counts the generated tokens including the end token, never the begin token or a prompt
/// (vllm#2606 counted the prompt, so short beams won). α &gt; 0 favours longer sequences,
/// α &lt; 0 shorter ones (transformers PR #19006: "not really a penalty"); α = 0 is
/// <see cref="LengthNormalizationKind.None"/>. Hugging Face's default is Power with α = 1;
/// ours is None, on purpose, so that beam search and exact search rank the same way.
/// </summary>
public readonly record struct LengthNormalization(LengthNormalizationKind Kind, double Alpha)
{
    /// <summary>No normalization.</summary>
    public static LengthNormalization None => new(LengthNormalizationKind.None, 0);

    /// <summary>log p / len^α.</summary>
    public static LengthNormalization Power(double alpha) => new(LengthNormalizationKind.Power, CheckAlpha(alpha));

    /// <summary>log p / ((5 + len) / 6)^α.</summary>
    public static LengthNormalization Gnmt(double alpha) => new(LengthNormalizationKind.Gnmt, CheckAlpha(alpha));

    /// <summary>The divisor f(len) &gt; 0, monotone in len (increasing for α &gt; 0).</summary>
    public double Divisor(int length) => Kind switch
    {
        LengthNormalizationKind.Power => Math.Pow(length, Alpha),
        LengthNormalizationKind.Gnmt => Math.Pow((5.0 + length) / 6.0, Alpha),
        _ => 1.0,
    };

    /// <summary>The normalized score log p / f(len).</summary>
    public double Score(double logProbability, int length) => Kind == LengthNormalizationKind.None ? logProbability : logProbability / Divisor(length);

    /// <summary>
    /// The best score a sequence whose prefix has log-probability <paramref name="logProbability"/>
    /// can still reach if it finishes at a length in [<paramref name="shortest"/>, <paramref name="longest"/>].
    /// Tokens only lower log p, and f is monotone, so the bound is the larger of the two ends:
    /// log p / f(longest) when α &gt; 0 and log p ≤ 0, log p / f(shortest) when α &lt; 0 — the
    /// sign-dependent bound of transformers PR #20901, which used max_length when α &gt; 0.
    /// </summary>
    public double BestReachable(double logProbability, int shortest, int longest) =>
        Kind == LengthNormalizationKind.None ? logProbability
        : Math.Max(logProbability / Divisor(shortest), logProbability / Divisor(longest));

    private static double CheckAlpha(double alpha) =>
        double.IsFinite(alpha) ? alpha : throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "The length-normalization exponent must be finite.");
}
