using Recur.Diagnostics;
using Xunit.Sdk;

namespace Recur.Tests.Support;

/// <summary>Assertions with the one tolerance rule of <see cref="TensorComparison"/>.</summary>
internal static class AssertClose
{
    public static void All(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, double rtol = 1e-5, double atol = 1e-6, string? what = null)
    {
        var r = TensorComparison.Compare(actual, expected, rtol, atol);
        if (!r.Passed) throw new XunitException((what is null ? "" : what + ": ") + r.Report);
    }

    public static void All(ReadOnlySpan<double> expected, ReadOnlySpan<double> actual, double rtol = 1e-9, double atol = 1e-12, string? what = null)
    {
        var r = TensorComparison.Compare(actual, expected, rtol, atol);
        if (!r.Passed) throw new XunitException((what is null ? "" : what + ": ") + r.Report);
    }

    public static void Scalar(double expected, double actual, double rtol = 1e-6, double atol = 1e-9, string? what = null)
    {
        All([expected], [actual], rtol, atol, what);
    }
}
