using Recur.LanguageModels.Rnn;
using Recur.Text;

namespace Recur.LanguageModels.Scoring;

/// <summary>
/// Scores text with a recurrent language model as it was trained: one stream, the state
/// carried from sentence to sentence, starting from the state after the model's primer and its
/// begin token. Each line becomes the model's tokens followed by the sentence separator
/// (newline or &lt;eos&gt;); a word model's blank lines are skipped, as in training.
/// </summary>
public sealed class RnnScorer
{
    private const int Window = 64;   // positions per forward pass (T); the state carries across windows
    private readonly RnnLanguageModel _model;

    /// <summary>A scorer for <paramref name="model"/>, which is put in evaluation mode.</summary>
    public RnnScorer(RnnLanguageModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        _model = model;
        _model.Training = false;
    }

    /// <summary>The tokens of one line, ending with the separator; empty for a blank line of a word model.</summary>
    public int[] Encode(string line)
    {
        var t = _model.Tokenizer;
        return t.Kind switch
        {
            TokenizerKind.Word => t.Encode(line),
            TokenizerKind.Char => t.Encode(line + "\n"),
            _ => [.. t.Encode(line), t.EndOfSentence],
        };
    }

    /// <summary>
    /// ln p of every token of <paramref name="lines"/>, line by line (each line's tokens as
    /// <see cref="Encode"/> gives them), the stream read in order.
    /// </summary>
    public List<(int[] Tokens, float[] LogProbs)> ScoreLines(IReadOnlyList<string> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);
        var encoded = lines.Select(Encode).ToList();
        var stream = encoded.SelectMany(x => x).ToArray();
        var logProbs = ScoreStream(stream);
        var result = new List<(int[], float[])>(lines.Count);
        int at = 0;
        foreach (var tokens in encoded)
        {
            result.Add((tokens, logProbs[at..(at + tokens.Length)]));
            at += tokens.Length;
        }
        return result;
    }

    /// <summary>ln p(tokens[i] | begin, tokens[..i]) for every i: one stream, from the model's start state.</summary>
    public float[] ScoreStream(ReadOnlySpan<int> tokens)
    {
        var result = new float[tokens.Length];
        var state = _model.StartState(1);
        var inputs = new int[Window];
        int previous = _model.BeginToken;
        for (int at = 0; at < tokens.Length; at += Window)
        {
            int steps = Math.Min(Window, tokens.Length - at);
            var targets = tokens.Slice(at, steps);
            inputs[0] = previous;
            targets[..(steps - 1)].CopyTo(inputs.AsSpan(1));
            _model.TargetLogProbabilities(inputs.AsSpan(0, steps), targets, steps, 1, state, result.AsSpan(at, steps));
            previous = targets[^1];
        }
        return result;
    }

    /// <summary>The totals of <see cref="ScoreLines"/> for <paramref name="lines"/>.</summary>
    public TextScore Evaluate(IReadOnlyList<string> lines)
    {
        var scored = ScoreLines(lines);
        int unknown = _model.Tokenizer.UnknownToken;
        long sentences = 0, tokens = 0, words = 0, characters = 0, unknowns = 0;
        double logProb = 0, unknownLogProb = 0;
        for (int i = 0; i < lines.Count; i++)
        {
            var (ids, lps) = scored[i];
            int lineWords = SentenceCorpus.Tokenize(lines[i]).Length;
            words += lineWords > 0 ? lineWords + 1 : 0;
            characters += lines[i].EnumerateRunes().Count() + 1;
            if (ids.Length > 0) sentences++;
            for (int k = 0; k < ids.Length; k++)
            {
                tokens++;
                logProb += lps[k];
                if (ids[k] == unknown)
                {
                    unknowns++;
                    unknownLogProb += lps[k];
                }
            }
        }
        return new TextScore(sentences, tokens, words, characters, unknowns, logProb, unknownLogProb);
    }
}
