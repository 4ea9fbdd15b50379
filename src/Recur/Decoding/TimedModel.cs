using System.Diagnostics;
using Recur.LanguageModels;

namespace Recur.Decoding;

/// <summary>
/// Wraps a language model to count its Step calls and time them with Gather, so a decoder
/// can report its own cost apart from the model's (<see cref="DecodeResult.ModelSeconds"/>).
/// Two timestamps per call; no allocation.
/// </summary>
internal sealed class TimedModel(ILanguageModel model)
{
    private long _ticks;
    private readonly long _start = Stopwatch.GetTimestamp();

    public ILanguageModel Model { get; } = model;

    public long Calls { get; private set; }

    public double ModelSeconds => _ticks / (double)Stopwatch.Frequency;

    public double ElapsedSeconds => Stopwatch.GetElapsedTime(_start).TotalSeconds;

    public void Step(LanguageModelState state, ReadOnlySpan<int> tokens, Span<float> logProbs)
    {
        long t0 = Stopwatch.GetTimestamp();
        Model.Step(state, tokens, logProbs);
        _ticks += Stopwatch.GetTimestamp() - t0;
        Calls++;
    }

    public void Gather(LanguageModelState source, ReadOnlySpan<int> rows, LanguageModelState destination)
    {
        long t0 = Stopwatch.GetTimestamp();
        Model.Gather(source, rows, destination);
        _ticks += Stopwatch.GetTimestamp() - t0;
    }

    public DecodeResult Result(IReadOnlyList<DecodedSequence> sequences, long expanded) =>
        new(sequences, expanded, Calls, ModelSeconds, ElapsedSeconds);
}
