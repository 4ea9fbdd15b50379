namespace Recur.Nn.Recurrent;

/// <summary>Length checks of the span arguments of the recurrent layers, with messages that name the buffer and its shape.</summary>
internal static class ShapeChecks
{
    /// <summary>Throws unless a buffer has exactly the expected number of elements.</summary>
    public static void Require(int actual, long expected, string name, string shape)
    {
        if (actual != expected) throw new ArgumentException($"The {name} has {actual} elements; {shape} needs {expected}.", name);
    }

    /// <summary>Throws unless an optional (B, H) state buffer is empty or exactly the expected size.</summary>
    public static void RequireOptional(int actual, long expected, string name)
    {
        if (actual != 0 && actual != expected) throw new ArgumentException($"The {name} has {actual} elements; (B, H) needs {expected} (or none).");
    }
}
