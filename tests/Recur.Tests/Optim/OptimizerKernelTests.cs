using Recur.Kernels;
using Recur.Optim;
using Recur.Tensors;
using Recur.Tests.Support;

namespace Recur.Tests.Optim;

/// <summary>
/// The fused SGD and Adam kernels at every width over every length 0…257: the Vector512,
/// Vector256 and scalar paths must agree bit for bit (so results do not depend on the machine),
/// and all must agree with a float64 plain-loop reference of the textbook formulas.
/// </summary>
public class OptimizerKernelTests
{
    private static IEnumerable<SimdLevel> Levels()
    {
        yield return SimdLevel.Scalar;
        if (Simd.Hardware >= SimdLevel.Vector256) yield return SimdLevel.Vector256;
        if (Simd.Hardware == SimdLevel.Vector512) yield return SimdLevel.Vector512;
    }

    public static TheoryData<bool, bool, bool, bool> SgdVariants => new()
    {
        // momentum, first step, nesterov, decoupled (else L2)
        { false, false, false, false }, { false, false, false, true }, { true, true, false, false },
        { true, false, false, true }, { true, true, true, false }, { true, false, true, true },
    };

    [Theory]
    [MemberData(nameof(SgdVariants))]
    public void SgdKernel_EveryLengthAndWidth_BitIdenticalAndMatchesReference(bool momentum, bool first, bool nesterov, bool decoupled)
    {
        var rng = new Rng(21);
        var c = new SgdCoefficients(Decay: decoupled ? 0.997f : 1f, L2: decoupled ? 0f : 0.02f, LearningRate: 0.05f, momentum,
            BufferDecay: first ? 0f : 0.9f, GradientWeight: first ? 1f : 0.8f, nesterov, Momentum: 0.9f);
        for (int n = 0; n <= 257; n++)
        {
            float[] theta = Data.Uniform(rng, n, -2, 2), grad = Data.Uniform(rng, n), buffer = first ? new float[n] : Data.Uniform(rng, n);
            float[]? bitsTheta = null, bitsBuffer = null;
            foreach (var level in Levels())
            {
                float[] t = (float[])theta.Clone(), b = (float[])buffer.Clone();
                using (Simd.Limit(level)) SgdKernel.Update(t, grad, momentum ? b : default, c);
                if (bitsTheta is null) (bitsTheta, bitsBuffer) = (t, b);
                else
                {
                    Assert.Equal(bitsTheta, t);
                    Assert.Equal(bitsBuffer, b);
                }
            }
            var expectedTheta = new float[n];
            var expectedBuffer = (float[])buffer.Clone();
            for (int i = 0; i < n; i++)
            {
                double th = (double)theta[i] * c.Decay, g = grad[i] + (double)c.L2 * th, d = g;
                if (momentum)
                {
                    double bi = first ? g : c.BufferDecay * (double)buffer[i] + c.GradientWeight * g;
                    expectedBuffer[i] = (float)bi;
                    d = nesterov ? g + c.Momentum * bi : bi;
                }
                expectedTheta[i] = (float)(th - c.LearningRate * d);
            }
            AssertClose.All(expectedTheta, bitsTheta!, 1e-5, 1e-6, $"θ n={n}");
            AssertClose.All(expectedBuffer, bitsBuffer!, 1e-5, 1e-6, $"b n={n}");
        }
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void AdamKernel_EveryLengthAndWidth_BitIdenticalAndMatchesReference(bool amsGrad, bool decoupled)
    {
        var rng = new Rng(22);
        const int t = 7;
        double bc1 = 1 - Math.Pow(0.9, t), bc2 = Math.Sqrt(1 - Math.Pow(0.999, t));
        var c = new AdamCoefficients(Decay: decoupled ? 0.999f : 1f, L2: decoupled ? 0f : 0.02f, 0.9f, 0.1f, 0.999f, 0.001f,
            StepSize: (float)(1e-2 / bc1), (float)bc2, Epsilon: 1e-8f, amsGrad);
        for (int n = 0; n <= 257; n++)
        {
            float[] theta = Data.Uniform(rng, n, -2, 2), grad = Data.Uniform(rng, n), m = Data.Uniform(rng, n, -0.1f, 0.1f);
            float[] v = Data.Uniform(rng, n, 0, 0.01f), vMax = Data.Uniform(rng, n, 0, 0.02f);
            float[][]? bits = null;
            foreach (var level in Levels())
            {
                float[][] s = [(float[])theta.Clone(), (float[])m.Clone(), (float[])v.Clone(), (float[])vMax.Clone()];
                using (Simd.Limit(level)) AdamKernel.Update(s[0], grad, s[1], s[2], amsGrad ? s[3] : default, c);
                if (bits is null) bits = s;
                else for (int k = 0; k < 4; k++) Assert.Equal(bits[k], s[k]);
            }
            var expected = new float[4][];
            for (int k = 0; k < 4; k++) expected[k] = new float[n];
            for (int i = 0; i < n; i++)
            {
                double th = (double)theta[i] * c.Decay, g = grad[i] + (double)c.L2 * th;
                double mi = 0.9 * m[i] + 0.1 * g, vi = 0.999 * v[i] + 0.001 * g * g, vm = Math.Max(vMax[i], vi);
                double denominator = Math.Sqrt(amsGrad ? vm : vi) / bc2 + 1e-8;
                (expected[0][i], expected[1][i], expected[2][i], expected[3][i]) =
                    ((float)(th - 1e-2 / bc1 * mi / denominator), (float)mi, (float)vi, amsGrad ? (float)vm : vMax[i]);
            }
            string[] names = ["θ", "m", "v", "v_max"];
            for (int k = 0; k < 4; k++) AssertClose.All(expected[k], bits![k], 1e-5, 1e-6, $"{names[k]} n={n}");
        }
    }
}
