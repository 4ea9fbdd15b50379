using System.Globalization;

namespace Recur.Cli;

/// <summary>
/// How the command line prints numbers a person reads: scientific notation as people write it
/// (6.9228e-01, not 6.9228E-001), learning rates in one form from warm-up to the end of decay,
/// and long tables thinned to the rows worth reading (JSON always carries every row).
/// </summary>
internal static class Numbers
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    /// <summary>x with <paramref name="decimals"/> decimals and a two-digit exponent: 6.9228e-01.</summary>
    public static string Scientific(double x, int decimals = 4) =>
        double.IsFinite(x) ? x.ToString("0." + new string('0', decimals) + "e+00", C) : x.ToString(C);

    /// <summary>A learning rate, three significant digits, always scientific so that a decaying rate reads as one column: 2.00e-03 … 5.42e-05; 0 as 0.</summary>
    public static string Rate(double x) => x == 0 ? "0" : Scientific(x, 2);

    /// <summary>
    /// Indices of the rows worth printing from a table keyed by <paramref name="keys"/> (steps, in
    /// order): all of them when there are at most <paramref name="most"/>; otherwise the first,
    /// the last, and those whose key is a multiple of a round stride (1, 2, 5, 10, 20, 50, …)
    /// chosen to leave about <paramref name="most"/> rows.
    /// </summary>
    public static IEnumerable<int> TableRows(IReadOnlyList<int> keys, int most = 20)
    {
        int count = keys.Count;
        if (count <= most)
        {
            for (int i = 0; i < count; i++) yield return i;
            yield break;
        }
        long span = Math.Abs((long)keys[^1] - keys[0]);
        long stride = RoundStride((double)span / (most - 2));
        for (int i = 0; i < count; i++)
            if (i == 0 || i == count - 1 || keys[i] % stride == 0) yield return i;
    }

    private static long RoundStride(double raw)
    {
        for (long decade = 1; ; decade *= 10)
            foreach (long m in new long[] { 1, 2, 5 })
                if (m * decade >= raw) return m * decade;
    }
}
