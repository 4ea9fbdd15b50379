namespace Recur.Tensors;

/// <summary>
/// One contiguous buffer for all parameter values and one for all gradients. Constructing a
/// store copies each parameter's current value into the shared buffer and re-points the
/// parameter at its slice, so the parameters and the store stay the same memory from then on.
/// </summary>
public sealed class ParameterStore
{
    private readonly float[] _values;
    private readonly float[] _grads;
    private readonly Parameter[] _parameters;
    private readonly int[] _offsets;

    /// <summary>Packs <paramref name="parameters"/> in order; names must be unique.</summary>
    public ParameterStore(IEnumerable<Parameter> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        _parameters = parameters.ToArray();
        var names = new HashSet<string>(StringComparer.Ordinal);
        long total = 0;
        _offsets = new int[_parameters.Length];
        for (int i = 0; i < _parameters.Length; i++)
        {
            if (!names.Add(_parameters[i].Name)) throw new ArgumentException($"Duplicate parameter name '{_parameters[i].Name}'.");
            _offsets[i] = checked((int)total);
            total += _parameters[i].Length;
        }
        if (total > Array.MaxLength) throw new ArgumentException("The parameters do not fit in one buffer.");
        _values = new float[total];
        _grads = new float[total];
        for (int i = 0; i < _parameters.Length; i++)
        {
            var p = _parameters[i];
            p.Value.Span.CopyTo(_values.AsSpan(_offsets[i], p.Length));
            p.Grad.Span.CopyTo(_grads.AsSpan(_offsets[i], p.Length));
            p.Value.Rebind(_values, _offsets[i]);
            p.Grad.Rebind(_grads, _offsets[i]);
        }
    }

    /// <summary>The parameters, in packing order.</summary>
    public IReadOnlyList<Parameter> Parameters => _parameters;

    /// <summary>Total number of scalar parameters.</summary>
    public int Count => _values.Length;

    /// <summary>Every value, in packing order.</summary>
    public Span<float> Values => _values;

    /// <summary>Every gradient, in packing order.</summary>
    public Span<float> Grads => _grads;

    /// <summary>Offset of parameter <paramref name="index"/> in <see cref="Values"/> and <see cref="Grads"/>.</summary>
    public int OffsetOf(int index) => _offsets[index];

    /// <summary>Clears every gradient.</summary>
    public void ZeroGrad() => Array.Clear(_grads);

    /// <summary>The parameter with this name, or null.</summary>
    public Parameter? Find(string name)
    {
        foreach (var p in _parameters) if (p.Name == name) return p;
        return null;
    }

    /// <summary>The parameter with this name; throws a KeyNotFoundException naming it otherwise.</summary>
    public Parameter Get(string name) => Find(name) ?? throw new KeyNotFoundException($"No parameter named '{name}'.");
}
