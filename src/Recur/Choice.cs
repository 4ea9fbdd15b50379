using System.Reflection;

namespace Recur;

/// <summary>
/// The one place where the values of a choice enum (cell, activation, optimizer, schedule,
/// decoding method, stop rule, tokenizer…) meet their names: config.json and the command line
/// both write and parse them here, so the two cannot drift apart. A value's name is its
/// <see cref="ChoiceNameAttribute"/> or its identifier in lower case; the enum's own attribute
/// names the kind of choice for messages ("'xyz' is not a cell; use rnn, lstm or gru").
/// </summary>
public static class Choice<T> where T : struct, Enum
{
    private static readonly (T Value, string Name)[] Table = typeof(T)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => ((T)f.GetValue(null)!, f.GetCustomAttribute<ChoiceNameAttribute>()?.Name ?? f.Name.ToLowerInvariant()))
        .ToArray();

    /// <summary>What is being chosen, for messages: the enum's <see cref="ChoiceNameAttribute"/>, else its name in lower case.</summary>
    public static string What { get; } = typeof(T).GetCustomAttribute<ChoiceNameAttribute>()?.Name ?? typeof(T).Name.ToLowerInvariant();

    /// <summary>Every name, in declaration order.</summary>
    public static IReadOnlyList<string> Names { get; } = Array.ConvertAll(Table, t => t.Name);

    /// <summary>The names as a phrase: "rnn, lstm or gru".</summary>
    public static string List { get; } = Names.Count == 1 ? Names[0] : string.Join(", ", Names.Take(Names.Count - 1)) + " or " + Names[^1];

    /// <summary>The name of <paramref name="value"/>.</summary>
    public static string Name(T value)
    {
        foreach (var (v, name) in Table)
            if (EqualityComparer<T>.Default.Equals(v, value)) return name;
        throw new ArgumentOutOfRangeException(nameof(value), value, $"{value} is not a defined {What}.");
    }

    /// <summary>The value named <paramref name="name"/> (exact, case-sensitive match); false when there is none.</summary>
    public static bool TryParse(string? name, out T value)
    {
        foreach (var (v, n) in Table)
            if (string.Equals(n, name, StringComparison.Ordinal))
            {
                value = v;
                return true;
            }
        value = default;
        return false;
    }

    /// <summary>The value named <paramref name="name"/>, or an <see cref="InputException"/> about <paramref name="subject"/> (an option, a file and key) saying which names exist.</summary>
    public static T Parse(string? name, string subject) =>
        TryParse(name, out T value) ? value : throw new InputException(subject, Unknown(name));

    /// <summary>Why <paramref name="name"/> is refused: "'xyz' is not a cell; use rnn, lstm or gru".</summary>
    public static string Unknown(string? name) => $"'{name}' is not a {What}; use {List}";
}
