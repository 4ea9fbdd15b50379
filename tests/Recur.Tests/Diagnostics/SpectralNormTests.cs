using Recur.Diagnostics;
using Recur.Tensors;

namespace Recur.Tests.Diagnostics;

public class SpectralNormTests
{
    [Fact]
    public void Jacobi_KnownMatrix_GivesKnownEigenvalues()
    {
        // [[2,1],[1,2]] has eigenvalues 1 and 3.
        var e = SymmetricEigen.Eigenvalues([2, 1, 1, 2], 2);
        Assert.Equal(1, e[0], 12);
        Assert.Equal(3, e[1], 12);
        Assert.Throws<ArgumentException>(() => SymmetricEigen.Eigenvalues([1, 2, 3, 4], 2));
    }

    [Fact]
    public void PowerIteration_RandomMatrices_MatchesSqrtOfLargestEigenvalueOfJtJ()
    {
        var rng = new Rng(3);
        for (int trial = 0; trial < 50; trial++)
        {
            int rows = 1 + rng.NextInt(8), cols = 1 + rng.NextInt(8);
            var j = new double[rows * cols];
            for (int i = 0; i < j.Length; i++) j[i] = rng.NextNormal();
            var jtj = new double[cols * cols];
            for (int a = 0; a < cols; a++)
                for (int b = 0; b < cols; b++)
                    for (int r = 0; r < rows; r++) jtj[a * cols + b] += j[r * cols + a] * j[r * cols + b];
            double expected = Math.Sqrt(SymmetricEigen.Eigenvalues(jtj, cols)[^1]);
            Assert.Equal(expected, SpectralNorm.Compute(j, rows, cols), 1e-8 * Math.Max(1, expected));
        }
    }

    [Fact]
    public void PowerIteration_DiagonalAndZero_AreExact()
    {
        Assert.Equal(5, SpectralNorm.Compute([3, 0, 0, 0, -5, 0, 0, 0, 1.0], 3, 3), 10);
        Assert.Equal(0, SpectralNorm.Compute(new double[6], 2, 3));
    }
}
