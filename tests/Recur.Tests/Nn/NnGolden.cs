using Recur.Formats;
using Recur.Tensors;
using Recur.Tests.Support;

namespace Recur.Tests.Nn;

/// <summary>
/// Reads the PyTorch golden files written by tools/golden/layers.py and tools/golden/norms.py
/// (copied next to the test assembly) and compares with their tolerance: 1e-4 relative,
/// 1e-6 absolute near zero.
/// </summary>
internal sealed class NnGolden(string file)
{
    public const double Rtol = 1e-4, Atol = 1e-6;

    private readonly Safetensors _st = Safetensors.Load(Path.Combine(AppContext.BaseDirectory, "Golden", file));

    /// <summary>A float32 tensor, in its stored shape.</summary>
    public Tensor T(string name) => new(_st.GetFloat32(name), new Shape(_st.ShapeOf(name)));

    public int[] Ints(string name) => _st.GetInt32(name);

    public bool Has(string name) => _st.Contains(name);

    /// <summary>Copies a stored tensor into a parameter or buffer (same number of elements).</summary>
    public void Load(string name, Tensor destination)
    {
        var values = _st.GetFloat32(name);
        Assert.Equal(values.Length, destination.Length);
        values.CopyTo(destination.Span);
    }

    /// <summary>Asserts <paramref name="actual"/> matches the stored tensor within the golden tolerance.</summary>
    public void Match(string name, ReadOnlySpan<float> actual) => AssertClose.All(_st.GetFloat32(name), actual, Rtol, Atol, name);

    /// <summary>Runs the layer's backward pass with the stored loss weight as output gradient (after clearing gradients).</summary>
    public Tensor Backward(string prefix, Func<Tensor, Tensor> backward, IEnumerable<Parameter> parameters)
    {
        foreach (var p in parameters) p.Grad.Clear();
        return backward(T(prefix + ".loss_weight"));
    }
}
