using System.Numerics.Tensors;
using Recur.Kernels;

namespace Recur.Optim;

/// <summary>
/// Gradient clipping over the flat gradient buffer (<see cref="Tensors.ParameterStore.Grads"/>),
/// as <c>torch.nn.utils.clip_grad_norm_</c> and <c>clip_grad_value_</c>.
/// </summary>
public static class GradientClipping
{
    /// <summary>
    /// Global L2-norm clipping (Pascanu et al. 2013): with ‖g‖ = √Σg_i² (accumulated in double),
    /// every gradient is multiplied by min(1, maxNorm / (‖g‖ + 1e-6)), PyTorch's coefficient.
    /// Returns ‖g‖ before clipping. When ‖g‖ is NaN or ∞ the gradients are left as they are and
    /// the norm is returned, so the caller can skip the step (PyTorch would scale every gradient
    /// by NaN or 0; see <see cref="Optimizer.ClipAndStep"/>).
    /// </summary>
    /// <param name="gradients">The gradients, clipped in place.</param>
    /// <param name="maxNorm">The largest norm allowed, &gt; 0; +∞ only measures.</param>
    public static double ClipByNorm(Span<float> gradients, double maxNorm)
    {
        if (!(maxNorm > 0)) throw new ArgumentOutOfRangeException(nameof(maxNorm), maxNorm, "The maximum gradient norm must be > 0.");
        double norm = Reductions.Norm(gradients);
        if (!double.IsFinite(norm)) return norm;
        double coefficient = maxNorm / (norm + 1e-6);
        if (coefficient < 1) Elementwise.Scale((float)coefficient, gradients);
        return norm;
    }

    /// <summary>
    /// Clamps every gradient to [−clipValue, clipValue], as <c>clip_grad_value_</c>; NaN stays NaN.
    /// </summary>
    /// <param name="gradients">The gradients, clipped in place.</param>
    /// <param name="clipValue">The largest magnitude allowed, ≥ 0.</param>
    public static void ClipByValue(Span<float> gradients, double clipValue)
    {
        if (!(clipValue >= 0)) throw new ArgumentOutOfRangeException(nameof(clipValue), clipValue, "The clip value must be ≥ 0.");
        float c = (float)clipValue;
        TensorPrimitives.Min(gradients, c, gradients);
        TensorPrimitives.Max(gradients, -c, gradients);
    }
}
