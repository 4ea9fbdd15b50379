namespace Recur.Decoding;

// R: rows (sequences decoded together); N: vocabulary size.

/// <summary>
/// Called after a decoder chooses a token for <paramref name="row"/>, with that row's tokens so
/// far (the new one last); returning false ends the row's sequence there (a stop string was
/// produced, or a stream has shown enough).
/// </summary>
public delegate bool TokenCallback(int row, ReadOnlySpan<int> tokens);

/// <summary>
/// The repetition penalty of Keskar et al. 2019 (CTRL) as Hugging Face's
/// RepetitionPenaltyLogitsProcessor applies it: every token already in the sequence, prompt
/// included, has its score divided by θ when positive and multiplied by θ when negative. The
/// scores here are the model's log-probabilities (all ≤ 0), so a seen token's log-probability
/// is multiplied by θ: θ &gt; 1 discourages repeats, θ = 1 changes nothing, θ &lt; 1 encourages them.
/// The decoders still report the model's own log-probabilities.
/// </summary>
internal sealed class RepetitionPenalty
{
    private readonly double _theta;
    private readonly int _vocabulary;
    private readonly bool[] _seen;   // (R, N)

    public RepetitionPenalty(double theta, int vocabulary, int rows, IReadOnlyList<int> context)
    {
        _theta = theta;
        _vocabulary = vocabulary;
        _seen = theta == 1 ? [] : new bool[(long)rows * vocabulary];
        if (theta == 1) return;
        for (int r = 0; r < rows; r++)
            foreach (int t in context) Seen(r, t);
    }

    /// <summary>Marks <paramref name="token"/> as part of row <paramref name="row"/>'s sequence.</summary>
    public void Seen(int row, int token)
    {
        if (_seen.Length > 0 && (uint)token < (uint)_vocabulary) _seen[(long)row * _vocabulary + token] = true;
    }

    /// <summary>The row's scores with the penalty applied: <paramref name="logProbs"/> itself when there is none, else a copy in <paramref name="scratch"/>.</summary>
    public ReadOnlySpan<float> Apply(int row, ReadOnlySpan<float> logProbs, Span<float> scratch)
    {
        if (_seen.Length == 0) return logProbs;
        logProbs.CopyTo(scratch);
        var seen = _seen.AsSpan((int)((long)row * _vocabulary), _vocabulary);
        for (int w = 0; w < _vocabulary; w++)
            if (seen[w]) scratch[w] = (float)(scratch[w] > 0 ? scratch[w] / _theta : scratch[w] * _theta);
        return scratch[.._vocabulary];
    }

    /// <summary>Throws unless θ is positive and finite.</summary>
    public static double Check(double theta, string name) =>
        theta > 0 && double.IsFinite(theta) ? theta : throw new ArgumentOutOfRangeException(name, theta, "The repetition penalty must be positive and finite; 1 turns it off.");
}
