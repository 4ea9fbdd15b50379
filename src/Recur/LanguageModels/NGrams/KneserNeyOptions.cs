namespace Recur.LanguageModels.NGrams;

/// <summary>
/// Options of <see cref="KneserNeyTrainer"/> (interpolated modified Kneser-Ney, Chen &amp;
/// Goodman 1998), named after KenLM lmplz's: <c>-o</c>, <c>--discount_fallback</c>,
/// <c>--interpolate_unigrams</c>.
/// </summary>
public sealed record KneserNeyOptions
{
    private readonly int _order = 3;
    private readonly KneserNeyDiscount? _fallback;

    /// <summary>The order N (1 ≤ N ≤ <see cref="NGramModel.MaxOrder"/>); default 3.</summary>
    public int Order
    {
        get => _order;
        init
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1, nameof(Order));
            ArgumentOutOfRangeException.ThrowIfGreaterThan(value, NGramModel.MaxOrder, nameof(Order));
            _order = value;
        }
    }

    /// <summary>
    /// Discounts to use for an order whose closed-form discounts cannot be computed or fall
    /// outside 0 &lt; D_k &lt; k; null (default, as in KenLM) makes that an error that explains
    /// why. KenLM's <c>--discount_fallback</c> uses <see cref="KneserNeyDiscount.KenLmFallback"/>
    /// (0.5, 1, 1.5). Each must satisfy 0 &lt; D_k ≤ k.
    /// </summary>
    public KneserNeyDiscount? DiscountFallback
    {
        get => _fallback;
        init
        {
            if (value is { } d)
            {
                if (!(d.D1 > 0 && d.D1 <= 1)) throw new ArgumentOutOfRangeException(nameof(DiscountFallback), d.D1, "The fallback discount D1 must be in (0, 1].");
                if (!(d.D2 > 0 && d.D2 <= 2)) throw new ArgumentOutOfRangeException(nameof(DiscountFallback), d.D2, "The fallback discount D2 must be in (0, 2].");
                if (!(d.D3Plus > 0 && d.D3Plus <= 3)) throw new ArgumentOutOfRangeException(nameof(DiscountFallback), d.D3Plus, "The fallback discount D3+ must be in (0, 3].");
            }
            _fallback = value;
        }
    }

    /// <summary>
    /// True (default, KenLM's default): the unigram distribution is interpolated with the
    /// uniform distribution over the vocabulary without &lt;s&gt;, P(w) = u(w) + γ(ε)/(V − 1), so
    /// &lt;unk&gt; (never seen) gets γ(ε)/(V − 1). False: the whole γ(ε) goes to &lt;unk&gt;, as SRILM
    /// does (KenLM <c>--interpolate_unigrams 0</c>).
    /// </summary>
    public bool InterpolateUnigrams { get; init; } = true;
}

/// <summary>
/// The three discounts of modified Kneser-Ney for one order: D1 for n-grams with (adjusted)
/// count 1, D2 for count 2, D3+ for counts ≥ 3. Closed form (Chen &amp; Goodman 1998, eq. 26):
/// <code>Y = n1 / (n1 + 2 n2),   D_k = k − (k + 1) · Y · n_{k+1} / n_k</code>
/// with n_k the number of n-grams whose adjusted count is k.
/// </summary>
public readonly record struct KneserNeyDiscount(double D1, double D2, double D3Plus)
{
    /// <summary>KenLM's <c>--discount_fallback</c> default: 0.5, 1, 1.5.</summary>
    public static KneserNeyDiscount KenLmFallback => new(0.5, 1.0, 1.5);

    /// <summary>The discount for an adjusted count (0 for count 0).</summary>
    public double For(long count) => count switch { <= 0 => 0.0, 1 => D1, 2 => D2, _ => D3Plus };
}

/// <summary>What the trainer found for one order.</summary>
/// <param name="Order">n.</param>
/// <param name="NGrams">Distinct n-grams (entries in the ARPA section).</param>
/// <param name="N1">n-grams with adjusted count 1 (&lt;s&gt; excluded from the unigrams).</param>
/// <param name="N2">… count 2.</param>
/// <param name="N3">… count 3.</param>
/// <param name="N4">… count 4.</param>
/// <param name="Discount">The discounts used (zero when the order has no n-grams).</param>
/// <param name="UsedFallback">True when the closed form failed and the fallback was used.</param>
public sealed record KneserNeyOrderStatistics(int Order, int NGrams, long N1, long N2, long N3, long N4, KneserNeyDiscount Discount, bool UsedFallback);

/// <summary>The trained model and what went into it.</summary>
/// <param name="Model">The model.</param>
/// <param name="Sentences">Sentences read.</param>
/// <param name="Words">Words read (without &lt;s&gt;, &lt;/s&gt;).</param>
/// <param name="Orders">Per-order statistics, orders 1..N.</param>
public sealed record KneserNeyResult(NGramModel Model, long Sentences, long Words, IReadOnlyList<KneserNeyOrderStatistics> Orders);
