using Recur.Tensors;

namespace Recur.Nn;

/// <summary>
/// A lookup table of learned vectors, as PyTorch's nn.Embedding: row i of the output is row
/// ids[i] of the weight. Dimension glossary: V vocabulary (rows of the table), E embedding size,
/// n ids per call. Parameter: weight (V, E), N(0, 1) as PyTorch initializes it.
/// </summary>
public sealed class Embedding : Module
{
    private Tensor? _output;   // (n, E)
    private int[] _ids = [];   // (n), a copy of the last ids
    private int _count = -1;

    /// <param name="numEmbeddings">V.</param>
    /// <param name="embeddingDim">E.</param>
    /// <param name="rng">Draws the initial table.</param>
    /// <param name="prefix">Name prefix of the parameter (e.g. "embedding" gives "embedding.weight").</param>
    public Embedding(int numEmbeddings, int embeddingDim, Rng rng, string prefix = "")
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(numEmbeddings, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(embeddingDim, 1);
        ArgumentNullException.ThrowIfNull(rng);
        NumEmbeddings = numEmbeddings;
        EmbeddingDim = embeddingDim;
        Weight = new Parameter(LayerBuffers.Name(prefix, "weight"), new Shape(numEmbeddings, embeddingDim), ParameterKind.Embedding);
        rng.FillNormal(Weight.Value.Span, 0f, 1f);
    }

    /// <summary>V.</summary>
    public int NumEmbeddings { get; }

    /// <summary>E.</summary>
    public int EmbeddingDim { get; }

    /// <summary>The table (V, E).</summary>
    public Parameter Weight { get; }

    public override IEnumerable<Parameter> Parameters() => [Weight];

    /// <summary>
    /// The rows for <paramref name="ids"/>: output (n, E). Every id must lie in [0, V). The
    /// returned tensor belongs to the layer and is overwritten by the next call.
    /// </summary>
    public Tensor Forward(ReadOnlySpan<int> ids)
    {
        for (int i = 0; i < ids.Length; i++)
            if ((uint)ids[i] >= (uint)NumEmbeddings)
                throw new ArgumentOutOfRangeException(nameof(ids), ids[i], $"Embedding: id {ids[i]} at position {i} is outside the table's {NumEmbeddings} rows [0, {NumEmbeddings}).");
        int e = EmbeddingDim;
        if (_output is null || _output.Shape[0] != ids.Length) _output = Tensor.Zeros(ids.Length, e);
        if (_ids.Length < ids.Length) _ids = new int[ids.Length];
        ids.CopyTo(_ids);
        _count = ids.Length;
        var table = Weight.Value.Span;
        var y = _output.Span;
        for (int i = 0; i < ids.Length; i++) table.Slice(ids[i] * e, e).CopyTo(y.Slice(i * e, e));
        return _output;
    }

    /// <summary>
    /// Scatter-adds the output gradient (n, E) into the rows of the weight gradient that the last
    /// <see cref="Forward"/> read (a row read twice gets both gradients). Ids have no gradient.
    /// </summary>
    public void Backward(Tensor outputGradient)
    {
        if (_count < 0) throw new InvalidOperationException("Embedding: Backward was called before Forward.");
        int e = EmbeddingDim;
        if (outputGradient.Shape != _output!.Shape)
            throw new ArgumentException($"Embedding: the output gradient has shape {outputGradient.Shape}; the output had shape {_output.Shape}.", nameof(outputGradient));
        var dy = outputGradient.Span;
        var grad = Weight.Grad.Span;
        for (int i = 0; i < _count; i++) Kernels.Elementwise.AddTo(dy.Slice(i * e, e), grad.Slice(_ids[i] * e, e));
    }
}
