namespace Recur.Nn.Recurrent;

/// <summary>The recurrent unit of a <see cref="RecurrentStack"/>.</summary>
[ChoiceName("cell")]
public enum CellKind
{
    /// <summary>Elman RNN, PyTorch's nn.RNN (see <see cref="ElmanForm"/> for the two activation placements).</summary>
    Rnn,
    /// <summary>Long short-term memory, PyTorch's nn.LSTM (gates i, f, g, o).</summary>
    Lstm,
    /// <summary>Gated recurrent unit, PyTorch's nn.GRU (gates r, z, n; reset after the recurrent product).</summary>
    Gru,
}
