namespace Recur.Kernels;

/// <summary>The elementwise nonlinearity σ of a recurrent layer.</summary>
[ChoiceName("activation")]
public enum Activation
{
    /// <summary>tanh; ‖Dσ‖ ≤ 1 (docs/theory.md 1.2).</summary>
    Tanh,
    /// <summary>max(x, 0); ‖Dσ‖ ≤ 1.</summary>
    Relu,
    /// <summary>1/(1 + e^−x); ‖Dσ‖ ≤ 1/4.</summary>
    Sigmoid,
}
