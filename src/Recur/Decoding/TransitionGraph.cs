namespace Recur.Decoding;

// S: states; E: edges (transitions of non-zero probability); C: labels.

/// <summary>
/// A sparse first-order transition structure for <see cref="SparseViterbi"/>: S states, each
/// with a label (what it emits: the token of a language-model context, or the last tag of a
/// tag-pair state in a trigram HMM tagger), a start score, an optional end score, and the
/// edges of non-zero probability with their log-weights, stored as successor lists sorted by
/// destination (compressed rows). Immutable; build it once and decode many sequences with it.
/// </summary>
public sealed class TransitionGraph
{
    private readonly int[] _labels;        // (S)
    private readonly float[] _start;       // (S) log-score of starting in each state; −∞ = not allowed
    private readonly float[]? _end;        // (S) log-score of ending in each state, or none (0)
    private readonly int[] _offsets;       // (S + 1) state s's edges are [offsets[s], offsets[s+1])
    private readonly int[] _targets;       // (E) destination of each edge
    private readonly float[] _weights;     // (E) log-weight of each edge

    /// <summary>
    /// Builds the graph. Edges are (from[e], to[e], logWeights[e]); edges of weight −∞ are left
    /// out. Throws <see cref="ArgumentException"/> on a state or label out of range, a repeated
    /// edge, or a NaN or +∞ score.
    /// </summary>
    /// <param name="labels">(S) each state's label in [0, <paramref name="labelCount"/>).</param>
    /// <param name="labelCount">C: emission scores come as C per step.</param>
    /// <param name="start">(S) log-scores of the first state.</param>
    /// <param name="from">(E) source states.</param>
    /// <param name="to">(E) destination states.</param>
    /// <param name="logWeights">(E) transition log-scores.</param>
    /// <param name="end">(S) log-scores of ending in each state, or empty for none.</param>
    public TransitionGraph(ReadOnlySpan<int> labels, int labelCount, ReadOnlySpan<float> start,
        ReadOnlySpan<int> from, ReadOnlySpan<int> to, ReadOnlySpan<float> logWeights, ReadOnlySpan<float> end = default)
    {
        int s = labels.Length;
        ArgumentOutOfRangeException.ThrowIfLessThan(labelCount, 1);
        if (start.Length != s) throw new ArgumentException($"{start.Length} start scores for {s} states.", nameof(start));
        if (!end.IsEmpty && end.Length != s) throw new ArgumentException($"{end.Length} end scores for {s} states.", nameof(end));
        if (from.Length != to.Length || from.Length != logWeights.Length) throw new ArgumentException($"Edge lists differ in length: {from.Length}, {to.Length}, {logWeights.Length}.");
        for (int i = 0; i < s; i++)
        {
            if ((uint)labels[i] >= (uint)labelCount) throw new ArgumentException($"State {i} has label {labels[i]}, outside [0, {labelCount}).", nameof(labels));
            CheckScore(start[i], $"start score of state {i}");
            if (!end.IsEmpty) CheckScore(end[i], $"end score of state {i}");
        }
        LabelCount = labelCount;
        _labels = labels.ToArray();
        _start = start.ToArray();
        _end = end.IsEmpty ? null : end.ToArray();
        (_offsets, _targets, _weights) = Compress(s, from, to, logWeights);
    }

    /// <summary>S.</summary>
    public int StateCount => _labels.Length;

    /// <summary>C.</summary>
    public int LabelCount { get; }

    /// <summary>Number of edges kept.</summary>
    public int EdgeCount => _targets.Length;

    /// <summary>True when end scores were given.</summary>
    public bool HasEnd => _end is not null;

    /// <summary>The label of state <paramref name="state"/>.</summary>
    public int Label(int state) => _labels[state];

    /// <summary>The log-score of starting in <paramref name="state"/>.</summary>
    public float Start(int state) => _start[state];

    /// <summary>The log-score of ending in <paramref name="state"/> (0 without end scores).</summary>
    public float End(int state) => _end is null ? 0f : _end[state];

    /// <summary>The states reachable from <paramref name="state"/> in one step, ascending.</summary>
    public ReadOnlySpan<int> Successors(int state) => _targets.AsSpan(_offsets[state], _offsets[state + 1] - _offsets[state]);

    /// <summary>The log-weights of those edges.</summary>
    public ReadOnlySpan<float> SuccessorWeights(int state) => _weights.AsSpan(_offsets[state], _offsets[state + 1] - _offsets[state]);

    /// <summary>The log-weight of the edge from → to, or −∞ when there is none.</summary>
    public float Weight(int from, int to)
    {
        int at = Successors(from).BinarySearch(to);
        return at >= 0 ? SuccessorWeights(from)[at] : float.NegativeInfinity;
    }

    internal ReadOnlySpan<int> Labels => _labels;
    internal ReadOnlySpan<int> Offsets => _offsets;
    internal ReadOnlySpan<int> Targets => _targets;
    internal ReadOnlySpan<float> Weights => _weights;
    internal ReadOnlySpan<float> StartScores => _start;

    private static void CheckScore(float v, string what)
    {
        if (float.IsNaN(v) || float.IsPositiveInfinity(v)) throw new ArgumentException($"The {what} is {v}; scores must be finite or −∞.");
    }

    // Counting sort by source, then each row sorted by destination.
    private static (int[], int[], float[]) Compress(int s, ReadOnlySpan<int> from, ReadOnlySpan<int> to, ReadOnlySpan<float> w)
    {
        var offsets = new int[s + 1];
        for (int e = 0; e < from.Length; e++)
        {
            if ((uint)from[e] >= (uint)s || (uint)to[e] >= (uint)s) throw new ArgumentException($"Edge {e} ({from[e]} → {to[e]}) names a state outside [0, {s}).");
            CheckScore(w[e], $"weight of edge {e} ({from[e]} → {to[e]})");
            if (!float.IsNegativeInfinity(w[e])) offsets[from[e] + 1]++;
        }
        for (int i = 0; i < s; i++) offsets[i + 1] += offsets[i];
        var targets = new int[offsets[s]];
        var weights = new float[offsets[s]];
        var fill = offsets[..s];
        for (int e = 0; e < from.Length; e++)
        {
            if (float.IsNegativeInfinity(w[e])) continue;
            int at = fill[from[e]]++;
            (targets[at], weights[at]) = (to[e], w[e]);
        }
        for (int i = 0; i < s; i++)
        {
            Array.Sort(targets, weights, offsets[i], offsets[i + 1] - offsets[i]);
            for (int e = offsets[i] + 1; e < offsets[i + 1]; e++)
                if (targets[e] == targets[e - 1]) throw new ArgumentException($"The edge {i} → {targets[e]} is given twice.");
        }
        return (offsets, targets, weights);
    }
}
