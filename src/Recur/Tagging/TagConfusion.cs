namespace Recur.Tagging;

/// <summary>
/// One kind of error (<see cref="TaggingEvaluation.Confusions"/>): words whose gold tag is
/// <paramref name="Gold"/> tagged <paramref name="Predicted"/>, how many, and how many of them
/// were unknown words.
/// </summary>
public sealed record TagConfusion(string Gold, string Predicted, long Count, long Unknown);
