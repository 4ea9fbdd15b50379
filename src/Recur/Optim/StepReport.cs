namespace Recur.Optim;

/// <summary>
/// What <see cref="Optimizer.ClipAndStep"/> did: the global L2 norm of the gradients before
/// clipping, and whether the step was skipped because that norm was not finite.
/// </summary>
public readonly record struct StepReport(double GradientNorm, bool Skipped);
