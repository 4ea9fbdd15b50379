using System.CommandLine;
using System.Globalization;

namespace Recur.Cli;

/// <summary>
/// "[default: …]" in help, as System.CommandLine writes it for options with a default value, for
/// options whose default is the library's: such an option stays unset when left out, so that a
/// resumed run or a checkpoint can tell what was given from what was defaulted.
/// </summary>
internal static class HelpDefaults
{
    /// <summary>Shows <paramref name="value"/> as this option's default in help.</summary>
    public static T ShowsDefault<T>(this T option, object value) where T : Option
    {
        option.Description = $"{option.Description} [default: {Format(value)}]";
        return option;
    }

    private static string Format(object value) => value switch
    {
        string s => s,
        bool b => b ? "true" : "false",
        double d => d.ToString("G6", CultureInfo.InvariantCulture),
        float f => f.ToString("G6", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
