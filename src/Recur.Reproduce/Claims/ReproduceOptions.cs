namespace Recur.Reproduce.Claims;

/// <summary>Settings of the claim checks (<see cref="Reproduction"/>).</summary>
public sealed record ReproduceOptions
{
    /// <summary>
    /// Smaller timing sweeps and fewer random trials: the same checks through the same code, in
    /// a few seconds — the test suite's setting. Default false (the sizes `recur reproduce` uses).
    /// </summary>
    public bool Quick { get; init; }

    /// <summary>Timed repetitions per size: <paramref name="full"/>, or 2 when quick.</summary>
    internal int Repetitions(int full) => Quick ? 2 : full;

    /// <summary>Passes over a timing sweep (see <see cref="Measurements.Sweep"/>): 2, or 1 when quick, where timings are not the point.</summary>
    internal int Passes => Quick ? 1 : 2;
}
