using Recur.Kernels;

namespace Recur.Decoding;

// W: beams per group; N: vocabulary size; T: the length limit.

/// <summary>
/// One group's candidate selection in a beam-search step: the W best open extensions (a
/// <see cref="CandidateHeap"/>), the end-token extensions (at most one per beam), their ranks
/// among each other, the diversity counts and the n-gram bans. Allocates nothing per step.
/// </summary>
internal sealed class BeamSelection
{
    private readonly int _end;
    private readonly double _penalty;
    private readonly NoRepeatNgram? _bans;
    private readonly int[] _counts;        // (N) beams of earlier groups that chose each token this step
    private readonly int[] _chosen;        // tokens whose count is non-zero, to reset them
    private int _chosenCount;
    private readonly double[] _endKey;     // (W) end-token candidates
    private readonly int[] _endBeam;
    private readonly float[] _endLogProb;

    public BeamSelection(int vocabulary, int beamsPerGroup, int end, double diversity, int noRepeatNgram, int maxLength)
    {
        _end = end;
        _penalty = diversity;
        _bans = noRepeatNgram > 0 ? new NoRepeatNgram(noRepeatNgram, vocabulary) : null;
        _counts = new int[vocabulary];
        _chosen = new int[vocabulary];
        _endKey = new double[beamsPerGroup];
        _endBeam = new int[beamsPerGroup];
        _endLogProb = new float[beamsPerGroup];
        Heap = new CandidateHeap(beamsPerGroup);
        PrefixBuffer = new int[maxLength];
    }

    public CandidateHeap Heap { get; }

    /// <summary>Scratch for a beam's prefix (T).</summary>
    public int[] PrefixBuffer { get; }

    public int EndCount { get; private set; }

    public (double Key, int Beam, float LogProb) EndAt(int e) => (_endKey[e], _endBeam[e], _endLogProb[e]);

    /// <summary>Starts a step: no group has chosen anything yet.</summary>
    public void BeginStep()
    {
        for (int i = 0; i < _chosenCount; i++) _counts[_chosen[i]] = 0;
        _chosenCount = 0;
    }

    /// <summary>Records a token chosen by a group, for the Hamming diversity penalty of later groups.</summary>
    public void CountChoice(int token)
    {
        if (_penalty == 0) return;
        if (_counts[token]++ == 0) _chosen[_chosenCount++] = token;
    }

    public void ClearEnds() => EndCount = 0;

    public void PrepareBans(ReadOnlySpan<int> prefix) => _bans?.Prepare(prefix);

    /// <summary>Records beam <paramref name="beam"/>'s end-token extension, if possible.</summary>
    public void OfferEnd(int beam, double sum, float logProb)
    {
        if (float.IsNegativeInfinity(logProb)) return;
        _endKey[EndCount] = sum + logProb - _penalty * _counts[_end];
        _endBeam[EndCount] = beam;
        _endLogProb[EndCount] = logProb;
        EndCount++;
    }

    /// <summary>
    /// Offers every token of <paramref name="row"/> except the end token to the heap. A vector
    /// compare against the heap's entry threshold (<see cref="ThresholdScan"/>) skips the
    /// tokens that cannot enter, so only the few that might are checked exactly (in double).
    /// </summary>
    public void ScanRow(ReadOnlySpan<float> row, double sum, int beam) => ThresholdScan.Run(row, new Candidates(this, sum, beam));

    // The row's tokens as heap candidates: the scan's threshold is the heap's entry bound.
    private readonly struct Candidates(BeamSelection selection, double sum, int beam) : IThresholdVisitor
    {
        public float Threshold => selection.Threshold(sum);

        public bool Visit(int index, float value) => selection.Consider(value, sum, beam, index);
    }

    /// <summary>The rank of end candidate e among this step's candidates (0 = best).</summary>
    public int RankOfEnd(int e)
    {
        double key = _endKey[e];
        int beam = _endBeam[e], rank = 0;
        while (rank < Heap.Count && !Heap.RanksBelow(rank, key, beam, _end)) rank++;
        for (int f = 0; f < EndCount; f++)
            if (f != e && (_endKey[f] > key || (_endKey[f] == key && _endBeam[f] < beam))) rank++;
        return rank;
    }

    /// <summary>The rank of the i-th best open candidate (after <see cref="CandidateHeap.SortBestFirst"/>) among this step's candidates.</summary>
    public int RankOfOpen(int i)
    {
        int rank = i;
        for (int f = 0; f < EndCount; f++)
            if (Heap.RanksBelow(i, _endKey[f], _endBeam[f], _end)) rank++;
        return rank;
    }

    // Pushes the candidate if it enters the heap; true when the heap changed.
    private bool Consider(float logProb, double sum, int beam, int token)
    {
        if (token == _end || float.IsNegativeInfinity(logProb)) return false;
        double key = sum + logProb;
        if (_penalty > 0) key -= _penalty * _counts[token];
        if (!Heap.Admits(key)) return false;
        if (_bans is not null && _bans.IsBanned(token)) return false;
        Heap.Push(key, beam, token, logProb);
        return true;
    }

    // A float bound every token that may enter the heap reaches: the exact bound is
    // MinKey − sum in double; the margin covers float and double rounding, so the vector filter
    // is a superset of the exact test (misses cost only an exact check).
    private float Threshold(double sum)
    {
        if (!Heap.IsFull) return float.NegativeInfinity;
        double min = Heap.MinKey;
        double margin = 1e-6 * (Math.Abs(min) + Math.Abs(sum));
        return MathF.BitDecrement((float)(min - sum - margin));
    }
}
