using Recur.Decoding;
using Recur.LanguageModels;
using Recur.Text;

namespace Recur.Tests.LanguageModels;

/// <summary>A run-on view decodes past the separator: sequences end only at the length limit.</summary>
public class RunOnModelTests
{
    // A bigram table whose separator "\n" is both its begin and its end token, as a char model's
    // newline is: after "a" the separator is the most likely token.
    private sealed class Lines : ILanguageModel
    {
        private static readonly float[] Table =
        [
            MathF.Log(0.3f), MathF.Log(0.4f), MathF.Log(0.3f),   // after "\n"
            MathF.Log(0.7f), MathF.Log(0.2f), MathF.Log(0.1f),   // after "a"
            MathF.Log(0.3f), MathF.Log(0.4f), MathF.Log(0.3f),   // after "b"
        ];

        public Vocabulary Vocabulary { get; } = new(["\n", "a", "b"]);
        public int BeginToken => 0;
        public int EndToken => 0;
        public LanguageModelState CreateState(int batch) => new State(batch);

        public void Step(LanguageModelState state, ReadOnlySpan<int> tokens, Span<float> logProbs)
        {
            for (int r = 0; r < tokens.Length; r++) Table.AsSpan(tokens[r] * 3, 3).CopyTo(logProbs.Slice(r * 3, 3));
        }

        public void Gather(LanguageModelState source, ReadOnlySpan<int> rows, LanguageModelState destination) { }

        private sealed class State(int batch) : LanguageModelState
        {
            public override int Batch => batch;
        }
    }

    [Fact]
    public void Greedy_OnTheModel_EndsAtTheSeparator_OnTheView_RunsToTheLimit()
    {
        var model = new Lines();
        var ended = Greedy.Decode(model, new GreedyOptions { MaxLength = 9 }).Sequences[0];
        Assert.Equal([1, 0], ended.Tokens);                       // "a\n"
        var runOn = Greedy.Decode(new RunOnModel(model), new GreedyOptions { MaxLength = 9 }).Sequences[0];
        Assert.Equal(9, runOn.Tokens.Length);
        Assert.Equal([1, 0, 1, 0, 1, 0, 1, 0, 1], runOn.Tokens);   // "a\na\na\na\na": lines, then the limit
        Assert.Equal(-1, new RunOnModel(model).EndToken);
    }

    [Fact]
    public void RepetitionPenalty_TurnsGreedyAwayFromSeenTokens()
    {
        var model = new RunOnModel(new Lines());
        var penalized = Greedy.Decode(model, new GreedyOptions { MaxLength = 4, RepetitionPenalty = 3 }).Sequences[0];
        // a, then "\n" (unseen, 0.7); after "\n" a is seen (ln 0.4 · 3 = −2.75) and b is not (ln 0.3 = −1.2): b;
        // after b every token is seen, and a's ln 0.4 · 3 beats ln 0.3 · 3.
        Assert.Equal([1, 0, 2, 1], penalized.Tokens);
        Assert.Equal(MathF.Log(0.4f), penalized.TokenLogProbabilities[0]);   // the model's own log-probabilities are reported
        var stopped = Greedy.Decode(model, new GreedyOptions { MaxLength = 9, OnToken = (_, tokens) => tokens.Length < 3 }).Sequences[0];
        Assert.Equal(3, stopped.Tokens.Length);
    }
}
