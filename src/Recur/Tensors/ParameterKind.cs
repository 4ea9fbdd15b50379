namespace Recur.Tensors;

/// <summary>
/// What a parameter is for. Optimizers use it to choose defaults: weight decay applies to
/// <see cref="Weight"/> only, as is usual for language models (biases, normalization gains and
/// embeddings are not decayed).
/// </summary>
public enum ParameterKind
{
    /// <summary>A weight matrix of a linear map or recurrent layer.</summary>
    Weight,
    /// <summary>An additive bias.</summary>
    Bias,
    /// <summary>A gain or shift of a normalization layer (including weight-norm's g).</summary>
    Normalization,
    /// <summary>An embedding table.</summary>
    Embedding,
}
