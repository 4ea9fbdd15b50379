using Recur.Tensors;

namespace Recur.Nn;

/// <summary>
/// Anything with trainable parameters: a layer or a model built of layers. Each layer owns its
/// parameters, their gradients and the activations it caches for its backward pass; it exposes
/// Forward and Backward (Backward adds into parameter gradients and returns the input
/// gradient). The update rule is never inside a module: optimizers own updates.
/// </summary>
public abstract class Module
{
    private bool _training = true;

    /// <summary>Every trainable parameter, children's included, in a fixed order.</summary>
    public abstract IEnumerable<Parameter> Parameters();

    /// <summary>Direct child modules (for mode propagation); none by default.</summary>
    protected virtual IEnumerable<Module> Children() => [];

    /// <summary>
    /// Training mode (dropout active, batch statistics in batch norm) or evaluation mode.
    /// Setting it sets it on every child, as PyTorch's <c>train()</c>/<c>eval()</c> do.
    /// </summary>
    public bool Training
    {
        get => _training;
        set
        {
            _training = value;
            foreach (var child in Children()) child.Training = value;
            OnTrainingChanged();
        }
    }

    /// <summary>Called after <see cref="Training"/> is set (e.g. to drop state derived from the weights).</summary>
    protected virtual void OnTrainingChanged() { }
}
