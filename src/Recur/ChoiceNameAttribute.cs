namespace Recur;

/// <summary>
/// The name of an enum, or of one of its values, in configuration files and on the command
/// line. On the enum it names the kind of choice ("cell", "schedule") for messages; on a
/// value it overrides the default name, the value's name in lower case.
/// See <see cref="Choice{T}"/>.
/// </summary>
[AttributeUsage(AttributeTargets.Enum | AttributeTargets.Field)]
public sealed class ChoiceNameAttribute(string name) : Attribute
{
    /// <summary>The name.</summary>
    public string Name { get; } = name;
}
