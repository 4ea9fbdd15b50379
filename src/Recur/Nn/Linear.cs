using Recur.Kernels;
using Recur.Tensors;

namespace Recur.Nn;

/// <summary>
/// A fully connected layer, as PyTorch's nn.Linear: y = x·Wᵀ + b over the last dimension.
/// Dimension glossary: N rows (the product of the leading dimensions), I input features,
/// O output features. Parameters: weight (O, I) and bias (O), both U(−1/√I, 1/√I) as PyTorch
/// initializes them (kaiming_uniform with a = √5 gives exactly this bound). Every product goes
/// through <see cref="Gemm"/>.
/// </summary>
public sealed class Linear : Module
{
    private Tensor? _output, _inputGrad, _input;   // (N, O), (N, I), (N, I)

    /// <param name="inFeatures">I.</param>
    /// <param name="outFeatures">O.</param>
    /// <param name="rng">Draws the initial weight and bias.</param>
    /// <param name="bias">Learn an additive bias.</param>
    /// <param name="prefix">Name prefix of the parameters (e.g. "head" gives "head.weight").</param>
    public Linear(int inFeatures, int outFeatures, Rng rng, bool bias = true, string prefix = "")
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inFeatures, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outFeatures, 1);
        ArgumentNullException.ThrowIfNull(rng);
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        float bound = (float)(1 / Math.Sqrt(inFeatures));
        Weight = new Parameter(LayerBuffers.Name(prefix, "weight"), new Shape(outFeatures, inFeatures), ParameterKind.Weight);
        rng.FillUniform(Weight.Value.Span, -bound, bound);
        if (bias)
        {
            Bias = new Parameter(LayerBuffers.Name(prefix, "bias"), new Shape(outFeatures), ParameterKind.Bias);
            rng.FillUniform(Bias.Value.Span, -bound, bound);
        }
    }

    /// <summary>
    /// A layer whose weight is <paramref name="sharedWeight"/> (O, I), a parameter another
    /// module owns and lists (weight tying: Press &amp; Wolf 2017, Inan et al. 2017). Gradients
    /// from both uses add into its one gradient; <see cref="Parameters"/> lists only the bias.
    /// </summary>
    public Linear(Parameter sharedWeight, Rng rng, bool bias = true, string prefix = "")
    {
        ArgumentNullException.ThrowIfNull(sharedWeight);
        ArgumentNullException.ThrowIfNull(rng);
        if (sharedWeight.Shape.Rank != 2) throw new ArgumentException($"A shared weight must be (O, I); got {sharedWeight.Shape}.", nameof(sharedWeight));
        OutFeatures = sharedWeight.Shape[0];
        InFeatures = sharedWeight.Shape[1];
        Weight = sharedWeight;
        SharesWeight = true;
        if (bias)
        {
            float bound = (float)(1 / Math.Sqrt(InFeatures));
            Bias = new Parameter(LayerBuffers.Name(prefix, "bias"), new Shape(OutFeatures), ParameterKind.Bias);
            rng.FillUniform(Bias.Value.Span, -bound, bound);
        }
    }

    /// <summary>True when the weight belongs to another module (see the shared-weight constructor).</summary>
    public bool SharesWeight { get; }

    /// <summary>I.</summary>
    public int InFeatures { get; }

    /// <summary>O.</summary>
    public int OutFeatures { get; }

    /// <summary>W (O, I).</summary>
    public Parameter Weight { get; }

    /// <summary>b (O), or null without bias.</summary>
    public Parameter? Bias { get; }

    public override IEnumerable<Parameter> Parameters()
    {
        if (!SharesWeight) yield return Weight;
        if (Bias is not null) yield return Bias;
    }

    /// <summary>
    /// y = x·Wᵀ + b for input (*, I); output (*, O). The returned tensor belongs to the layer and
    /// is overwritten by the next call; <paramref name="input"/> must stay unchanged until
    /// <see cref="Backward"/>.
    /// </summary>
    public Tensor Forward(Tensor input)
    {
        var s = input.Shape;
        if (s.Rank < 1 || s[-1] != InFeatures)
            throw new ArgumentException($"Linear: expected input (*, {InFeatures}), got {s}.", nameof(input));
        int n = s.Size / InFeatures;
        if (_output is null || !SameLeading(_output.Shape, s))
        {
            int[] dims = s.ToArray();
            dims[^1] = OutFeatures;
            _output = Tensor.Zeros(dims);
        }
        var y = _output.Span;
        Gemm.Multiply(input.Span, Weight.Value.Span, y, n, OutFeatures, InFeatures, transposeB: true);
        if (Bias is not null) Elementwise.AddRowVector(Bias.Value.Span, y);
        _input = input;
        return _output;
    }

    /// <summary>
    /// dx = dy·W; adds ∂L/∂W = dyᵀ·x and ∂L/∂b = Σ_rows dy into the parameter gradients.
    /// The returned tensor (*, I) belongs to the layer.
    /// </summary>
    public Tensor Backward(Tensor outputGradient)
    {
        var input = _input ?? throw new InvalidOperationException("Linear: Backward was called before Forward.");
        if (outputGradient.Shape != _output!.Shape)
            throw new ArgumentException($"Linear: the output gradient has shape {outputGradient.Shape}; the output had shape {_output.Shape}.", nameof(outputGradient));
        int n = input.Length / InFeatures;
        var dy = outputGradient.Span;
        var dx = LayerBuffers.Like(ref _inputGrad, input.Shape);
        Gemm.Multiply(dy, Weight.Value.Span, dx.Span, n, InFeatures, OutFeatures);
        Gemm.Multiply(dy, input.Span, Weight.Grad.Span, OutFeatures, InFeatures, n, transposeA: true, beta: 1f);
        if (Bias is not null) Elementwise.AddColumnSums(dy, Bias.Grad.Span);
        return dx;
    }

    /// <summary>True when <paramref name="output"/> is the output shape for <paramref name="input"/>.</summary>
    private bool SameLeading(Shape output, Shape input)
    {
        if (output.Rank != input.Rank || output[-1] != OutFeatures) return false;
        for (int i = 0; i < input.Rank - 1; i++) if (output[i] != input[i]) return false;
        return true;
    }
}
