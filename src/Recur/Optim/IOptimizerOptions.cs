using Recur.Tensors;

namespace Recur.Optim;

/// <summary>What the shared part of an optimizer reads from its options record.</summary>
internal interface IOptimizerOptions
{
    double LearningRate { get; }
    Regularization Regularization { get; }
    IReadOnlyList<ParameterKind> RegularizedKinds { get; }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first bad hyper-parameter.</summary>
    void Validate();
}
