using Recur.Decoding;
using Recur.Kernels;
using Recur.Tensors;

namespace Recur.Tests.Kernels;

/// <summary>The vectorized Viterbi inner loops (both layouts) against their plain-loop twins, bit for bit.</summary>
public class MaxPlusTests
{
    public static TheoryData<bool> SimdModes => new() { true, false };

    [Theory]
    [MemberData(nameof(SimdModes))]
    public void Columns_EveryLength_MatchesReference_IncludingTiesAndZeros(bool simd)
    {
        using var _ = simd ? default : Simd.ForceScalar();
        var rng = new Rng(30);
        for (int n = 0; n <= 70; n++)
        {
            foreach (bool coarse in new[] { false, true })
            {
                // Coarse values (few distinct) make exact ties in δ + L common.
                var delta = new double[n];
                var transposed = new float[n * n];
                for (int i = 0; i < n; i++) delta[i] = Value(rng, coarse);
                for (int i = 0; i < n * n; i++) transposed[i] = (float)Value(rng, coarse);
                var (best, arg) = (new double[n], new int[n]);
                var (refBest, refArg) = (new double[n], new int[n]);
                int first = n == 0 ? 0 : rng.NextInt(Math.Min(n, 5));
                MaxPlus.Columns(delta, transposed, best, arg, n, first, n);
                MaxPlus.Reference(delta, transposed, refBest, refArg, n, first, n);
                Assert.Equal(refBest, best);
                Assert.Equal(refArg, arg);
            }
        }
    }

    [Theory]
    [MemberData(nameof(SimdModes))]
    public void Rows_EveryLength_MatchesReference_IncludingTiesAndZeros(bool simd)
    {
        using var _ = simd ? default : Simd.ForceScalar();
        var rng = new Rng(31);
        for (int n = 0; n <= 140; n += n < 20 ? 1 : 7)
        {
            foreach (bool coarse in new[] { false, true })
            {
                var delta = new double[n];
                var p = new double[n * n];
                for (int i = 0; i < n; i++) delta[i] = Value(rng, coarse);
                for (int i = 0; i < n * n; i++) p[i] = (float)Value(rng, coarse);
                var (best, arg) = (new double[n], new int[n]);
                var (refBest, refArg) = (new double[n], new int[n]);
                int first = n == 0 ? 0 : rng.NextInt(Math.Min(n, 5));
                MaxPlusRows.Columns(delta, p, best, arg, n, first, n);
                MaxPlusRows.Reference(delta, p, refBest, refArg, n, first, n);
                Assert.Equal(refBest, best);
                Assert.Equal(refArg, arg);
            }
        }
    }

    [Fact]
    public void Columns_AllZeroProbability_GivesMinusInfinityAndIndexZero()
    {
        int n = 19;
        var delta = Enumerable.Repeat(double.NegativeInfinity, n).ToArray();
        var transposed = new float[n * n];
        var (best, arg) = (new double[n], new int[n]);
        MaxPlus.Columns(delta, transposed, best, arg, n, 0, n);
        Assert.All(best, b => Assert.Equal(double.NegativeInfinity, b));
        Assert.All(arg, a => Assert.Equal(0, a));
        Array.Fill(best, 1.0);
        MaxPlusRows.Columns(delta, new double[n * n], best, arg, n, 0, n);
        Assert.All(best, b => Assert.Equal(double.NegativeInfinity, b));
        Assert.All(arg, a => Assert.Equal(0, a));
    }

    private static double Value(Rng rng, bool coarse)
    {
        if (rng.NextDouble() < 0.15) return double.NegativeInfinity;
        return coarse ? -rng.NextInt(3) : -5 * rng.NextDouble();
    }
}
