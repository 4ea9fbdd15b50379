namespace Recur.Tensors;

/// <summary>
/// The dimensions of a row-major tensor, outermost first. Immutable; compares by value.
/// </summary>
public readonly struct Shape : IEquatable<Shape>
{
    private readonly int[]? _dims;

    /// <summary>Creates a shape from its dimensions; every dimension must be ≥ 0.</summary>
    public Shape(params int[] dims)
    {
        ArgumentNullException.ThrowIfNull(dims);
        long size = 1;
        foreach (int d in dims)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(d, nameof(dims));
            size *= d;
            if (size > Array.MaxLength) throw new ArgumentOutOfRangeException(nameof(dims), "Shape has more elements than one array can hold.");
        }
        _dims = (int[])dims.Clone();
    }

    /// <summary>Number of dimensions.</summary>
    public int Rank => _dims?.Length ?? 0;

    /// <summary>Dimension <paramref name="axis"/>; negative axes count from the end as in PyTorch.</summary>
    public int this[int axis]
    {
        get
        {
            int rank = Rank;
            int a = axis < 0 ? axis + rank : axis;
            if ((uint)a >= (uint)rank) throw new ArgumentOutOfRangeException(nameof(axis), $"Axis {axis} is out of range for a rank-{rank} shape.");
            return _dims![a];
        }
    }

    /// <summary>Total number of elements (1 for a rank-0 shape).</summary>
    public int Size
    {
        get
        {
            int size = 1;
            if (_dims is not null) foreach (int d in _dims) size *= d;
            return size;
        }
    }

    /// <summary>The dimensions as a fresh array.</summary>
    public int[] ToArray() => _dims is null ? [] : (int[])_dims.Clone();

    /// <summary>The dimensions as a read-only span.</summary>
    public ReadOnlySpan<int> Dims => _dims;

    /// <summary>Number of elements in one slice along the first axis (the row length for a matrix).</summary>
    public int RowSize
    {
        get
        {
            int s = 1;
            for (int i = 1; i < Rank; i++) s *= _dims![i];
            return s;
        }
    }

    /// <summary>The same shape with the first dimension replaced.</summary>
    public Shape WithFirst(int first)
    {
        int[] d = ToArray();
        if (d.Length == 0) throw new InvalidOperationException("A rank-0 shape has no first dimension.");
        d[0] = first;
        return new Shape(d);
    }

    public bool Equals(Shape other) => Dims.SequenceEqual(other.Dims);
    public override bool Equals(object? obj) => obj is Shape s && Equals(s);
    public override int GetHashCode()
    {
        var h = new HashCode();
        foreach (int d in Dims) h.Add(d);
        return h.ToHashCode();
    }
    public static bool operator ==(Shape left, Shape right) => left.Equals(right);
    public static bool operator !=(Shape left, Shape right) => !left.Equals(right);

    /// <summary>PyTorch-style text, e.g. <c>(2, 3)</c>.</summary>
    public override string ToString() => "(" + string.Join(", ", _dims ?? []) + ")";
}
