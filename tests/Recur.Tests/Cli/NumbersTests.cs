using Recur.Cli;
using Recur.Plots;

namespace Recur.Tests.Cli;

/// <summary>Numbers as a person reads them: scientific notation, learning rates, thinned tables, log-axis ticks.</summary>
public sealed class NumbersTests
{
    [Fact]
    public void Scientific_HasATwoDigitExponent()
    {
        Assert.Equal("6.9228e-01", Numbers.Scientific(0.692279));
        Assert.Equal("1.00e+03", Numbers.Scientific(1000, 2));
        Assert.Equal("NaN", Numbers.Scientific(double.NaN));
    }

    [Fact]
    public void Rate_ReadsAsOneColumnFromWarmUpToTheEnd()
    {
        Assert.Equal("2.98e-03", Numbers.Rate(0.00298));
        Assert.Equal("5.70e-09", Numbers.Rate(5.7e-9));
        Assert.Equal("0", Numbers.Rate(0));
    }

    [Fact]
    public void TableRows_KeepsFirstLastAndRoundSteps()
    {
        var t = Enumerable.Range(1, 200).ToArray();
        var rows = Numbers.TableRows(t).Select(i => t[i]).ToArray();
        Assert.Equal([1, 20, 40, 60, 80, 100, 120, 140, 160, 180, 200], rows);
        Assert.Equal(Enumerable.Range(0, 12), Numbers.TableRows(Enumerable.Range(5, 12).ToArray()));
    }

    [Theory]
    [InlineData(-0.7, 0.5)]      // within two decades: 1, 2, 5
    [InlineData(-0.52, -0.36)]   // a loss of 0.3–0.44: linear steps
    [InlineData(-90, 0)]         // ninety decades: every tenth
    [InlineData(1.2, 1.2)]       // one value
    public void LogTicks_LabelSeveralValuesInRange(double lo, double hi)
    {
        var labelled = LogTicks.Ticks(lo, hi).Where(t => t.Label is not null && t.Position >= lo - 0.05 && t.Position <= hi + 0.05).ToList();
        Assert.True(labelled.Count >= 3 || hi == lo && labelled.Count >= 1, string.Join(", ", labelled));
        Assert.True(labelled.Count <= 12, string.Join(", ", labelled));
        foreach (var (position, label) in labelled)
            Assert.Equal(Math.Pow(10, position), double.Parse(label!, System.Globalization.CultureInfo.InvariantCulture), Math.Pow(10, position) * 1e-2);
    }

    [Fact]
    public void LogTicks_FormatsValuesAsPeopleWriteThem()
    {
        Assert.Equal("0.002", LogTicks.Format(0.002));
        Assert.Equal("1e-05", LogTicks.Format(1e-5));
        Assert.Equal("150", LogTicks.Format(150.0000000001));
        Assert.Equal("2e+06", LogTicks.Format(2e6));
    }
}
