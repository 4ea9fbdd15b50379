namespace Recur.Decoding;

/// <summary>
/// A decoded state path: the states by id and by name, and the joint log-probability (natural
/// logarithm) of the path with the observations; empty with −∞ when no path produces them.
/// </summary>
public sealed record StatePath(int[] States, IReadOnlyList<string> StateNames, double LogProbability);
