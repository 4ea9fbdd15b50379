using Recur.Kernels;

namespace Recur.Decoding;

// N: states (tokens); T: steps (sequence length).

/// <summary>
/// Viterbi decoding of a first-order Markov chain with a dense transition matrix (docs/theory.md
/// 2.2): δ_1(j) = log P[bos, j]; δ_t(j) = max_i δ_{t−1}(i) + log P[i, j] with back-pointers
/// a_t(j) = argmax_i; w*_T = argmax_j δ_T(j); w*_{t−1} = a_t(w*_t). Time O(T·N²), memory O(N²)
/// for the matrix plus O(T·N) for the back-pointers, which cannot be dropped (2.2e). Log
/// space and double sums: no underflow at any T (probability space underflows after a few
/// hundred steps).
/// <para>
/// An end token, when given, is absorbing: after it the chain stays in it at log 1, so a
/// sequence that ends at t &lt; T is the length-T path padded with end tokens and has the same
/// score; the maximum over paths of T steps is then the maximum over sequences of at most T
/// tokens, as for every other decoder. The end token is masked at positions before
/// <c>minLength</c> + 1.
/// </para>
/// <para>
/// Tie rule: lowest index wins at every max (a_t(j) and w*_T), so of equally probable paths
/// the one with the lowest last state, then the lowest state before it, and so on, is returned.
/// Up to N = 384 the matrix is kept row-major in double (<see cref="MaxPlusRows"/>: no
/// widening, no cross-lane work); above, transposed in float (<see cref="MaxPlus"/>: half the
/// bytes to stream once it no longer fits in L2). Both give the same bits.
/// Large N is split across <see cref="Parallelism.MaxThreads"/> threads by columns j; each
/// column is computed by one thread in one order, so results never depend on the thread count.
/// Reusable: buffers grow only when T does.
/// </para>
/// </summary>
internal sealed class DenseViterbi
{
    private const long ParallelCells = 1L << 17; // N² per step from which columns are split across threads (a fork-join costs ~10 µs)
    private const int RowLayoutMaxN = 384;       // up to here the matrix is kept in double (≤ 1.2 MiB: stays in L2)

    private readonly int _n, _end;
    private readonly float[] _start;      // (N) log P[bos, j]
    private readonly double[]? _rows;     // (N, N) [i, j] = log P[i, j], for N ≤ RowLayoutMaxN (MaxPlusRows)
    private readonly float[]? _transposed; // (N, N) [j, i] = log P[i, j], for larger N (MaxPlus: half the bytes to stream)
    private double[] _delta, _next;       // (N)
    private int[] _back = [];             // (T, N) a_t(j); row 0 unused

    /// <param name="start">(N) log-probabilities of the first state.</param>
    /// <param name="transitions">(N, N) row-major, row i = previous state.</param>
    /// <param name="n">N.</param>
    /// <param name="end">The absorbing end state, or −1.</param>
    public DenseViterbi(ReadOnlySpan<float> start, ReadOnlySpan<float> transitions, int n, int end)
    {
        if (start.Length != n || transitions.Length != (long)n * n) throw new ArgumentException($"Viterbi needs {n} start scores and {n}×{n} transitions.");
        _n = n;
        _end = end;
        _start = start.ToArray();
        if (n <= RowLayoutMaxN) _rows = new double[(long)n * n];
        else _transposed = new float[(long)n * n];
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                float v = i == end ? (j == end ? 0f : float.NegativeInfinity) : transitions[i * n + j];
                if (_rows is not null) _rows[(long)i * n + j] = v;
                else _transposed![(long)j * n + i] = v;
            }
        _delta = new double[n];
        _next = new double[n];
    }

    /// <summary>
    /// Writes the best path of <paramref name="steps"/> states into <paramref name="path"/>
    /// and returns its log-probability, or −∞ (path unspecified) when every path has probability 0.
    /// </summary>
    public double Decode(int steps, int minLength, Span<int> path)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        if (path.Length < steps) throw new ArgumentException($"The path buffer holds {path.Length} states; {steps} are needed.", nameof(path));
        int n = _n;
        if (_back.Length < (long)steps * n) _back = new int[(long)steps * n];
        for (int j = 0; j < n; j++) _delta[j] = _start[j];
        Mask(_delta, 0, minLength);
        for (int t = 1; t < steps; t++)
        {
            Step(t);
            Mask(_next, t, minLength);
            (_delta, _next) = (_next, _delta);
        }
        int last = 0;
        for (int j = 1; j < n; j++)
            if (_delta[j] > _delta[last]) last = j;
        double score = _delta[last];
        if (score == double.NegativeInfinity) return score;
        path[steps - 1] = last;
        for (int t = steps - 1; t > 0; t--) path[t - 1] = _back[t * n + path[t]];
        return score;
    }

    // δ_t from δ_{t−1}, back-pointers into row t: every column j is independent, so threads split the columns.
    private void Step(int t)
    {
        int n = _n;
        int threads = (long)n * n < ParallelCells ? 1 : Math.Min(Parallelism.MaxThreads, Math.Max(1, n / 64));
        if (threads == 1)
        {
            Columns(t, 0, n);
            return;
        }
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, k =>
        {
            // Block edges are multiples of 64 so the vector paths cover whole blocks; a column's arithmetic never depends on the split.
            int first = (int)((long)n * k / threads) & ~63;
            int end = k == threads - 1 ? n : (int)((long)n * (k + 1) / threads) & ~63;
            Columns(t, first, end);
        });
    }

    private void Columns(int t, int first, int end)
    {
        var back = _back.AsSpan(t * _n, _n);
        if (_rows is not null) MaxPlusRows.Columns(_delta, _rows, _next, back, _n, first, end);
        else MaxPlus.Columns(_delta, _transposed, _next, back, _n, first, end);
    }

    // The end token may only be token p+1 (0-based position p) when p ≥ minLength tokens precede it.
    private void Mask(double[] delta, int position, int minLength)
    {
        if (_end >= 0 && position < minLength) delta[_end] = double.NegativeInfinity;
    }
}
