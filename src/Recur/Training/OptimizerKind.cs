namespace Recur.Training;

/// <summary>The optimizer a <see cref="Trainer"/> builds.</summary>
[ChoiceName("optimizer")]
public enum OptimizerKind
{
    /// <summary>SGD with PyTorch's momentum form.</summary>
    Sgd,
    /// <summary>Adam (Kingma &amp; Ba 2015).</summary>
    Adam,
    /// <summary>Adam with decoupled weight decay (Loshchilov &amp; Hutter 2019); default decay 0.01 as PyTorch.</summary>
    AdamW,
}
