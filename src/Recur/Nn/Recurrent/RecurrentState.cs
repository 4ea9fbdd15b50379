using Recur.Tensors;

namespace Recur.Nn.Recurrent;

// Dimension glossary: L layers, B batch, H hidden units.

/// <summary>
/// The state of a <see cref="RecurrentStack"/> between calls, in PyTorch's layout: h (L, B, H)
/// as nn.RNN's h_n, and c (L, B, H) for the LSTM. Truncated BPTT passes the same state as the
/// initial and final state of successive Forward calls; decoding passes it to Step; gradients
/// with respect to a state use the same type.
/// </summary>
public sealed class RecurrentState
{
    /// <summary>A zero state for <paramref name="batch"/> rows.</summary>
    public RecurrentState(int layers, int batch, int hiddenSize, bool hasCell)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(layers, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(hiddenSize, 1);
        Hidden = Tensor.Zeros(layers, batch, hiddenSize);
        Cell = hasCell ? Tensor.Zeros(layers, batch, hiddenSize) : null;
    }

    /// <summary>L.</summary>
    public int Layers => Hidden.Shape[0];
    /// <summary>B.</summary>
    public int Batch => Hidden.Shape[1];
    /// <summary>H.</summary>
    public int HiddenSize => Hidden.Shape[2];

    /// <summary>h, (L, B, H).</summary>
    public Tensor Hidden { get; }

    /// <summary>c, (L, B, H), for the LSTM; null otherwise.</summary>
    public Tensor? Cell { get; }

    /// <summary>h of one layer, (B, H).</summary>
    public Span<float> HiddenOf(int layer) => Hidden.Span.Slice(CheckLayer(layer) * Batch * HiddenSize, Batch * HiddenSize);

    /// <summary>c of one layer, (B, H); empty when there is no cell.</summary>
    public Span<float> CellOf(int layer) => Cell is null ? [] : Cell.Span.Slice(CheckLayer(layer) * Batch * HiddenSize, Batch * HiddenSize);

    /// <summary>Sets every value to zero (a fresh start, e.g. at a document boundary).</summary>
    public void Clear()
    {
        Hidden.Clear();
        Cell?.Clear();
    }

    /// <summary>Copies a state of the same shape.</summary>
    public void CopyFrom(RecurrentState source)
    {
        CheckCompatible(source, Batch);
        source.Hidden.Span.CopyTo(Hidden.Span);
        source.Cell?.Span.CopyTo(Cell!.Span);
    }

    /// <summary>
    /// Row b of every layer becomes row <paramref name="rows"/>[b] of <paramref name="source"/>
    /// (reordering beams). <paramref name="source"/> must not be this state.
    /// </summary>
    public void CopyRowsFrom(RecurrentState source, ReadOnlySpan<int> rows)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (ReferenceEquals(source, this)) throw new ArgumentException("Copy rows from a different state; reordering in place would overwrite rows still to be read.", nameof(source));
        if (rows.Length != Batch) throw new ArgumentException($"{rows.Length} row indices for a batch of {Batch}.", nameof(rows));
        CheckCompatible(source, source.Batch);
        int h = HiddenSize;
        for (int l = 0; l < Layers; l++)
            for (int b = 0; b < Batch; b++)
            {
                int r = rows[b];
                if ((uint)r >= (uint)source.Batch) throw new ArgumentOutOfRangeException(nameof(rows), r, $"Row index outside the source batch of {source.Batch}.");
                source.HiddenOf(l).Slice(r * h, h).CopyTo(HiddenOf(l).Slice(b * h, h));
                if (Cell is not null) source.CellOf(l).Slice(r * h, h).CopyTo(CellOf(l).Slice(b * h, h));
            }
    }

    private void CheckCompatible(RecurrentState source, int batch)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (source.Layers != Layers || source.Batch != batch || source.HiddenSize != HiddenSize || (source.Cell is null) != (Cell is null))
            throw new ArgumentException($"A state of {source.Layers} layers × {source.Batch} rows × {source.HiddenSize} (cell: {source.Cell is not null}) does not match {Layers} × {batch} × {HiddenSize} (cell: {Cell is not null}).");
    }

    private int CheckLayer(int layer)
    {
        if ((uint)layer >= (uint)Layers) throw new ArgumentOutOfRangeException(nameof(layer), layer, $"The state has layers 0 … {Layers - 1}.");
        return layer;
    }
}
