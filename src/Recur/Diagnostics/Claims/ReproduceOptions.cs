namespace Recur.Diagnostics.Claims;

/// <summary>Settings of the claim checks (<see cref="Reproduction"/>).</summary>
public sealed record ReproduceOptions
{
    /// <summary>
    /// Smaller timing sweeps and fewer random trials: the same checks through the same code, in
    /// a few seconds — the test suite's setting. Default false (the sizes `recur reproduce` uses).
    /// </summary>
    public bool Quick { get; init; }
}
