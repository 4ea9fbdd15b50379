namespace Recur.Text;

/// <summary>
/// Contiguous-stream batching for truncated BPTT, as char-rnn does: the token sequence is cut
/// into B equal streams laid side by side, and batch k holds positions [kT, kT + T) of every
/// stream, so row b of batch k + 1 continues row b of batch k and the hidden state can be
/// carried across batches. Targets are the inputs shifted by one. After the last batch of an
/// epoch the streams start over (and the carried state should be reset).
/// Dimension glossary: B streams (batch), T steps per batch, L tokens per stream.
/// </summary>
public sealed class StreamBatches
{
    private readonly int[] _tokens;
    private readonly int _streamLength;

    /// <summary>Batches over <paramref name="tokens"/> with <paramref name="batch"/> streams of <paramref name="steps"/>-token windows.</summary>
    public StreamBatches(int[] tokens, int batch, int steps)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        _tokens = tokens;
        Batch = batch;
        Steps = steps;
        // Each stream needs L inputs plus one more token for the last target.
        _streamLength = (tokens.Length - 1) / batch;
        if (_streamLength < steps)
            throw new InputException("corpus", $"{tokens.Length} tokens are too few for {batch} streams of {steps}-token windows (needs at least {(long)batch * steps + 1}); use fewer streams per batch or shorter windows");
        Count = _streamLength / steps;
    }

    /// <summary>B.</summary>
    public int Batch { get; }

    /// <summary>T.</summary>
    public int Steps { get; }

    /// <summary>Batches per epoch.</summary>
    public int Count { get; }

    /// <summary>Tokens per batch (B·T).</summary>
    public int TokensPerBatch => Batch * Steps;

    /// <summary>
    /// Writes batch <paramref name="index"/> (taken modulo <see cref="Count"/>) time-major:
    /// inputs[t·B + b] and targets[t·B + b], each (T, B).
    /// </summary>
    public void Fill(long index, Span<int> inputs, Span<int> targets)
    {
        int k = (int)(index % Count);
        int n = Batch * Steps;
        if (inputs.Length < n || targets.Length < n) throw new ArgumentException($"Buffers need {n} elements.");
        for (int b = 0; b < Batch; b++)
        {
            int start = b * _streamLength + k * Steps;
            for (int t = 0; t < Steps; t++)
            {
                inputs[t * Batch + b] = _tokens[start + t];
                targets[t * Batch + b] = _tokens[start + t + 1];
            }
        }
    }

    /// <summary>True when batch <paramref name="index"/> starts an epoch (streams start over: reset the carried state).</summary>
    public bool StartsEpoch(long index) => index % Count == 0;
}
