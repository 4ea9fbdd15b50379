namespace Recur.Nn.Output;

/// <summary>The output layer of a language model.</summary>
[ChoiceName("softmax")]
public enum SoftmaxKind
{
    /// <summary>A linear layer and a softmax over the whole vocabulary (<see cref="SoftmaxOutput"/>).</summary>
    Full,
    /// <summary>Grave et al.'s adaptive softmax over frequency clusters (<see cref="AdaptiveSoftmax"/>).</summary>
    Adaptive,
}
