namespace Recur.Decoding;

// T: the length limit; N: vocabulary size.

/// <summary>
/// The no-repeat-n-gram rule (Paulus et al. 2017; Hugging Face no_repeat_ngram_size): a token
/// is banned after a prefix when it would complete an n-gram that already occurs in the
/// prefix. Banned tokens are marked with a stamp per call, so checking a token is O(1) and
/// nothing is cleared or allocated per step.
/// </summary>
internal sealed class NoRepeatNgram(int size, int vocabulary)
{
    private readonly int[] _mark = new int[vocabulary]; // (N): == _stamp when banned now
    private int _stamp;

    /// <summary>Marks the tokens banned after <paramref name="prefix"/> (generated tokens w_1 … w_t).</summary>
    public void Prepare(ReadOnlySpan<int> prefix)
    {
        if (++_stamp == int.MaxValue)
        {
            Array.Clear(_mark);
            _stamp = 1;
        }
        int n = size, t = prefix.Length;
        if (n < 1 || t < n - 1) return;
        var tail = prefix[(t - n + 1)..];     // the n−1 most recent tokens
        for (int p = 0; p + n - 1 < t; p++)
            if (prefix.Slice(p, n - 1).SequenceEqual(tail)) _mark[prefix[p + n - 1]] = _stamp;
    }

    /// <summary>True when <paramref name="token"/> was banned by the last <see cref="Prepare"/>.</summary>
    public bool IsBanned(int token) => _mark[token] == _stamp;
}
