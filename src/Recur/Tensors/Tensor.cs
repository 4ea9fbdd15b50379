using Recur.Kernels;

namespace Recur.Tensors;

/// <summary>
/// A float32 tensor over contiguous row-major memory: a shape and a window of a float array.
/// Views (<see cref="Rows"/>, <see cref="Reshape"/>) share memory with their source, so
/// writing through a view writes the source.
/// </summary>
public sealed class Tensor
{
    private float[] _data;
    private int _offset;

    /// <summary>The tensor's shape.</summary>
    public Shape Shape { get; }

    /// <summary>Wraps <paramref name="data"/>[offset .. offset + shape.Size) without copying.</summary>
    public Tensor(float[] data, int offset, Shape shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (offset < 0 || (long)offset + shape.Size > data.Length)
            throw new ArgumentException($"A tensor of shape {shape} at offset {offset} does not fit in an array of {data.Length} elements.");
        _data = data;
        _offset = offset;
        Shape = shape;
    }

    /// <summary>Wraps a whole array as a tensor of the given shape.</summary>
    public Tensor(float[] data, Shape shape) : this(data, 0, shape)
    {
        if (data.Length != shape.Size)
            throw new ArgumentException($"An array of {data.Length} elements cannot have shape {shape}.");
    }

    /// <summary>A new tensor of zeros.</summary>
    public static Tensor Zeros(params int[] dims) => Zeros(new Shape(dims));

    /// <summary>A new tensor of zeros.</summary>
    public static Tensor Zeros(Shape shape)
    {
        int size = shape.Size;
        if (size < AlignedSize) return new(new float[size], shape);
        // Large tensors start on a cache line: a 64-byte vector load or store that straddles two
        // lines costs two cache accesses, which made streaming kernels (normalization, elementwise)
        // up to 40 % slower. The array is pinned so that the aligned start stays aligned; arrays this
        // large live in the large object heap, which is not compacted by default, either way.
        var data = GC.AllocateArray<float>(size + CacheLine.Slack, pinned: true);
        return new(data, CacheLine.Offset(data), shape);
    }

    /// <summary>Elements from which <see cref="Zeros(Shape)"/> aligns: the size at which an array goes to the large object heap (85,000 bytes).</summary>
    internal const int AlignedSize = 85_000 / sizeof(float);

    /// <summary>A new tensor holding a copy of <paramref name="values"/>.</summary>
    public static Tensor FromSpan(ReadOnlySpan<float> values, params int[] dims)
    {
        var t = Zeros(dims);
        if (values.Length != t.Length) throw new ArgumentException($"{values.Length} values cannot fill shape {t.Shape}.");
        values.CopyTo(t.Span);
        return t;
    }

    /// <summary>Number of elements.</summary>
    public int Length => Shape.Size;

    /// <summary>The elements, row-major.</summary>
    public Span<float> Span => _data.AsSpan(_offset, Shape.Size);

    /// <summary>The backing array; elements start at <see cref="Offset"/>.</summary>
    internal float[] Data => _data;

    /// <summary>Index of the first element in <see cref="Data"/>.</summary>
    internal int Offset => _offset;

    /// <summary>Element at a flat row-major index.</summary>
    public float this[int index]
    {
        get => Span[index];
        set => Span[index] = value;
    }

    /// <summary>Element (i, j) of a rank-2 tensor.</summary>
    public float this[int i, int j]
    {
        get => Span[i * Shape[1] + j];
        set => Span[i * Shape[1] + j] = value;
    }

    /// <summary>A view of rows [start, start + count) along the first axis; shares memory.</summary>
    public Tensor Rows(int start, int count)
    {
        int first = Shape[0];
        if (start < 0 || count < 0 || start + count > first)
            throw new ArgumentOutOfRangeException(nameof(start), $"Rows [{start}, {start + count}) are outside a first dimension of {first}.");
        int row = Shape.RowSize;
        return new Tensor(_data, _offset + start * row, Shape.WithFirst(count));
    }

    /// <summary>A view with a different shape of the same size; shares memory.</summary>
    public Tensor Reshape(params int[] dims)
    {
        var shape = new Shape(dims);
        if (shape.Size != Length) throw new ArgumentException($"Cannot reshape {Shape} ({Length} elements) to {shape}.");
        return new Tensor(_data, _offset, shape);
    }

    /// <summary>A new tensor with a copy of the elements.</summary>
    public Tensor Clone()
    {
        var t = Zeros(Shape);
        Span.CopyTo(t.Span);
        return t;
    }

    /// <summary>Sets every element to zero.</summary>
    public void Clear() => Span.Clear();

    /// <summary>Points this tensor at new storage (used when parameters are packed into one buffer).</summary>
    internal void Rebind(float[] data, int offset)
    {
        if (offset < 0 || (long)offset + Length > data.Length) throw new ArgumentException("New storage is too small.");
        _data = data;
        _offset = offset;
    }

    public override string ToString() => $"Tensor{Shape}";
}
