using System.Globalization;

namespace Recur.Formats;

/// <summary>
/// One line of a Moses n-best list: <c>id ||| hypothesis ||| features ||| score</c> (the
/// sentence number, the translation, the feature values as "name= v1 v2 …", the model score),
/// as Moses writes with <c>-n-best-list</c>; fields after the score (alignments) are kept.
/// </summary>
/// <param name="Id">The source sentence's number.</param>
/// <param name="Hypothesis">The translation.</param>
/// <param name="Features">The feature field, as written.</param>
/// <param name="Score">The total score.</param>
/// <param name="Rest">Any further fields, as written (without their separators).</param>
public sealed record MosesNBestEntry(string Id, string Hypothesis, string Features, double Score, IReadOnlyList<string> Rest)
{
    private const string Separator = " ||| ";

    /// <summary>Parses one line; an <see cref="InputException"/> names <paramref name="source"/> and the line number.</summary>
    public static MosesNBestEntry Parse(string line, string source, int number)
    {
        ArgumentNullException.ThrowIfNull(line);
        string[] fields = line.Split("|||");
        if (fields.Length < 4)
            throw new InputException($"{source}: line {number}", $"has {fields.Length} field(s); a Moses n-best line is 'id ||| hypothesis ||| features ||| score'");
        string id = fields[0].Trim();
        if (id.Length == 0 || !id.All(char.IsAsciiDigit))
            throw new InputException($"{source}: line {number}", $"starts with '{id}', which is not a sentence number");
        string scoreText = fields[3].Trim();
        if (!double.TryParse(scoreText, NumberStyles.Float, CultureInfo.InvariantCulture, out double score) || !double.IsFinite(score))
            throw new InputException($"{source}: line {number}", $"has the score '{scoreText}', which is not a finite number");
        return new MosesNBestEntry(id, fields[1].Trim(), fields[2].Trim(), score, fields[4..].Select(f => f.Trim()).ToArray());
    }

    /// <summary>The line in Moses's format.</summary>
    public override string ToString() =>
        string.Join(Separator, new[] { Id, Hypothesis, Features, Score.ToString("0.0#####", CultureInfo.InvariantCulture) }.Concat(Rest));
}
