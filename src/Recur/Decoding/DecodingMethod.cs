namespace Recur.Decoding;

/// <summary>The searches a language model can be decoded with, by the names config files and the command line use.</summary>
[ChoiceName("decoding method")]
public enum DecodingMethod
{
    /// <summary><see cref="Decoding.Exhaustive"/>: every sequence (docs/theory.md 2.1).</summary>
    Exhaustive,
    /// <summary><see cref="Decoding.Viterbi"/>: dynamic programming over a finite-context model (2.2).</summary>
    Viterbi,
    /// <summary><see cref="Decoding.Greedy"/>: the most likely token at each step.</summary>
    Greedy,
    /// <summary><see cref="BeamSearch"/>: the B best prefixes at each step (2.3).</summary>
    Beam,
    /// <summary><see cref="BestFirst"/>: exact best-first search within a node budget.</summary>
    Exact,
    /// <summary><see cref="Sampler"/>: ancestral sampling with temperature, top-k and top-p.</summary>
    Sample,
}
