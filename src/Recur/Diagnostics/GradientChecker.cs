using System.Globalization;

namespace Recur.Diagnostics;

/// <summary>
/// Central-difference gradient checks (ggml's MODE_GRAD, micrograd): for a scalar loss L and
/// each checked coordinate x_i, the central differences D(h) = (L(x + h·e_i) − L(x − h·e_i)) / 2h
/// at h and h/2, combined by Richardson extrapolation (4·D(h/2) − D(h))/3, are compared with
/// the analytic gradient. The loss is evaluated and differenced in float64;
/// the perturbation is applied to the float32 value in place and restored exactly.
/// Coordinates at a kink (ReLU at 0, max ties) are skipped, because no single derivative
/// exists there. A kink shows itself at step h or h/2: either the central differences at h
/// and h/2 disagree (a smooth loss makes them differ by O(h²)), or the gap between the right
/// and left one-sided differences does not halve with the step (smooth: gap ≈ h·L″).
/// </summary>
public static class GradientChecker
{
    /// <summary>Settings of a check.</summary>
    /// <param name="Step">h. For float32 layers 1e-2…1e-3 balances truncation against rounding.</param>
    /// <param name="RelativeTolerance">Allowed |numeric − analytic| relative to max(|numeric|, |analytic|).</param>
    /// <param name="AbsoluteTolerance">Allowed |numeric − analytic| near zero.</param>
    /// <param name="MaxCoordinates">Check at most this many coordinates (a seeded random subset); 0 = all.</param>
    /// <param name="Seed">Chooses the subset.</param>
    public sealed record Options(
        double Step = 1e-2,
        double RelativeTolerance = 1e-2,
        double AbsoluteTolerance = 1e-4,
        int MaxCoordinates = 0,
        ulong Seed = 1);

    /// <summary>
    /// The outcome for one tensor. <see cref="MaxError"/> is the largest
    /// |numeric − analytic| / (atol + rtol·max(|numeric|, |analytic|)); above 1 fails.
    /// </summary>
    public sealed record Report(string Name, int Checked, int Skipped, int Failed, double MaxError, int WorstIndex, double WorstNumeric, double WorstAnalytic)
    {
        public bool Passed => Failed == 0 && Checked > 0;

        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"{Name}: {Checked} checked, {Skipped} skipped at kinks, {Failed} failed; worst [{WorstIndex}] numeric {WorstNumeric:G6} analytic {WorstAnalytic:G6} (error {MaxError:G3})");
    }

    /// <summary>
    /// Checks <paramref name="analytic"/> = ∂L/∂<paramref name="values"/>, where
    /// <paramref name="loss"/> recomputes L from the current contents of <paramref name="values"/>.
    /// </summary>
    public static Report Check(string name, Span<float> values, ReadOnlySpan<float> analytic, Func<double> loss, Options? options = null)
    {
        var o = options ?? new Options();
        if (analytic.Length != values.Length) throw new ArgumentException($"{name}: gradient has {analytic.Length} elements, values {values.Length}.");
        int[] indices = ChooseIndices(values.Length, o);
        int checkedCount = 0, skipped = 0, failed = 0, worst = -1;
        double maxError = 0, worstNumeric = 0, worstAnalytic = 0;
        foreach (int i in indices)
        {
            var (full, gap) = Differences(values, i, o.Step, loss);
            var (half, halfGap) = Differences(values, i, o.Step / 2, loss);
            // Richardson extrapolation of the two central differences cancels their O(h²)
            // error term, leaving O(h⁴): strongly curved losses (layer norm) need it.
            double numeric = (4 * half - full) / 3;
            double a = analytic[i];
            double scale = Math.Max(Math.Abs(numeric), Math.Abs(a));
            double allowed = o.AbsoluteTolerance + o.RelativeTolerance * scale;
            if (Math.Abs(full - half) > allowed || Math.Abs(halfGap - gap / 2) > allowed)
            {
                skipped++;
                continue;
            }
            checkedCount++;
            double error = Math.Abs(numeric - a) / allowed;
            if (error > 1) failed++;
            if (error > maxError || worst < 0)
            {
                maxError = Math.Max(maxError, error);
                worst = i;
                worstNumeric = numeric;
                worstAnalytic = a;
            }
        }
        return new Report(name, checkedCount, skipped, failed, maxError, worst, worstNumeric, worstAnalytic);
    }

    /// <summary>The central difference at step h, and the right minus the left one-sided difference.</summary>
    private static (double Central, double Gap) Differences(Span<float> values, int i, double step, Func<double> loss)
    {
        float saved = values[i];
        float up = (float)(saved + step), down = (float)(saved - step);
        double l0 = loss();
        values[i] = up;
        double lUp = loss();
        values[i] = down;
        double lDown = loss();
        values[i] = saved;
        // Divide by the steps actually taken in float32, not the nominal ones.
        double central = (lUp - lDown) / ((double)up - down);
        double gap = (lUp - l0) / ((double)up - saved) - (l0 - lDown) / ((double)saved - down);
        return (central, gap);
    }

    private static int[] ChooseIndices(int n, Options o)
    {
        if (o.MaxCoordinates <= 0 || o.MaxCoordinates >= n) return Enumerable.Range(0, n).ToArray();
        var rng = new Tensors.Rng(o.Seed);
        var all = Enumerable.Range(0, n).ToArray();
        for (int i = 0; i < o.MaxCoordinates; i++)
        {
            int j = i + rng.NextInt(n - i);
            (all[i], all[j]) = (all[j], all[i]);
        }
        return all[..o.MaxCoordinates];
    }
}
