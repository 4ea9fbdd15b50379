using Recur.Diagnostics;
using Recur.Kernels;
using Recur.Nn;
using Recur.Tensors;
using Recur.Tests.Support;

namespace Recur.Tests.Nn;

public class DropoutTests
{
    [Fact]
    public void Forward_Training_KeepsScaledOrZeroesEachElement()
    {
        const float p = 0.3f;
        var dropout = new Dropout(p, new Rng(1));
        float[] x = Data.Uniform(new Rng(2), 100_000, 0.5f, 1.5f);
        var y = new float[x.Length];
        dropout.Forward(x, y);
        int zeros = 0;
        double sum = 0, sumX = 0;
        for (int i = 0; i < x.Length; i++)
        {
            if (y[i] == 0f) zeros++;
            else Assert.Equal(x[i] * (1f / (1f - p)), y[i]);
            sum += y[i];
            sumX += x[i];
        }
        // Binomial(n, p): the share of zeros is within 5 standard deviations of p.
        double sd = Math.Sqrt(p * (1 - p) / x.Length);
        Assert.InRange(zeros / (double)x.Length, p - 5 * sd, p + 5 * sd);
        Assert.InRange(sum / sumX, 0.98, 1.02); // inverted scaling keeps the expectation
    }

    [Fact]
    public void Forward_Evaluation_IsIdentity()
    {
        var dropout = new Dropout(0.5f, new Rng(1)) { Training = false };
        float[] x = Data.Uniform(new Rng(2), 50), y = new float[50], dx = new float[50];
        dropout.Forward(x, y);
        Assert.Equal(x, y);
        dropout.Backward(x, dx);
        Assert.Equal(x, dx);
    }

    [Fact]
    public void Forward_SameSeed_SameMask()
    {
        float[] x = Data.Uniform(new Rng(2), 300), a = new float[300], b = new float[300];
        new Dropout(0.5f, new Rng(9)).Forward(x, a);
        new Dropout(0.5f, new Rng(9)).Forward(x, b);
        Assert.Equal(a, b);
        new Dropout(0.5f, new Rng(10)).Forward(x, b);
        Assert.NotEqual(a, b);
    }

    [Fact]
    public void Backward_Training_UsesTheForwardMask()
    {
        var dropout = new Dropout(0.4f, new Rng(3));
        float[] x = Data.Uniform(new Rng(4), 64), y = new float[64];
        dropout.Forward(x, y);
        float[] dy = Data.Uniform(new Rng(5), 64), dx = new float[64];
        dropout.Backward(dy, dx);
        for (int i = 0; i < 64; i++) Assert.Equal(y[i] == 0f ? 0f : dy[i] * (1f / (1f - 0.4f)), dx[i]);
    }

    [Fact]
    public void Backward_FixedMask_MatchesCentralDifferences()
    {
        float[] x = Data.Uniform(new Rng(4), 40), w = Data.Uniform(new Rng(6), 40), y = new float[40];
        var dropout = new Dropout(0.25f, new Rng(7));
        double Loss()
        {
            dropout.Rng = new Rng(7); // the same mask at every evaluation
            dropout.Forward(x, y);
            return Reductions.Dot(y, w);
        }
        Loss();
        var dx = new float[40];
        dropout.Backward(w, dx);
        var report = GradientChecker.Check("x", x, dx, Loss);
        Assert.True(report.Passed, report.ToString());
        Assert.Equal(40, report.Checked);
    }

    [Fact]
    public void Forward_InPlace_Works()
    {
        float[] x = Data.Uniform(new Rng(2), 33), copy = (float[])x.Clone(), y = new float[33];
        new Dropout(0.5f, new Rng(1)).Forward(copy, y);
        new Dropout(0.5f, new Rng(1)).Forward(x, x);
        Assert.Equal(y, x);
    }

    [Theory]
    [InlineData(1f)]
    [InlineData(-0.01f)]
    [InlineData(float.NaN)]
    public void Constructor_ProbabilityOutsideRange_Throws(float p)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Dropout(p, new Rng(1)));
    }

    [Fact]
    public void Misuse_ThrowsClearErrors()
    {
        var dropout = new Dropout(0.5f, new Rng(1));
        Assert.Throws<InvalidOperationException>(() => dropout.Backward(new float[3], new float[3]));
        Assert.Throws<ArgumentException>(() => dropout.Forward(new float[3], new float[2]));
        dropout.Forward(new float[3], new float[3]);
        Assert.Throws<ArgumentException>(() => dropout.Backward(new float[4], new float[4]));
        Assert.Empty(dropout.Parameters());
    }

    [Fact]
    public void Locked_RepeatsOneMaskEveryPeriod_ForwardAndBackward()
    {
        var d = new Dropout(0.5f, new Rng(9));
        int t = 6, b = 3, f = 4, period = b * f;
        var x = Enumerable.Range(1, t * period).Select(i => (float)i).ToArray();
        var y = new float[x.Length];
        d.Forward(x, y, period);
        for (int i = 0; i < x.Length; i++) Assert.Equal(y[i % period] / x[i % period], y[i] / x[i]);   // the same factor at every step
        Assert.Contains(y.Take(period), v => v == 0f);
        Assert.Contains(y.Take(period), v => v != 0f);
        var dy = Enumerable.Repeat(1f, x.Length).ToArray();
        var dx = new float[x.Length];
        d.Backward(dy, dx);
        for (int i = 0; i < x.Length; i++) Assert.Equal(y[i] / x[i], dx[i]);
        Assert.Throws<ArgumentException>(() => d.Forward(x, y, 7));
    }
}
