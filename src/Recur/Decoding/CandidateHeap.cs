namespace Recur.Decoding;

/// <summary>
/// The W best candidate extensions (beam, token) of one beam-search step, in a bounded
/// min-heap: O(log W) per accepted candidate and O(1) per rejected one, so selecting the W
/// best of W·N candidates costs O(W·N) when most are rejected and O(W·N·log W) at worst —
/// never a sort of all W·N (docs/theory.md 2.3). Order: higher key first; of equal keys, the lower
/// (beam, token) index first. Preallocated; no allocation per step.
/// </summary>
internal sealed class CandidateHeap(int capacity)
{
    private readonly double[] _key = new double[capacity];
    private readonly int[] _beam = new int[capacity];
    private readonly int[] _token = new int[capacity];
    private readonly float[] _logProb = new float[capacity];

    public int Count { get; private set; }

    public bool IsFull => Count == _key.Length;

    /// <summary>The worst key kept; −∞ while not full.</summary>
    public double MinKey => IsFull ? _key[0] : double.NegativeInfinity;

    public double KeyAt(int i) => _key[i];
    public int BeamAt(int i) => _beam[i];
    public int TokenAt(int i) => _token[i];
    public float LogProbAt(int i) => _logProb[i];

    public void Clear() => Count = 0;

    /// <summary>
    /// True when a candidate with this key would be kept, given that candidates are offered in
    /// increasing (beam, token) order: a later candidate with an equal key ranks below.
    /// </summary>
    public bool Admits(double key) => !IsFull || key > _key[0];

    /// <summary>Adds a candidate that <see cref="Admits"/> accepted, evicting the worst when full.</summary>
    public void Push(double key, int beam, int token, float logProb)
    {
        if (IsFull)
        {
            Set(0, key, beam, token, logProb);
            SiftDown(0, Count);
            return;
        }
        int i = Count++;
        Set(i, key, beam, token, logProb);
        while (i > 0)
        {
            int parent = (i - 1) >> 1;
            if (!Worse(i, parent)) break;
            Swap(i, parent);
            i = parent;
        }
    }

    /// <summary>Reorders the kept candidates best first (heap sort); the heap is then spent until <see cref="Clear"/>.</summary>
    public void SortBestFirst()
    {
        for (int end = Count - 1; end > 0; end--)
        {
            Swap(0, end);
            SiftDown(0, end);
        }
    }

    /// <summary>True when candidate i ranks below a candidate with this key and index.</summary>
    public bool RanksBelow(int i, double key, int beam, int token) =>
        _key[i] < key || (_key[i] == key && (_beam[i] > beam || (_beam[i] == beam && _token[i] > token)));

    private bool Worse(int a, int b) => RanksBelow(a, _key[b], _beam[b], _token[b]);

    private void SiftDown(int i, int count)
    {
        while (true)
        {
            int l = 2 * i + 1, r = l + 1, worst = i;
            if (l < count && Worse(l, worst)) worst = l;
            if (r < count && Worse(r, worst)) worst = r;
            if (worst == i) return;
            Swap(i, worst);
            i = worst;
        }
    }

    private void Set(int i, double key, int beam, int token, float logProb) =>
        (_key[i], _beam[i], _token[i], _logProb[i]) = (key, beam, token, logProb);

    private void Swap(int a, int b)
    {
        (_key[a], _key[b]) = (_key[b], _key[a]);
        (_beam[a], _beam[b]) = (_beam[b], _beam[a]);
        (_token[a], _token[b]) = (_token[b], _token[a]);
        (_logProb[a], _logProb[b]) = (_logProb[b], _logProb[a]);
    }
}
