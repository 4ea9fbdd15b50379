using Recur.Diagnostics;

namespace Recur.Tests.Diagnostics;

public class GradientCheckerTests
{
    // L(x) = Σ sin(x_i)·(i+1), so ∂L/∂x_i = cos(x_i)·(i+1).
    private static double Loss(float[] x)
    {
        double s = 0;
        for (int i = 0; i < x.Length; i++) s += Math.Sin(x[i]) * (i + 1);
        return s;
    }

    [Fact]
    public void Check_CorrectGradient_Passes()
    {
        float[] x = [0.3f, -1.2f, 2.0f, 0.01f];
        var grad = x.Select((v, i) => (float)(Math.Cos(v) * (i + 1))).ToArray();
        var report = GradientChecker.Check("x", x, grad, () => Loss(x));
        Assert.True(report.Passed, report.ToString());
        Assert.Equal(4, report.Checked);
        Assert.Equal(new[] { 0.3f, -1.2f, 2.0f, 0.01f }, x);
    }

    [Fact]
    public void Check_WrongGradient_Fails()
    {
        float[] x = [0.3f, -1.2f, 2.0f];
        var grad = x.Select((v, i) => (float)(Math.Cos(v) * (i + 1))).ToArray();
        grad[1] *= 1.05f;
        var report = GradientChecker.Check("x", x, grad, () => Loss(x));
        Assert.False(report.Passed);
        Assert.Equal(1, report.WorstIndex);
    }

    [Fact]
    public void Check_AtAKink_SkipsTheCoordinate()
    {
        float[] x = [0f, 1f];
        float[] grad = [0f, 1f]; // d|x|/dx at 0 has no value; at 1 it is 1
        var report = GradientChecker.Check("x", x, grad, () => Math.Abs(x[0]) + Math.Abs(x[1]));
        Assert.Equal(1, report.Skipped);
        Assert.True(report.Passed, report.ToString());
    }
}
