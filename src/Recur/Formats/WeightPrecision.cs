namespace Recur.Formats;

/// <summary>
/// How weights are stored in a safetensors file: float32 as trained, or rounded to 16 bits —
/// IEEE half precision (F16: 5 exponent bits, range ±65504) or bfloat16 (BF16: float32's 8
/// exponent bits and 7 of its mantissa bits, the range of float32 at a third of the precision).
/// Both halve the file; Recur computes in float32 either way, widening on load.
/// </summary>
[ChoiceName("dtype")]
public enum WeightPrecision
{
    /// <summary>float32, exact.</summary>
    [ChoiceName("f32")]
    F32,
    /// <summary>IEEE 754 binary16, rounded to nearest even.</summary>
    [ChoiceName("f16")]
    F16,
    /// <summary>bfloat16, rounded to nearest even.</summary>
    [ChoiceName("bf16")]
    BF16,
}
