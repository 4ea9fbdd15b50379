using Recur.Kernels;
using Recur.Tensors;
using Recur.Tests.Support;

namespace Recur.Tests.Kernels;

public class GemmTests
{
    private static readonly (bool A, bool B)[] Transposes = [(false, false), (false, true), (true, false), (true, true)];

    private static void Check(Rng rng, int m, int n, int k, bool ta, bool tb, float alpha, float beta, string what)
    {
        float[] a = Data.Uniform(rng, m * k), b = Data.Uniform(rng, k * n), c0 = Data.Uniform(rng, m * n);
        var expected = (float[])c0.Clone();
        Reference.Gemm(a, b, expected, m, n, k, ta, tb, alpha, beta);
        var actual = (float[])c0.Clone();
        Gemm.Multiply(a, b, actual, m, n, k, ta, tb, alpha, beta);
        // float32 accumulation over k terms of size ≤ 1: error grows like √k·ε.
        AssertClose.All(expected, actual, rtol: 1e-5, atol: 2e-6 * Math.Sqrt(k + 1), what: $"{what} m={m} n={n} k={k} ta={ta} tb={tb} α={alpha} β={beta}");
    }

    [Fact]
    public void Multiply_EverySize1To67InEachDimension_MatchesFloat64Reference()
    {
        var rng = new Rng(1);
        for (int s = 1; s <= 67; s++)
        {
            foreach (var (ta, tb) in Transposes)
            {
                Check(rng, s, 1 + rng.NextInt(67), 1 + rng.NextInt(67), ta, tb, 1f, 0f, "m sweep");
                Check(rng, 1 + rng.NextInt(67), s, 1 + rng.NextInt(67), ta, tb, 1f, 0f, "n sweep");
                Check(rng, 1 + rng.NextInt(67), 1 + rng.NextInt(67), s, ta, tb, 1f, 0f, "k sweep");
            }
        }
    }

    [Fact]
    public void Multiply_WithSimdForcedOff_MatchesFloat64Reference()
    {
        var rng = new Rng(2);
        using var scalar = Simd.ForceScalar();
        for (int s = 1; s <= 67; s += 3)
            foreach (var (ta, tb) in Transposes)
                Check(rng, s, 1 + rng.NextInt(67), 1 + rng.NextInt(67), ta, tb, 0.5f, 1f, "scalar");
        Check(rng, 200, 70, 300, false, false, 1f, 0f, "scalar blocked");
    }

    [Theory]
    [InlineData(1f, 0f)]
    [InlineData(1f, 1f)]
    [InlineData(-0.5f, 2f)]
    [InlineData(2f, -1f)]
    [InlineData(0f, 0.5f)]
    public void Multiply_AlphaBetaVariants_MatchReference(float alpha, float beta)
    {
        var rng = new Rng(3);
        foreach (var (ta, tb) in Transposes)
        {
            Check(rng, 13, 45, 29, ta, tb, alpha, beta, "small");
            Check(rng, 3, 45, 29, ta, tb, alpha, beta, "few rows");
            Check(rng, 70, 97, 300, ta, tb, alpha, beta, "blocked");
        }
    }

    [Fact]
    public void Multiply_ShapesCrossingEveryBlockBoundary_MatchReference()
    {
        var rng = new Rng(4);
        foreach (var (ta, tb) in Transposes)
        {
            // M > MC, K > KC, N a ragged number of panels; large enough to run threaded.
            Check(rng, 221, 101, 533, ta, tb, 1f, 0.25f, "large");
            Check(rng, 32, 257, 300, ta, tb, 1f, 1f, "gate-like");
            Check(rng, 4, 300, 129, ta, tb, 1f, 0f, "gemv-like");
            // N > NC in each thread's half (two threads split the columns), the last block ragged.
            Check(rng, 200, 2085, 40, ta, tb, 1f, 0.5f, "wide");
        }
    }

    [Fact]
    public void Multiply_EmptyDimensions_LeaveOrScaleC()
    {
        var c = new float[] { 1, 2, 3, 4 };
        Gemm.Multiply([], [], c, 2, 2, 0, beta: 0.5f);
        Assert.Equal(new float[] { 0.5f, 1, 1.5f, 2 }, c);
        Gemm.Multiply([], [], c, 2, 2, 0);
        Assert.Equal(new float[4], c);
        Gemm.Multiply([], new float[15], Span<float>.Empty, 0, 5, 3);
        Gemm.Multiply(new float[15], [], Span<float>.Empty, 5, 0, 3);
    }

    [Fact]
    public void Multiply_BetaZero_IgnoresNaNInC()
    {
        var rng = new Rng(5);
        float[] a = Data.Uniform(rng, 40 * 30), b = Data.Uniform(rng, 30 * 50);
        var c = new float[40 * 50];
        Array.Fill(c, float.NaN);
        Gemm.Multiply(a, b, c, 40, 50, 30);
        Assert.DoesNotContain(c, float.IsNaN);
    }

    [Fact]
    public void Multiply_TooShortOrOverlappingBuffers_Throws()
    {
        var buf = new float[100];
        Assert.Throws<ArgumentException>(() => Gemm.Multiply(new float[5], new float[6], new float[6], 2, 3, 3));
        Assert.Throws<ArgumentException>(() => Gemm.Multiply(buf.AsSpan(0, 4), buf.AsSpan(10, 4), buf.AsSpan(2, 4), 2, 2, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => Gemm.Multiply([], [], [], -1, 2, 2));
    }
}

[Collection(nameof(ThreadCountCollection))]
public class GemmThreadingTests
{
    [Fact]
    public void Multiply_AnyThreadCount_GivesIdenticalBits()
    {
        var rng = new Rng(6);
        foreach (var (m, n, k) in new[] { (300, 280, 260), (32, 1024, 256), (3, 2048, 512), (600, 40, 300) })
        {
            float[] a = Data.Uniform(rng, m * k), b = Data.Uniform(rng, k * n);
            var one = new float[m * n];
            var two = new float[m * n];
            int saved = Parallelism.MaxThreads;
            try
            {
                Parallelism.MaxThreads = 1;
                Gemm.Multiply(a, b, one, m, n, k);
                Parallelism.MaxThreads = 2;
                Gemm.Multiply(a, b, two, m, n, k);
            }
            finally
            {
                Parallelism.MaxThreads = saved;
            }
            Assert.Equal(one, two);
        }
    }
}

/// <summary>Tests that change <see cref="Parallelism.MaxThreads"/> run one at a time.</summary>
[CollectionDefinition(nameof(ThreadCountCollection), DisableParallelization = true)]
public class ThreadCountCollection;

public class PackedMatrixTests
{
    [Fact]
    public void MultiplyByPacked_AnyShapeTransposeAlphaBeta_EqualsPlainMultiply()
    {
        var rng = new Rng(21);
        foreach (var (m, n, k) in new[] { (1, 1, 1), (3, 70, 33), (32, 1024, 256), (13, 45, 29), (221, 101, 533), (40, 32, 300), (7, 600, 5), (200, 2085, 40) })
            foreach (bool tb in new[] { false, true })
                foreach (bool ta in new[] { false, true })
                {
                    float[] a = Data.Uniform(rng, m * k), b = Data.Uniform(rng, k * n), c0 = Data.Uniform(rng, m * n);
                    var expected = (float[])c0.Clone();
                    Reference.Gemm(a, b, expected, m, n, k, ta, tb, 0.5f, 1f);
                    var packed = new PackedMatrix();
                    packed.Pack(b, k, n, tb);
                    var actual = (float[])c0.Clone();
                    Gemm.Multiply(a, packed, actual, m, ta, 0.5f, 1f);
                    AssertClose.All(expected, actual, 1e-5, 2e-6 * Math.Sqrt(k + 1), $"m={m} n={n} k={k} ta={ta} tb={tb}");
                }
    }

    [Fact]
    public void Pack_ReusedForASmallerShape_AllocatesNothingAndStaysCorrect()
    {
        var rng = new Rng(22);
        var packed = new PackedMatrix();
        packed.Pack(Data.Uniform(rng, 64 * 64), 64, 64);
        float[] a = Data.Uniform(rng, 5 * 20), b = Data.Uniform(rng, 20 * 33);
        var expected = new float[5 * 33];
        Reference.Gemm(a, b, expected, 5, 33, 20);
        long before = GC.GetAllocatedBytesForCurrentThread();
        packed.Pack(b, 20, 33);
        var actual = new float[5 * 33];
        long after = GC.GetAllocatedBytesForCurrentThread();
        Gemm.Multiply(a, packed, actual, 5);
        Assert.True(after - before <= 5 * 33 * 4 + 64, $"allocated {after - before} bytes");
        AssertClose.All(expected, actual, 1e-5, 1e-5);
        Assert.Equal(20, packed.Rows);
        Assert.Equal(33, packed.Columns);
    }

    [Fact]
    public void MultiplyByPacked_WithSimdForcedOff_MatchesReference()
    {
        var rng = new Rng(23);
        using var scalar = Simd.ForceScalar();
        float[] a = Data.Uniform(rng, 30 * 40), b = Data.Uniform(rng, 40 * 50);
        var packed = new PackedMatrix();
        packed.Pack(b, 40, 50);
        var expected = new float[30 * 50];
        var actual = new float[30 * 50];
        Reference.Gemm(a, b, expected, 30, 50, 40);
        Gemm.Multiply(a, packed, actual, 30);
        AssertClose.All(expected, actual, 1e-5, 1e-5);
    }
}
