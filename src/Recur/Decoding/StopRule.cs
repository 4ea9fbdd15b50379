namespace Recur.Decoding;

/// <summary>
/// When beam search stops before the length limit. Each applies once the pool holds B finished
/// hypotheses (B per group in diverse beam search); with fewer, only the length limit or the
/// loss of every open beam stops it.
/// </summary>
[ChoiceName("stop rule")]
public enum StopRule
{
    /// <summary>
    /// Stop only when no open beam can beat the worst kept finished hypothesis under the
    /// active length normalization, bounding each open beam by the best score it could reach at
    /// any length up to the limit (<see cref="LengthNormalization.BestReachable"/>). The result
    /// is then what beam search would return if it ran to the length limit: "canonical" beam
    /// search, Hugging Face's early_stopping="never" (PR #21368). The default.
    /// </summary>
    Exact,

    /// <summary>Stop as soon as B hypotheses have finished (Hugging Face early_stopping=True, fairseq, ONNX Runtime GenAI's default).</summary>
    [ChoiceName("first-k")]
    FirstK,

    /// <summary>
    /// Stop when the best open beam's score at its current length, best log p / f(t), is no
    /// better than the worst kept finished one (Hugging Face's default early_stopping=False).
    /// Not a bound when α &gt; 0: a longer continuation can still score higher.
    /// </summary>
    Heuristic,
}
