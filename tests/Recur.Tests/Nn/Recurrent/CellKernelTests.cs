using Recur.Kernels;
using Recur.Nn.Recurrent;
using Recur.Tensors;
using Recur.Tests.Support;

namespace Recur.Tests.Nn.Recurrent;

/// <summary>
/// The fused recurrent kernels against their plain-loop twins in <see cref="CellReference"/> at
/// every hidden size 0…257 (every vector width and tail), with SIMD on and forced off.
/// </summary>
public class CellKernelTests
{
    private const int Batch = 2;

    public static TheoryData<bool> SimdModes => new() { true, false };

    private static IDisposable? Mode(bool simd) => simd ? null : Simd.ForceScalar();

    /// <summary>Random gate values in (0, 1) for sigmoid gates and (−1, 1) for tanh ones.</summary>
    private static float[] Gates(Rng rng, int rows, int gates, int hidden, int tanhGate)
    {
        var g = new float[rows * gates * hidden];
        for (int r = 0; r < rows; r++)
            for (int k = 0; k < gates; k++)
                rng.FillUniform(g.AsSpan((r * gates + k) * hidden, hidden), k == tanhGate ? -1f : 0f, 1f);
        return g;
    }

    [Theory]
    [MemberData(nameof(SimdModes))]
    public void LstmBackward_EveryHiddenSize_MatchesReference(bool simd)
    {
        using var _ = Mode(simd);
        var rng = new Rng(21);
        for (int h = 0; h <= 257; h++)
        {
            int n = Batch * h;
            float[] gates = Gates(rng, Batch, 4, h, tanhGate: 2);
            float[] tanhU = Data.Uniform(rng, n), dh = Data.Uniform(rng, n), cPrev = Data.Uniform(rng, n), dc = Data.Uniform(rng, n);
            foreach (bool accumulate in new[] { true, false })
            {
                float[] expectedGates = new float[4 * n], actualGates = new float[4 * n];
                float[] expectedDc = (float[])dc.Clone(), actualDc = (float[])dc.Clone();
                CellReference.LstmOutputBackward(gates, tanhU, dh, expectedGates, expectedDc, Batch, h, accumulate);
                LstmCell.OutputBackward(gates, tanhU, dh, actualGates, actualDc, Batch, h, accumulate);
                CellReference.LstmCellBackward(gates, cPrev, expectedDc, expectedGates, Batch, h);
                LstmCell.CellBackward(gates, cPrev, actualDc, actualGates, Batch, h);
                AssertClose.All(expectedGates, actualGates, 1e-5, 1e-7, $"dGates H={h} accumulate={accumulate}");
                AssertClose.All(expectedDc, actualDc, 1e-5, 1e-7, $"dc H={h} accumulate={accumulate}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(SimdModes))]
    public void GruBackward_EveryHiddenSize_MatchesReference(bool simd)
    {
        using var _ = Mode(simd);
        var rng = new Rng(22);
        for (int h = 0; h <= 257; h++)
        {
            int n = Batch * h;
            float[] gates = Gates(rng, Batch, 3, h, tanhGate: 2);
            float[] recurrent = Data.Uniform(rng, 3 * n), hPrev = Data.Uniform(rng, n), dh = Data.Uniform(rng, n), dhPrev = Data.Uniform(rng, n);
            float[] expectedX = new float[3 * n], actualX = new float[3 * n], expectedP = new float[3 * n], actualP = new float[3 * n];
            float[] expectedDh = (float[])dhPrev.Clone(), actualDh = (float[])dhPrev.Clone();
            CellReference.GruBackward(gates, recurrent, hPrev, dh, expectedX, expectedP, expectedDh, Batch, h);
            GruCell.Backward(gates, recurrent, hPrev, dh, actualX, actualP, actualDh, Batch, h);
            AssertClose.All(expectedX, actualX, 1e-5, 1e-7, $"dx H={h}");
            AssertClose.All(expectedP, actualP, 1e-5, 1e-7, $"dp H={h}");
            AssertClose.All(expectedDh, actualDh, 1e-5, 1e-7, $"dhPrev H={h}");
        }
    }

    [Theory]
    [MemberData(nameof(SimdModes))]
    public void RowLayerNorm_EveryWidth_MatchesReference(bool simd)
    {
        using var _ = Mode(simd);
        var rng = new Rng(23);
        const int rows = 3;
        for (int n = 1; n <= 257; n++)
        {
            float[] x = Data.Uniform(rng, rows * n, -2, 3), gain = Data.Uniform(rng, n, 0.5f, 1.5f), shift = Data.Uniform(rng, n);
            float[] dy = Data.Uniform(rng, rows * n), prior = Data.Uniform(rng, rows * n);
            foreach (bool accumulate in new[] { true, false })
            {
                float[] eHat = new float[rows * n], aHat = new float[rows * n], eRstd = new float[rows], aRstd = new float[rows];
                float[] eY = (float[])prior.Clone(), aY = (float[])prior.Clone();
                CellReference.LayerNormForward(x, gain, shift, eHat, eRstd, eY, rows, accumulate);
                RowLayerNorm.Forward(x, gain, shift, aHat, aRstd, aY, rows, accumulate);
                AssertClose.All(eHat, aHat, 1e-5, 1e-6, $"x̂ n={n}");
                AssertClose.All(eRstd, aRstd, 1e-5, 1e-6, $"rstd n={n}");
                AssertClose.All(eY, aY, 1e-5, 1e-6, $"y n={n} accumulate={accumulate}");
            }
            float[] xhat = new float[rows * n], rstd = new float[rows], y = new float[rows * n];
            RowLayerNorm.Forward(x, gain, shift, xhat, rstd, y, rows, accumulate: false);
            float[] eGain = Data.Uniform(rng, n), eShift = Data.Uniform(rng, n);
            float[] aGain = (float[])eGain.Clone(), aShift = (float[])eShift.Clone();
            float[] eDx = new float[rows * n], aDx = (float[])dy.Clone();
            CellReference.LayerNormBackward(dy, xhat, rstd, gain, eGain, eShift, eDx, rows);
            RowLayerNorm.Backward(aDx, xhat, rstd, gain, aGain, aShift, aDx, rows); // in place: dx over dy
            AssertClose.All(eGain, aGain, 1e-5, 1e-6, $"dγ n={n}");
            AssertClose.All(eShift, aShift, 1e-5, 1e-6, $"dβ n={n}");
            AssertClose.All(eDx, aDx, 1e-4, 1e-5, $"dx n={n}");
        }
    }

    [Fact]
    public void RowLayerNorm_ConstantRow_IsFiniteAndShift()
    {
        float[] x = [2f, 2f, 2f, 2f], gain = [1, 2, 3, 4], shift = [0.5f, -0.5f, 1f, 0f];
        float[] xhat = new float[4], rstd = new float[1], y = new float[4];
        RowLayerNorm.Forward(x, gain, shift, xhat, rstd, y, 1, accumulate: false);
        Assert.Equal(shift, y);
        Assert.Equal(1f / MathF.Sqrt(RowLayerNorm.Epsilon), rstd[0], 2);
    }
}
