using System.Runtime.CompilerServices;

namespace Recur.Decoding;

// S: states; C: labels; T: steps; A: states alive at a step.

/// <summary>
/// Viterbi decoding over a sparse <see cref="TransitionGraph"/> with per-step emission scores
/// (an HMM, docs/theory.md 2.2): δ_1(s) = start(s) + e_1(label s);
/// δ_t(j) = max over edges i → j of (δ_{t−1}(i) + w(i, j)) + e_t(label j); the result adds
/// end(s) at the last step. Log space, double sums: no underflow at any T.
/// <para>
/// Only states alive at t−1 push scores along their edges, so a step costs the edges leaving
/// the alive states: O(E) at most, much less with pruning — states whose emission is −∞ at t
/// are never touched, and with a finite <see cref="PruneWidth"/> the states scoring below the
/// step's best minus the width are dropped (beam pruning; the result may then miss the best
/// path, and when pruning leaves no path at all the sequence is decoded again without it). Back-pointers are kept only for alive states, O(Σ_t A_t). This is the decoder a
/// trigram HMM tagger runs over its seen tag pairs: labels are the pairs' last tags, and the
/// (T, C) emission matrix is filled per sentence. Buffers grow as needed and are reused, so
/// decoding many sentences allocates nothing once warm. Not thread-safe: one instance per thread.
/// </para>
/// <para>
/// Tie rule: the lowest predecessor state wins every max, and the lowest final state wins the
/// last, as in <see cref="Viterbi"/>.
/// </para>
/// </summary>
public sealed class SparseViterbi
{
    private readonly TransitionGraph _graph;
    private readonly double[] _score;   // (S) best score into each state at the current step
    private readonly int[] _arg;        // (S) its predecessor, as an index into the alive arrays
    private readonly int[] _stamp;      // (S) the step that last touched each state
    private readonly int[] _touched;    // (S) states touched at the current step
    private int _epoch;
    private int[] _aliveState = new int[64];     // (Σ A) state of each alive entry, step after step
    private int[] _aliveBack = new int[64];      // (Σ A) index of its predecessor's entry
    private double[] _aliveScore = new double[64];
    private int[] _stepStart = new int[16];      // (T + 1) where each step's entries begin

    /// <summary>A decoder over <paramref name="graph"/>; <paramref name="pruneWidth"/> as <see cref="PruneWidth"/>.</summary>
    public SparseViterbi(TransitionGraph graph, double pruneWidth = double.PositiveInfinity)
    {
        ArgumentNullException.ThrowIfNull(graph);
        if (!(pruneWidth >= 0)) throw new ArgumentOutOfRangeException(nameof(pruneWidth), pruneWidth, "The pruning width must be ≥ 0 (+∞ turns pruning off).");
        _graph = graph;
        PruneWidth = pruneWidth;
        int s = graph.StateCount;
        _score = new double[s];
        _arg = new int[s];
        _stamp = new int[s];
        _touched = new int[s];
    }

    /// <summary>The graph decoded over.</summary>
    public TransitionGraph Graph => _graph;

    /// <summary>
    /// Beam pruning: at each step, states scoring below the best minus this many nats are
    /// dropped. +∞ (the default) keeps every state and makes the search exact.
    /// </summary>
    public double PruneWidth { get; }

    /// <summary>(step, state) pairs kept alive by the last <see cref="Decode"/>.</summary>
    public long Visited { get; private set; }

    /// <summary>
    /// Writes the best state path of <paramref name="steps"/> states into <paramref name="states"/>
    /// and returns its log-score, or −∞ (path unspecified) when no path has a finite score.
    /// </summary>
    /// <param name="emissions">(T, C) log emission scores e_t(c), row per step; empty for none (all 0).</param>
    /// <param name="steps">T ≥ 1.</param>
    /// <param name="states">Receives the T states.</param>
    // Fully optimized from the first call: a tagger decodes its first sentences with these,
    // and tiered compilation would run them unoptimized for the first thousands of tokens.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public double Decode(ReadOnlySpan<float> emissions, int steps, Span<int> states)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        int c = _graph.LabelCount;
        if (!emissions.IsEmpty && emissions.Length < (long)steps * c) throw new ArgumentException($"Emissions hold {emissions.Length} scores; {steps} steps × {c} labels are needed.", nameof(emissions));
        if (states.Length < steps) throw new ArgumentException($"The state buffer holds {states.Length}; {steps} are needed.", nameof(states));
        if (_stepStart.Length < steps + 1) Array.Resize(ref _stepStart, Math.Max(steps + 1, 2 * _stepStart.Length));
        double score = Run(emissions, steps, states, PruneWidth);
        // Pruning can drop every state that leads on; then decode exactly, so that a path is
        // found whenever one exists.
        if (score == double.NegativeInfinity && !double.IsPositiveInfinity(PruneWidth))
        {
            long pruned = Visited;
            score = Run(emissions, steps, states, double.PositiveInfinity);
            Visited += pruned;
        }
        return score;
    }

    private double Run(ReadOnlySpan<float> emissions, int steps, Span<int> states, double width)
    {
        int c = _graph.LabelCount;
        Visited = 0;
        int count = 0;
        _stepStart[0] = 0;
        var labels = _graph.Labels;
        var first = emissions.IsEmpty ? default : emissions[..c];
        for (int s = 0; s < _graph.StateCount; s++)
        {
            double v = _graph.Start(s);
            if (!first.IsEmpty) v += first[labels[s]];
            if (v > double.NegativeInfinity) Append(ref count, s, -1, v);
        }
        count = Prune(0, count, width);
        _stepStart[1] = count;
        for (int t = 1; t < steps; t++)
        {
            if (_stepStart[t] == _stepStart[t - 1]) return double.NegativeInfinity;
            count = Advance(t, emissions.IsEmpty ? default : emissions.Slice(t * c, c), count);
            count = Prune(t, count, width);
            _stepStart[t + 1] = count;
        }
        return Finish(steps, states);
    }

    // Pushes step t−1's alive entries along their edges, then appends step t's entries.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int Advance(int t, ReadOnlySpan<float> emission, int count)
    {
        if (++_epoch == int.MaxValue)
        {
            Array.Clear(_stamp);
            _epoch = 1;
        }
        int epoch = _epoch, touched = 0;
        var offsets = _graph.Offsets;
        var targets = _graph.Targets;
        var weights = _graph.Weights;
        var labels = _graph.Labels;
        bool emits = !emission.IsEmpty;
        for (int k = _stepStart[t - 1]; k < _stepStart[t]; k++)
        {
            int i = _aliveState[k];
            double d = _aliveScore[k];
            for (int e = offsets[i]; e < offsets[i + 1]; e++)
            {
                int j = targets[e];
                if (emits && float.IsNegativeInfinity(emission[labels[j]])) continue;
                double s = d + weights[e];
                if (_stamp[j] != epoch)
                {
                    _stamp[j] = epoch;
                    (_score[j], _arg[j]) = (s, k);
                    _touched[touched++] = j;
                }
                else if (s > _score[j] || (s == _score[j] && i < _aliveState[_arg[j]]))
                {
                    (_score[j], _arg[j]) = (s, k);
                }
            }
        }
        for (int m = 0; m < touched; m++)
        {
            int j = _touched[m];
            double v = emits ? _score[j] + emission[labels[j]] : _score[j];
            if (v > double.NegativeInfinity) Append(ref count, j, _arg[j], v);
        }
        return count;
    }

    // Drops step t's entries below its best minus the width (compacting in place).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int Prune(int t, int count, double width)
    {
        int from = _stepStart[t];
        if (double.IsPositiveInfinity(width) || count == from)
        {
            Visited += count - from;
            return count;
        }
        double best = double.NegativeInfinity;
        for (int k = from; k < count; k++) best = Math.Max(best, _aliveScore[k]);
        double floor = best - width;
        int kept = from;
        for (int k = from; k < count; k++)
        {
            if (_aliveScore[k] < floor) continue;
            (_aliveState[kept], _aliveBack[kept], _aliveScore[kept]) = (_aliveState[k], _aliveBack[k], _aliveScore[k]);
            kept++;
        }
        Visited += kept - from;
        return kept;
    }

    // Adds end scores at the last step, picks the best final state and follows the back-pointers.
    private double Finish(int steps, Span<int> states)
    {
        double best = double.NegativeInfinity;
        int bestEntry = -1;
        for (int k = _stepStart[steps - 1]; k < _stepStart[steps]; k++)
        {
            double v = _aliveScore[k] + _graph.End(_aliveState[k]);
            if (v > best || (v == best && bestEntry >= 0 && _aliveState[k] < _aliveState[bestEntry])) (best, bestEntry) = (v, k);
        }
        if (bestEntry < 0) return double.NegativeInfinity;
        for (int t = steps - 1, k = bestEntry; t >= 0; t--)
        {
            states[t] = _aliveState[k];
            k = _aliveBack[k];
        }
        return best;
    }

    private void Append(ref int count, int state, int back, double score)
    {
        if (count == _aliveState.Length)
        {
            Array.Resize(ref _aliveState, 2 * count);
            Array.Resize(ref _aliveBack, 2 * count);
            Array.Resize(ref _aliveScore, 2 * count);
        }
        (_aliveState[count], _aliveBack[count], _aliveScore[count]) = (state, back, score);
        count++;
    }
}
