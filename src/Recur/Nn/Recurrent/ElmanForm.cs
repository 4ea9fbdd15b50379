namespace Recur.Nn.Recurrent;

/// <summary>Where an Elman layer applies its activation σ (docs/theory.md 1.1).</summary>
[ChoiceName("rnn form")]
public enum ElmanForm
{
    /// <summary>g_t = σ(W g_{t−1} + U x_t + b); outputs and state are g_t. This is PyTorch's nn.RNN.</summary>
    Standard,
    /// <summary>
    /// h_t = W σ(h_{t−1}) + U x_t + b; outputs and state are the pre-activations h_t. With
    /// g_0 = σ(h_0) the two forms satisfy g_t = σ(h_t) for every t.
    /// </summary>
    PreActivation,
}
