using System.Globalization;

namespace Recur.Reproduce.Claims;

/// <summary>Number formats of the claim reports, culture-invariant.</summary>
internal static class Show
{
    /// <summary>Three significant digits in scientific notation: 1.23e-05.</summary>
    public static string Sci(double x) => double.IsFinite(x) ? x.ToString("0.00e+00", CultureInfo.InvariantCulture) : x.ToString(CultureInfo.InvariantCulture);

    /// <summary>A fixed number of decimals.</summary>
    public static string Fixed(double x, int decimals = 3) => x.ToString("F" + decimals, CultureInfo.InvariantCulture);

    /// <summary>A count with thousands separators: 1,048,576.</summary>
    public static string Count(double x) => x.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>Formats an interpolated string invariantly.</summary>
    public static string Text(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
