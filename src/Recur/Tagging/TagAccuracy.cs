namespace Recur.Tagging;

/// <summary>
/// How one gold tag fared (<see cref="TaggingEvaluation.PerTag"/>): its words in the gold corpus,
/// how many were tagged with it, and how often the tagger chose it (rightly or not).
/// </summary>
/// <param name="Tag">The gold tag.</param>
/// <param name="Tokens">Words with this gold tag.</param>
/// <param name="Correct">Of those, tagged with it.</param>
/// <param name="Predicted">Words the tagger gave this tag.</param>
public sealed record TagAccuracy(string Tag, long Tokens, long Correct, long Predicted)
{
    /// <summary>Correct / Tokens: the tag's recall.</summary>
    public double Accuracy => Tokens > 0 ? (double)Correct / Tokens : double.NaN;

    /// <summary>Correct / Predicted: the tag's precision (NaN when never predicted).</summary>
    public double Precision => Predicted > 0 ? (double)Correct / Predicted : double.NaN;
}
