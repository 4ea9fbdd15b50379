using Recur.Tensors;

namespace Recur.Tests.Support;

/// <summary>Seeded random test data.</summary>
internal static class Data
{
    public static float[] Uniform(Rng rng, int n, float low = -1f, float high = 1f)
    {
        var x = new float[n];
        rng.FillUniform(x, low, high);
        return x;
    }
}
