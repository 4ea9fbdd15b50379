using Recur.Kernels;
using Recur.Nn.Losses;
using Recur.Tensors;

namespace Recur.Nn.Output;

// N rows, H input features, V tokens.

/// <summary>
/// A linear layer and a full softmax over V tokens, as nn.Linear followed by
/// F.cross_entropy: PyTorch names <c>head.weight</c> (V, H) and <c>head.bias</c> (V). With a
/// shared weight it is tied to the embedding table (V, E = H), as PyTorch's
/// word_language_model does with <c>--tied</c> (Press &amp; Wolf 2017; Inan et al. 2017): one
/// matrix both reads and predicts words, which saves V·H parameters and helps small data.
/// Decoding rows go through the weight packed once per evaluation phase.
/// </summary>
public sealed class SoftmaxOutput : OutputLayer
{
    private const int Chunk = 64;   // rows per block when only the targets' log-probabilities are wanted
    private readonly Linear _linear;
    private readonly SoftmaxCrossEntropy _loss = new();
    private readonly PackedMatrix _packed = new();   // weightᵀ (H × V) for steps of more than four rows
    private bool _isPacked;
    private float[] _scratch = [];

    /// <summary>A fresh (V, H) weight and bias, initialized as nn.Linear.</summary>
    public SoftmaxOutput(int inputSize, int outputSize, Rng rng, string prefix = "head")
    {
        _linear = new Linear(inputSize, outputSize, rng, prefix: prefix);
    }

    /// <summary>Tied to <paramref name="sharedWeight"/> (V, H), owned by another module; only the bias is this layer's own.</summary>
    public SoftmaxOutput(Parameter sharedWeight, Rng rng, string prefix = "head")
    {
        _linear = new Linear(sharedWeight, rng, prefix: prefix);
    }

    /// <summary>The linear layer (weight (V, H), bias (V)).</summary>
    public Linear Linear => _linear;

    /// <inheritdoc/>
    public override int InputSize => _linear.InFeatures;

    /// <inheritdoc/>
    public override int OutputSize => _linear.OutFeatures;

    /// <inheritdoc/>
    public override IEnumerable<Parameter> Parameters() => _linear.Parameters();

    /// <inheritdoc/>
    protected override IEnumerable<Module> Children() => [_linear];

    /// <inheritdoc/>
    protected override void OnTrainingChanged() => _isPacked = false;

    /// <inheritdoc/>
    public override double Forward(Tensor input, ReadOnlySpan<int> targets) => _loss.Forward(_linear.Forward(input), targets);

    /// <inheritdoc/>
    public override Tensor Backward() => _linear.Backward(_loss.Backward());

    /// <inheritdoc/>
    public override void LogProbabilities(ReadOnlySpan<float> input, Span<float> destination, int rows)
    {
        int v = OutputSize, h = InputSize;
        CheckRows(input.Length, rows);
        if (destination.Length < (long)rows * v) throw new ArgumentException($"The destination needs {rows} rows × {v} tokens.", nameof(destination));
        var logits = destination[..(rows * v)];
        // Wider batches (beams) go through the blocked GEMM, which would pack the weight on every
        // step: pack it once per evaluation phase instead, as the recurrent layers do.
        if (rows > 4)
        {
            if (!_isPacked) _packed.Pack(_linear.Weight.Value.Span, h, v, transpose: true);
            _isPacked = true;
            Gemm.Multiply(input, _packed, logits, rows);
        }
        else
        {
            Gemm.Multiply(input, _linear.Weight.Value.Span, logits, rows, v, h, transposeB: true);
        }
        var bias = _linear.Bias is null ? default : _linear.Bias.Value.Span;
        for (int r = 0; r < rows; r++)
        {
            var row = logits.Slice(r * v, v);
            if (!bias.IsEmpty) Elementwise.AddTo(bias, row);
            Softmax.LogForward(row, row);
        }
    }

    /// <inheritdoc/>
    public override void TargetLogProbabilities(ReadOnlySpan<float> input, ReadOnlySpan<int> targets, Span<float> destination)
    {
        int n = targets.Length, v = OutputSize, h = InputSize;
        CheckRows(input.Length, n);
        CheckTargets(targets);
        if (destination.Length < n) throw new ArgumentException($"The destination needs {n} values.", nameof(destination));
        if (_scratch.Length < Chunk * v) _scratch = new float[Chunk * v];
        for (int r0 = 0; r0 < n; r0 += Chunk)
        {
            int rows = Math.Min(Chunk, n - r0);
            LogProbabilities(input.Slice(r0 * h, rows * h), _scratch, rows);
            for (int r = 0; r < rows; r++) destination[r0 + r] = _scratch[r * v + targets[r0 + r]];
        }
    }
}
