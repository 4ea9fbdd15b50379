using Recur.Text;

namespace Recur.LanguageModels;

/// <summary>
/// A language model conditioned on a prompt: each row reads the begin token and then the
/// prompt's tokens before its first prediction, so any decoder continues the prompt (the
/// decoders themselves always start from the begin token). Sequence scores then are log
/// p(continuation | prompt).
/// </summary>
public sealed class PromptedModel : ILanguageModel
{
    private readonly ILanguageModel _inner;
    private readonly int[] _prompt;
    private int[] _column = [];

    /// <summary>Wraps <paramref name="inner"/> so that every sequence starts after <paramref name="prompt"/>.</summary>
    public PromptedModel(ILanguageModel inner, ReadOnlySpan<int> prompt)
    {
        ArgumentNullException.ThrowIfNull(inner);
        foreach (int t in prompt)
            if ((uint)t >= (uint)inner.Vocabulary.Count) throw new ArgumentOutOfRangeException(nameof(prompt), t, "A prompt token is outside the vocabulary.");
        _inner = inner;
        _prompt = prompt.ToArray();
    }

    public Vocabulary Vocabulary => _inner.Vocabulary;
    public int BeginToken => _inner.BeginToken;
    public int EndToken => _inner.EndToken;

    public LanguageModelState CreateState(int batch) => new State(_inner.CreateState(batch));

    /// <summary>Reads the tokens; a row's first read (the begin token) also reads the whole prompt.</summary>
    public void Step(LanguageModelState state, ReadOnlySpan<int> tokens, Span<float> logProbs)
    {
        var s = (State)state;
        _inner.Step(s.Inner, tokens, logProbs);
        if (s.Primed || _prompt.Length == 0)
        {
            s.Primed = true;
            return;
        }
        int batch = s.Batch, n = Vocabulary.Count;
        if (_column.Length < batch) _column = new int[batch];
        foreach (int t in _prompt)
        {
            Array.Fill(_column, t, 0, batch);
            _inner.Step(s.Inner, _column.AsSpan(0, batch), logProbs[..(batch * n)]);
        }
        s.Primed = true;
    }

    public void Gather(LanguageModelState source, ReadOnlySpan<int> rows, LanguageModelState destination)
    {
        var from = (State)source;
        var to = (State)destination;
        _inner.Gather(from.Inner, rows, to.Inner);
        to.Primed = from.Primed;
    }

    private sealed class State(LanguageModelState inner) : LanguageModelState
    {
        public LanguageModelState Inner { get; } = inner;
        public bool Primed { get; set; }
        public override int Batch => Inner.Batch;
    }
}
