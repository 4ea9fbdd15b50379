using Recur.Text;

namespace Recur.LanguageModels;

/// <summary>
/// A view of a language model whose sequences run on past the sentence separator: the
/// separator stays an ordinary token (still predicted, still the begin token), but no
/// sequence ends at it, so a decoder writes text that spans lines and stops only at its length
/// limit (or where its token callback says). Everything else is the inner model's.
/// </summary>
public sealed class RunOnModel(ILanguageModel inner) : ILanguageModel
{
    private readonly ILanguageModel _inner = inner ?? throw new ArgumentNullException(nameof(inner));

    public Vocabulary Vocabulary => _inner.Vocabulary;
    public int BeginToken => _inner.BeginToken;

    /// <summary>−1: sequences end only at a length limit.</summary>
    public int EndToken => -1;

    public LanguageModelState CreateState(int batch) => _inner.CreateState(batch);
    public void Step(LanguageModelState state, ReadOnlySpan<int> tokens, Span<float> logProbs) => _inner.Step(state, tokens, logProbs);
    public void Gather(LanguageModelState source, ReadOnlySpan<int> rows, LanguageModelState destination) => _inner.Gather(source, rows, destination);
}
