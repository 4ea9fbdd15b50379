using Recur.LanguageModels.Scoring;
using Recur.Tensors;

namespace Recur.Tests.LanguageModels.Scoring;

/// <summary>The mixture's log-probability and its EM weight, against direct formulas and a brute-force search.</summary>
public class InterpolationTests
{
    [Theory]
    [InlineData(-1.0, -2.0, 0.3)]
    [InlineData(-800.0, -805.0, 0.5)]   // e^−800 underflows; the mixture must not
    [InlineData(-3.0, double.NegativeInfinity, 0.25)]
    public void Mix_IsTheLogOfTheWeightedProbabilities(double a, double b, double lambda)
    {
        double expected = a > -700 ? Math.Log(lambda * Math.Exp(a) + (1 - lambda) * Math.Exp(b)) : a + Math.Log(lambda + (1 - lambda) * Math.Exp(b - a));
        Assert.Equal(expected, Interpolation.Mix(a, b, lambda), 9);
        Assert.Equal(a, Interpolation.Mix(a, b, 1.0));
        Assert.Equal(b, Interpolation.Mix(a, b, 0.0));
    }

    [Fact]
    public void BestLambda_MaximizesTheLikelihood_AsABruteForceSearchFinds()
    {
        var rng = new Rng(4);
        for (int trial = 0; trial < 20; trial++)
        {
            int n = 50 + rng.NextInt(200);
            var a = new double[n];
            var b = new double[n];
            for (int i = 0; i < n; i++)
            {
                a[i] = Math.Log(rng.NextDouble() * 0.99 + 0.005);
                b[i] = Math.Log(rng.NextDouble() * 0.99 + 0.005);
            }
            double Likelihood(double l) => a.Zip(b, (x, y) => Interpolation.Mix(x, y, l)).Sum();
            double best = Interpolation.BestLambda(a, b, tolerance: 1e-10);
            double grid = Enumerable.Range(0, 10001).Select(k => k / 10000.0).MaxBy(Likelihood);
            Assert.True(Likelihood(best) >= Likelihood(grid) - 1e-6, $"trial {trial}: EM λ = {best}, grid λ = {grid}");
        }
    }
}
