using System.CommandLine;

namespace Recur.Cli;

/// <summary>
/// Options whose values are the names of a choice enum (<see cref="Choice{T}"/>): the cell,
/// optimizer, schedule, decoding method… are parsed, listed in help and refused with the same
/// names config.json uses.
/// </summary>
internal static class ChoiceOption
{
    /// <summary>An option taking one of <see cref="Choice{T}.Names"/>, with <paramref name="defaultValue"/> when it is not given.</summary>
    public static Option<T> Create<T>(string name, string description, T defaultValue) where T : struct, Enum
    {
        var option = Create<T>(name, description);
        option.DefaultValueFactory = _ => defaultValue;
        return option;
    }

    /// <summary>An option taking one of <see cref="Choice{T}.Names"/>, with no default of its own.</summary>
    public static Option<T> Create<T>(string name, string description) where T : struct, Enum
    {
        var option = new Option<T>(name)
        {
            Description = description,
            HelpName = string.Join('|', Choice<T>.Names),
            CustomParser = result =>
            {
                string token = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
                if (Choice<T>.TryParse(token, out T value)) return value;
                result.AddError($"{name}: {Choice<T>.Unknown(token)}{UsageErrors.Suggest(token, Choice<T>.Names)}");
                return default;
            },
        };
        option.CompletionSources.Add(Choice<T>.Names.ToArray());
        return option;
    }
}
