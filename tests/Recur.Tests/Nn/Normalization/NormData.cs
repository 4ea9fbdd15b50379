using Recur.Tensors;

namespace Recur.Tests.Nn.Normalization;

/// <summary>Seeded inputs and affine parameters for the normalization tests.</summary>
internal static class NormData
{
    /// <summary>A tensor of N(offset, scale²) values.</summary>
    public static Tensor Normal(ulong seed, float scale, float offset, params int[] dims)
    {
        var t = Tensor.Zeros(dims);
        new Rng(seed).FillNormal(t.Span, offset, scale);
        return t;
    }

    /// <summary>γ ~ U(0.5, 1.5) and β ~ U(−0.5, 0.5), so that both matter; null ones are skipped.</summary>
    public static void RandomAffine(Parameter? weight, Parameter? bias, ulong seed = 3)
    {
        var rng = new Rng(seed);
        if (weight is not null) rng.FillUniform(weight.Value.Span, 0.5f, 1.5f);
        if (bias is not null) rng.FillUniform(bias.Value.Span, -0.5f, 0.5f);
    }
}
