namespace Recur.LanguageModels;

// B: batch rows; N: vocabulary size.

/// <summary>The argument checks of the <see cref="ILanguageModel"/> protocol, for the models that implement it: each throws ArgumentException naming what is wrong.</summary>
public static class ProtocolChecks
{
    /// <summary>Step: one token per row, room for B × N log-probabilities, every token an id below N.</summary>
    public static void Step(int batch, ReadOnlySpan<int> tokens, int logProbs, int n)
    {
        if (tokens.Length != batch) throw new ArgumentException($"{tokens.Length} tokens for {batch} rows.", nameof(tokens));
        if (logProbs < (long)batch * n) throw new ArgumentException($"logProbs holds {logProbs} values; {batch} rows × {n} tokens are needed.", nameof(logProbs));
        foreach (int token in tokens)
            if ((uint)token >= (uint)n) throw new ArgumentOutOfRangeException(nameof(tokens), $"Token id {token} is not in the vocabulary of {n}.");
    }

    /// <summary>Gather: distinct states, one source row per destination row, each in range.</summary>
    public static void Gather(LanguageModelState source, ReadOnlySpan<int> rows, LanguageModelState destination)
    {
        if (ReferenceEquals(source, destination)) throw new ArgumentException("Source and destination must be different states.", nameof(destination));
        if (destination.Batch != rows.Length) throw new ArgumentException($"The destination has {destination.Batch} rows; {rows.Length} were requested.", nameof(rows));
        foreach (int r in rows)
            if ((uint)r >= (uint)source.Batch) throw new ArgumentOutOfRangeException(nameof(rows), $"Row {r} is not in the source's {source.Batch} rows.");
    }
}
