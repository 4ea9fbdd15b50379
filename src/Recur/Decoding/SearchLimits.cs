namespace Recur.Decoding;

/// <summary>
/// The most values a search may hold at once — back-pointer tables, beams' rows of scores,
/// samples' token buffers: 2^28 (1 GiB of 4-byte values). Each search checks the product of its
/// sizes (length × vocabulary × count, beam × vocabulary…) against it before it allocates, in
/// floating point so that no product can overflow, and refuses with a message naming the
/// options to lower.
/// </summary>
public static class SearchLimits
{
    /// <summary>The most values one search may allocate.</summary>
    public const long MaxValues = 1L << 28;

    /// <summary>
    /// Throws an <see cref="InputException"/> about <paramref name="subject"/> when
    /// <paramref name="values"/> (described by <paramref name="product"/>, e.g. "T × N × K")
    /// exceeds <see cref="MaxValues"/>.
    /// </summary>
    public static void Check(string subject, string product, double values)
    {
        if (values > MaxValues)
            throw new InputException(subject, $"{product} = {values:N0} values, more than a search holds ({MaxValues:N0}); lower it");
    }
}
