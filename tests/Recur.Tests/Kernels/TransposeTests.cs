using Recur.Kernels;
using Recur.Tensors;
using Recur.Tests.Support;

namespace Recur.Tests.Kernels;

public class TransposeTests
{
    [Fact]
    public void CopyAndAddTo_EveryShapeUpTo40_MatchPlainLoops()
    {
        var rng = new Rng(31);
        for (int rows = 0; rows <= 40; rows += 3)
            for (int cols = 0; cols <= 40; cols += 7)
            {
                float[] src = Data.Uniform(rng, rows * cols), prior = Data.Uniform(rng, rows * cols);
                float[] copy = new float[rows * cols], sum = (float[])prior.Clone();
                Transpose.Copy(src, copy, rows, cols);
                Transpose.AddTo(src, sum, rows, cols);
                for (int i = 0; i < rows; i++)
                    for (int j = 0; j < cols; j++)
                    {
                        Assert.Equal(src[i * cols + j], copy[j * rows + i]);
                        Assert.Equal(prior[j * rows + i] + src[i * cols + j], sum[j * rows + i]);
                    }
            }
    }

    [Fact]
    public void Copy_BadArguments_Throw()
    {
        var a = new float[6];
        Assert.Throws<ArgumentException>(() => Transpose.Copy(a, new float[5], 2, 3));
        Assert.Throws<ArgumentException>(() => Transpose.Copy(a.AsSpan(0, 5), new float[6], 2, 3));
        Assert.Throws<ArgumentException>(() => Transpose.Copy(a, a, 2, 3));
        Assert.Throws<ArgumentOutOfRangeException>(() => Transpose.Copy(a, new float[6], -1, 3));
    }
}
