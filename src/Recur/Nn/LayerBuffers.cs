using Recur.Tensors;

namespace Recur.Nn;

/// <summary>Small helpers every layer uses: PyTorch-style parameter names and reusable output buffers.</summary>
internal static class LayerBuffers
{
    /// <summary>"prefix.name", or "name" without a prefix (PyTorch's state_dict naming).</summary>
    public static string Name(string prefix, string name) => string.IsNullOrEmpty(prefix) ? name : prefix + "." + name;

    /// <summary>
    /// A tensor of <paramref name="shape"/>: the existing buffer when it already has that shape,
    /// else a new one. Layers keep their outputs and input gradients here, so a steady stream of
    /// same-shaped calls allocates nothing.
    /// </summary>
    public static Tensor Like(ref Tensor? buffer, Shape shape)
    {
        if (buffer is null || buffer.Shape != shape) buffer = Tensor.Zeros(shape);
        return buffer;
    }

    /// <summary>An array of at least <paramref name="length"/> elements, grown only when too small.</summary>
    public static T[] AtLeast<T>(ref T[]? array, int length)
    {
        if (array is null || array.Length < length) array = new T[length];
        return array;
    }
}
