namespace Recur.Reproduce.Claims;

/// <summary>
/// One check per numbered claim of docs/theory.md (1.1 … 4.3), as <c>recur reproduce</c> runs them:
/// each measures what the claim predicts and returns a <see cref="ClaimResult"/> with its
/// figures' data. Checks gate only on results and counts (sequences enumerated, bytes
/// allocated, round-off), never on run time: timings on a shared machine are reported and
/// plotted with their fitted slopes, but noise must not turn a claim into a FAIL.
/// </summary>
public static class Reproduction
{
    private static readonly (string Id, Func<ReproduceOptions, ClaimResult> Check)[] Checks =
    [
        ("1.1", RecurrentClaims.ElmanForms),
        ("1.2", RecurrentClaims.Vanishing),
        ("1.3", RecurrentClaims.Explosion),
        ("2.1", ExhaustiveClaim.Check),
        ("2.2", ViterbiClaim.Check),
        ("2.3", BeamClaim.Check),
        ("2.4", WorkedExampleClaim.Check),
        ("3.1", RegularizationClaims.SgdEquivalence),
        ("3.2", RegularizationClaims.L2Gradient),
        ("3.3", RegularizationClaims.AdamTwoGroups),
        ("3.4", RegularizationClaims.DecoupledIsTheDefault),
        ("4.1", NormalizationClaims.Statistics),
        ("4.2", NormalizationClaims.WeightNormAsBatchNorm),
        ("4.3", NormalizationClaims.WeightNormGradient),
    ];

    /// <summary>The claim numbers, in docs/theory.md's order.</summary>
    public static IReadOnlyList<string> Ids { get; } = Array.ConvertAll(Checks, c => c.Id);

    /// <summary>Checks claim <paramref name="id"/>; an unknown id is an <see cref="InputException"/> listing the known ones.</summary>
    public static ClaimResult Check(string id, ReproduceOptions? options = null) =>
        Checks[IndexOf(id)].Check(options ?? new ReproduceOptions());

    /// <summary>Returns <paramref name="id"/> when it is a claim number; otherwise throws the <see cref="InputException"/> of <see cref="Check"/>.</summary>
    public static string Require(string id) => Checks[IndexOf(id)].Id;

    private static int IndexOf(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        for (int i = 0; i < Checks.Length; i++)
            if (Checks[i].Id == id) return i;
        throw new InputException("claim", $"'{id}' is not a claim of docs/theory.md; choose one of {string.Join(", ", Ids)}");
    }
}
