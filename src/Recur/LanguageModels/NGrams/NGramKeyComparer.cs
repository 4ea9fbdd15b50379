namespace Recur.LanguageModels.NGrams;

/// <summary>
/// Hashes the 64-bit n-gram keys (context entry &lt;&lt; 32 | word) by Fibonacci hashing. The
/// default <c>long</c> hash XORs the two halves, so keys built from two small integers collide
/// in clusters (entry 5 with word 3 meets entry 3 with word 5); multiplying by 2⁶⁴/φ spreads
/// them over all 32 bits (Knuth, TAOCP vol. 3, §6.4).
/// </summary>
internal sealed class NGramKeyComparer : IEqualityComparer<long>
{
    public static readonly NGramKeyComparer Instance = new();

    public bool Equals(long x, long y) => x == y;

    public int GetHashCode(long key) => (int)(((ulong)key * 0x9E3779B97F4A7C15UL) >> 32);
}
