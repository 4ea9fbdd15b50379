namespace Recur.Decoding;

/// <summary>
/// The K best items seen so far, best first, in preallocated arrays. An item enters only when
/// it beats the current K-th strictly, so among equal scores the one offered first stays
/// ahead (the decoders' "first offered wins" tie rule). O(K) per accepted item, O(1) per
/// rejected one; no allocation after construction.
/// </summary>
internal sealed class BestList<T>
{
    private readonly double[] _scores;
    private readonly T[] _items;

    public BestList(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _scores = new double[capacity];
        _items = new T[capacity];
    }

    public int Count { get; private set; }

    public int Capacity => _scores.Length;

    public bool IsFull => Count == Capacity;

    /// <summary>The K-th best score when full; −∞ before (anything finite may enter).</summary>
    public double Threshold => IsFull ? _scores[Count - 1] : double.NegativeInfinity;

    public double ScoreAt(int rank) => _scores[rank];

    public T ItemAt(int rank) => _items[rank];

    /// <summary>True when an item with this score would be kept.</summary>
    public bool WouldAccept(double score) => !IsFull || score > _scores[Count - 1];

    /// <summary>Keeps the item if it is among the K best; returns whether it was kept.</summary>
    public bool Offer(double score, T item)
    {
        if (!WouldAccept(score)) return false;
        int at = Count < Capacity ? Count++ : Count - 1;
        while (at > 0 && score > _scores[at - 1])
        {
            _scores[at] = _scores[at - 1];
            _items[at] = _items[at - 1];
            at--;
        }
        _scores[at] = score;
        _items[at] = item;
        return true;
    }

    public void Clear() => Count = 0;
}
