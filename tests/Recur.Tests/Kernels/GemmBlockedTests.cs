using Recur.Kernels;

namespace Recur.Tests.Kernels;

public class GemmBlockedTests
{
    [Fact]
    public void TallRows_ShortBlocksOnAvx512_CoverTheRowsWithFewestPaddedRowsThenMostTallTiles()
    {
        var ks = GemmBlocked.KernelShape.For(SimdLevel.Vector512);
        Assert.Equal(24, GemmBlocked.TallRows(ks, 32));
        Assert.Equal(0, GemmBlocked.TallRows(ks, 16));
        for (int m = 1; m <= 64; m++)
        {
            int tall = GemmBlocked.TallRows(ks, m);
            Assert.True(tall == m || tall % 12 == 0, $"m={m}: {tall} rows in 12-row tiles");
            int covered = RoundUp(tall, 12) + RoundUp(m - tall, 8);
            // Brute force over every split 12a + 8b ≥ m.
            int fewest = int.MaxValue, mostTall = 0;
            for (int a = 0; 12 * a <= m + 11; a++)
            {
                int rows = 12 * a + RoundUp(Math.Max(m - 12 * a, 0), 8);
                if (rows < fewest || rows == fewest) (fewest, mostTall) = (rows, Math.Min(12 * a, m));
            }
            Assert.Equal(fewest, covered);
            Assert.Equal(mostTall, tall);
        }
    }

    [Fact]
    public void TallRows_LongBlocksOrOtherLevels_UseTheMainKernelOnly()
    {
        var avx512 = GemmBlocked.KernelShape.For(SimdLevel.Vector512);
        Assert.Equal(65, GemmBlocked.TallRows(avx512, 65));
        Assert.Equal(192, GemmBlocked.TallRows(avx512, 192));
        var avx2 = GemmBlocked.KernelShape.For(SimdLevel.Vector256);
        Assert.Equal(32, GemmBlocked.TallRows(avx2, 32));
    }

    private static int RoundUp(int x, int multiple) => (x + multiple - 1) / multiple * multiple;
}
