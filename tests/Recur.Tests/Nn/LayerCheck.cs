using Recur.Diagnostics;
using Recur.Tensors;
using Recur.Tests.Support;
using Xunit.Sdk;

namespace Recur.Tests.Nn;

/// <summary>
/// Central-difference gradient checks of a layer for the loss L = Σ out·W with a fixed random W
/// (so the output gradient is W), on the input and on every parameter.
/// </summary>
internal static class LayerCheck
{
    /// <summary>Fraction of coordinates that must be checked, not skipped as kinks.</summary>
    public const double MinCheckedFraction = 0.9;

    /// <param name="forward">Recomputes the output from the current input and parameter values.</param>
    /// <param name="backward">Given the output gradient, runs the backward pass and returns the input gradient (null when the input has none).</param>
    /// <param name="input">The input whose gradient is checked (null to check only parameters).</param>
    public static void Gradients(Func<Tensor> forward, Func<Tensor, Tensor?> backward, Tensor? input, IEnumerable<Parameter> parameters,
        ulong seed = 7, GradientChecker.Options? options = null)
    {
        var ps = parameters.ToList();
        var output = forward();
        var w = Tensor.FromSpan(Data.Uniform(new Rng(seed), output.Length), output.Shape.ToArray());
        foreach (var p in ps) p.Grad.Clear();
        var inputGrad = backward(w)?.Span.ToArray();
        var grads = ps.Select(p => p.Grad.Span.ToArray()).ToList();

        double Loss()
        {
            var o = forward().Span;
            double s = 0;
            for (int i = 0; i < o.Length; i++) s += (double)o[i] * w[i];
            return s;
        }

        if (input is not null)
        {
            Assert.NotNull(inputGrad);
            Expect(GradientChecker.Check("input", input.Span, inputGrad, Loss, options), input.Length);
        }
        for (int i = 0; i < ps.Count; i++)
            Expect(GradientChecker.Check(ps[i].Name, ps[i].Value.Span, grads[i], Loss, options), ps[i].Length);
    }

    private static void Expect(GradientChecker.Report report, int total)
    {
        if (!report.Passed) throw new XunitException(report.ToString());
        if (report.Checked < MinCheckedFraction * total)
            throw new XunitException($"only {report.Checked} of {total} coordinates checked: {report}");
    }
}
