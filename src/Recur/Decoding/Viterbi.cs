using System.Diagnostics;
using Recur.LanguageModels;

namespace Recur.Decoding;

// N: vocabulary size; T: the length limit; K: sequences returned.

/// <summary>
/// Viterbi decoding of language models with the Markov property (docs/theory.md 2.2): the most
/// probable sequence (or the K most probable, by list Viterbi) of at most T tokens, exactly, in
/// O(T·N²) for a first-order model. A higher-order model is decoded through state expansion to
/// its contexts (<see cref="ContextGraph"/>). Models without the Markov property (a prefix tree,
/// a recurrent network) need exact best-first search instead (2.2f, 2.4a).
/// <para>
/// Sequences end at the end token or at T tokens, as in every other decoder; the end token is
/// absorbing (see <see cref="DenseViterbi"/>). Ties go to the lowest index at every max.
/// Viterbi reads the transition matrix directly, so <see cref="DecodeResult.ModelCalls"/> is 0
/// for a Markov model; <see cref="DecodeResult.Expanded"/> counts the (step, state) pairs scored.
/// </para>
/// </summary>
public static class Viterbi
{
    /// <summary>The K most probable sequences of a first-order Markov model.</summary>
    public static DecodeResult Decode(IFirstOrderModel model, ViterbiOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var o = options ?? new ViterbiOptions();
        long started = Stopwatch.GetTimestamp();
        int n = model.Vocabulary.Count, t = o.MaxLength, end = model.EndToken;
        SearchLimits.Check(o.Count > t ? "ViterbiOptions.Count" : "ViterbiOptions.MaxLength", $"the length T = {t:N0} × states N = {n:N0} × count K = {o.Count:N0}", (double)t * n * o.Count);
        var start = Row(model, model.BeginToken);
        var transitions = model.LogProbabilities;
        var sequences = new List<DecodedSequence>();
        if (o.Count == 1)
        {
            var path = new int[t];
            double score = new DenseViterbi(start, transitions, n, end).Decode(t, o.MinLength, path);
            if (score > double.NegativeInfinity) sequences.Add(ToSequence(path, end, p => LogProb(model, path, p)));
        }
        else
        {
            foreach (var (path, _) in KBestViterbi.Decode(start, transitions, n, end, t, o.MinLength, o.Count))
                sequences.Add(ToSequence(path, end, p => LogProb(model, path, p)));
        }
        return new DecodeResult(sequences, (long)t * n * o.Count, 0, 0, Stopwatch.GetElapsedTime(started).TotalSeconds);
    }

    /// <summary>
    /// The most probable sequence of a finite-context model (e.g. an order-k n-gram model),
    /// decoded exactly over the contexts it reaches. K must be 1 unless the model is an
    /// <see cref="IFirstOrderModel"/>.
    /// </summary>
    public static DecodeResult Decode(IFiniteContextModel model, ViterbiOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model is IFirstOrderModel markov) return Decode(markov, options);
        var o = options ?? new ViterbiOptions();
        if (o.Count != 1) throw new ArgumentOutOfRangeException(nameof(options), o.Count, "k-best Viterbi needs a first-order Markov model; for other models use exact best-first search with a count.");
        int t = o.MaxLength, n = model.Vocabulary.Count, end = model.EndToken;
        SearchLimits.Check("ViterbiOptions.MaxLength", $"the length T = {t:N0} × vocabulary N = {n:N0}", (double)t * n);
        var timed = new TimedModel(model);
        var graph = ContextGraph.Build(timed, t, 100_000);
        // The minimum length as emission scores: the end label is impossible before it.
        var mask = Array.Empty<float>();
        if (end >= 0 && o.MinLength > 0)
        {
            mask = new float[(long)t * n];
            for (int p = 0; p < Math.Min(t, o.MinLength); p++) mask[(long)p * n + end] = float.NegativeInfinity;
        }
        var viterbi = new SparseViterbi(graph);
        var states = new int[t];
        double score = viterbi.Decode(mask, t, states);
        var sequences = new List<DecodedSequence>();
        if (score > double.NegativeInfinity)
        {
            var tokens = new int[t];
            for (int p = 0; p < t; p++) tokens[p] = graph.Label(states[p]);
            sequences.Add(ToSequence(tokens, end, p => p == 0 ? graph.Start(states[0]) : graph.Weight(states[p - 1], states[p])));
        }
        return timed.Result(sequences, viterbi.Visited);
    }

    private static float LogProb(IFirstOrderModel model, int[] path, int p) =>
        Row(model, p == 0 ? model.BeginToken : path[p - 1])[path[p]];

    // The row of log-probabilities after token `previous`.
    private static ReadOnlySpan<float> Row(IFirstOrderModel model, int previous) =>
        model.LogProbabilities.Slice(previous * model.Vocabulary.Count, model.Vocabulary.Count);

    // The tokens up to and including the first end token, with the log-probability of each position.
    private static DecodedSequence ToSequence(int[] path, int end, Func<int, float> logProbAt)
    {
        int first = end >= 0 ? Array.IndexOf(path, end) : -1;
        int length = first >= 0 ? first + 1 : path.Length;
        var logProbs = new float[length];
        for (int p = 0; p < length; p++) logProbs[p] = logProbAt(p);
        return DecodedSequence.FromTokens(path[..length], logProbs);
    }
}
