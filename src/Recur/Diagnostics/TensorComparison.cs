using System.Globalization;
using System.Text;

namespace Recur.Diagnostics;

/// <summary>
/// The one tolerance rule used everywhere (docs/architecture.md, conventions): |actual − expected| ≤ atol +
/// rtol·|expected|, element by element. A failure report names the largest difference, its
/// index and the first mismatches, so a broken kernel says where it broke.
/// </summary>
internal static class TensorComparison
{
    /// <summary>The outcome of a comparison.</summary>
    public sealed record Result(bool Passed, int Mismatches, double MaxAbsDiff, int MaxIndex, string Report);

    /// <summary>Compares two float sequences; NaN equals NaN, ±∞ must match exactly.</summary>
    public static Result Compare(ReadOnlySpan<float> actual, ReadOnlySpan<float> expected, double rtol, double atol)
    {
        var a = new double[actual.Length];
        var e = new double[expected.Length];
        for (int i = 0; i < a.Length; i++) a[i] = actual[i];
        for (int i = 0; i < e.Length; i++) e[i] = expected[i];
        return Compare(a, e, rtol, atol);
    }

    /// <summary>Compares two double sequences; NaN equals NaN, ±∞ must match exactly.</summary>
    public static Result Compare(ReadOnlySpan<double> actual, ReadOnlySpan<double> expected, double rtol, double atol)
    {
        if (actual.Length != expected.Length)
            return new Result(false, Math.Max(actual.Length, expected.Length), double.PositiveInfinity, -1,
                $"lengths differ: actual {actual.Length}, expected {expected.Length}");
        int mismatches = 0, maxIndex = -1;
        double maxDiff = 0;
        var first = new StringBuilder();
        for (int i = 0; i < actual.Length; i++)
        {
            double x = actual[i], y = expected[i];
            bool ok;
            double diff;
            if (double.IsNaN(x) || double.IsNaN(y)) { ok = double.IsNaN(x) && double.IsNaN(y); diff = ok ? 0 : double.PositiveInfinity; }
            else if (double.IsInfinity(x) || double.IsInfinity(y)) { ok = x == y; diff = ok ? 0 : double.PositiveInfinity; }
            else { diff = Math.Abs(x - y); ok = diff <= atol + rtol * Math.Abs(y); }
            if (diff > maxDiff || maxIndex < 0 && !ok) { maxDiff = diff; maxIndex = i; }
            if (!ok)
            {
                if (mismatches < 5)
                    first.Append(CultureInfo.InvariantCulture, $"\n  [{i}] actual {x:R} expected {y:R} (diff {diff:G3})");
                mismatches++;
            }
        }
        string report = mismatches == 0
            ? $"all {actual.Length} within atol {atol:G3} + rtol {rtol:G3}; max diff {maxDiff:G3} at [{maxIndex}]"
            : $"{mismatches} of {actual.Length} outside atol {atol:G3} + rtol {rtol:G3}; max diff {maxDiff:G3} at [{maxIndex}]; first:{first}";
        return new Result(mismatches == 0, mismatches, maxDiff, maxIndex, report);
    }
}
