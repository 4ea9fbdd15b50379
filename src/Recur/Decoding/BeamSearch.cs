using Recur.LanguageModels;

namespace Recur.Decoding;

// B: beam width (all groups); G: groups; W = B/G beams per group; N: vocabulary size;
// T: the length limit. Step t (0-based) chooses token t+1.

/// <summary>
/// Beam search (docs/theory.md 2.3) with a finished-hypothesis pool, three stop rules
/// (<see cref="StopRule"/>), length normalization over generated tokens
/// (<see cref="LengthNormalization"/>), a minimum length, diverse beam groups (Vijayakumar et
/// al. 2016) and no-repeat-n-gram.
/// <para>
/// Each step scores the W·N extensions of each group's open beams and keeps the W best that
/// do not end the sequence (a bounded heap, O(W·N); a vectorized scan skips the tokens that
/// cannot enter it), so every beam slot is refilled with an open hypothesis whenever one
/// exists: end-token candidates never crowd out open ones (transformers#25103), and B ≥ N works
/// (fewer candidates than B just leave slots empty). An end-token extension joins the group's
/// pool of W finished hypotheses when it ranks among the W best candidates of its step, as in
/// Hugging Face; at the length limit the W best open candidates finish too. Prefixes are kept as
/// back-pointers (token, parent) per step, O(B·T), never copied. Per step, outside the model,
/// the search costs O(B·N) and allocates nothing.
/// </para>
/// <para>
/// Tie rule: candidates rank by key, then by lower (beam, token) index; among finished
/// hypotheses with equal scores the one finished first ranks first. With B ≥ N^(T−1) the result
/// is the exhaustive one; with B = 1 it is the greedy one. <see cref="DecodeResult.Expanded"/>
/// counts live beams stepped through the model.
/// </para>
/// </summary>
public static class BeamSearch
{
    /// <summary>The <see cref="BeamSearchOptions.Count"/> best finished hypotheses, best first.</summary>
    public static DecodeResult Decode(ILanguageModel model, BeamSearchOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var o = options ?? new BeamSearchOptions();
        if (o.Width % o.Groups != 0)
            throw new ArgumentOutOfRangeException(nameof(options), $"The beam width {o.Width} must be a multiple of the number of groups {o.Groups}.");
        if (o.Count > o.Width)
            throw new ArgumentOutOfRangeException(nameof(options), $"Cannot return {o.Count} sequences from a beam of {o.Width}; ask for at most the beam width.");
        return new BeamRun(model, o).Run();
    }
}

/// <summary>One beam search: its buffers, allocated once, and its step loop.</summary>
internal sealed class BeamRun
{
    private readonly BeamSearchOptions _o;
    private readonly TimedModel _timed;
    private readonly int _n, _b, _w, _t, _end;
    private readonly LengthNormalization _norm;
    private LanguageModelState _state, _spare;
    private readonly float[] _logProbs;        // (B, N) next-token log-probabilities per row
    private readonly double[] _sum, _newSum;   // (B) log-probability of each row's prefix
    private readonly bool[] _alive;            // (B) row holds an open hypothesis
    private readonly int[] _inputs, _parents;  // (B) next tokens to read; rows to gather from
    private readonly int[] _histToken, _histParent; // (T, B) back-pointers
    private readonly float[] _histLogProb;     // (T, B)
    private readonly bool[] _groupDone;        // (G)
    private readonly BestList<Finished>[] _pools; // (G) W finished each
    private readonly BeamSelection _select;
    private long _expanded;

    public BeamRun(ILanguageModel model, BeamSearchOptions o)
    {
        _o = o;
        _timed = new TimedModel(model);
        (_n, _b, _w, _t, _end, _norm) = (model.Vocabulary.Count, o.Width, o.Width / o.Groups, o.MaxLength, model.EndToken, o.LengthNormalization);
        SearchLimits.Check("BeamSearchOptions.Width", $"the beam B = {_b:N0} × (vocabulary N = {_n:N0} + length T = {_t:N0})", (double)_b * ((double)_n + 3.0 * _t));
        _state = model.CreateState(_b);
        _spare = model.CreateState(_b);
        _logProbs = new float[(long)_b * _n];
        (_sum, _newSum, _alive) = (new double[_b], new double[_b], new bool[_b]);
        (_inputs, _parents) = (new int[_b], new int[_b]);
        _histToken = new int[(long)_t * _b];
        _histParent = new int[(long)_t * _b];
        _histLogProb = new float[(long)_t * _b];
        _groupDone = new bool[o.Groups];
        _pools = new BestList<Finished>[o.Groups];
        for (int g = 0; g < o.Groups; g++) _pools[g] = new BestList<Finished>(_w);
        _select = new BeamSelection(_n, _w, _end, o.DiversityStrength, o.NoRepeatNgramSize, _t);
    }

    public DecodeResult Run()
    {
        // Every row reads the begin token; one row per group starts alive (the others would
        // only duplicate it).
        Array.Fill(_inputs, _timed.Model.BeginToken);
        _timed.Step(_state, _inputs, _logProbs);
        for (int g = 0; g < _o.Groups; g++) _alive[g * _w] = true;
        _expanded = _o.Groups;

        for (int t = 0; t < _t; t++)
        {
            bool last = t + 1 == _t;
            _select.BeginStep();
            for (int g = 0; g < _o.Groups; g++)
            {
                if (_groupDone[g]) continue;
                SelectGroup(g, t, last);
            }
            if (last) break;
            Array.Copy(_newSum, _sum, _b);
            for (int g = 0; g < _o.Groups; g++)
                if (!_groupDone[g] && ShouldStop(g, t)) Retire(g);
            if (!Advance(t)) break;
        }
        return _timed.Result(Collect(), _expanded);
    }

    // Chooses group g's next beams and admits its finished candidates to its pool.
    private void SelectGroup(int g, int t, bool last)
    {
        int first = g * _w;
        var heap = _select.Heap;
        heap.Clear();
        _select.ClearEnds();
        for (int r = first; r < first + _w; r++)
        {
            if (!_alive[r]) continue;
            if (_o.NoRepeatNgramSize > 0) _select.PrepareBans(Prefix(t, r));
            var row = _logProbs.AsSpan(r * _n, _n);
            if (_end >= 0 && t >= _o.MinLength) _select.OfferEnd(r, _sum[r], row[_end]);
            _select.ScanRow(row, _sum[r], r);
        }
        heap.SortBestFirst();
        var pool = _pools[g];
        for (int e = 0; e < _select.EndCount; e++)
        {
            var (key, beam, lp) = _select.EndAt(e);
            if (_select.RankOfEnd(e) >= _w) continue;
            double logProb = _sum[beam] + lp;
            pool.Offer(_norm.Score(logProb, t + 1), new Finished(t, beam, _end, lp, logProb));
        }
        for (int i = 0; i < _w; i++) _alive[first + i] = false;
        for (int i = 0; i < heap.Count; i++)
        {
            int beam = heap.BeamAt(i), token = heap.TokenAt(i);
            float lp = heap.LogProbAt(i);
            double logProb = _sum[beam] + lp;
            if (last)
            {
                // At the length limit open candidates finish; they compete like end tokens.
                if (_select.RankOfOpen(i) >= _w) continue;
                pool.Offer(_norm.Score(logProb, t + 1), new Finished(t, beam, token, lp, logProb));
                _select.CountChoice(token);
                continue;
            }
            int row = first + i;
            long at = (long)t * _b + row;
            (_histToken[at], _histParent[at], _histLogProb[at]) = (token, beam, lp);
            _newSum[row] = logProb;
            _alive[row] = true;
            _select.CountChoice(token);
        }
        if (heap.Count == 0) _groupDone[g] = true;
    }

    // The stop rules of StopRule, once group g's pool is full. Open beams hold t+1 tokens.
    private bool ShouldStop(int g, int t)
    {
        var pool = _pools[g];
        if (!pool.IsFull) return false;
        if (_o.StopRule == StopRule.FirstK) return true;
        double best = double.NegativeInfinity;
        for (int r = g * _w; r < (g + 1) * _w; r++)
            if (_alive[r] && _sum[r] > best) best = _sum[r];
        double worst = pool.Threshold;
        if (_o.StopRule == StopRule.Heuristic) return _norm.Score(best, t + 1) <= worst;
        // Exact: the earliest an open beam can finish is t+2 tokens, and no earlier than
        // MinLength+1 (the end token is masked before), nor later than T.
        int shortest = Math.Min(_t, Math.Max(t + 2, _o.MinLength + 1));
        return _norm.BestReachable(best, shortest, _t) <= worst;
    }

    private void Retire(int g)
    {
        _groupDone[g] = true;
        for (int r = g * _w; r < (g + 1) * _w; r++) _alive[r] = false;
    }

    // Reorders the model rows to the new beams and reads their tokens. Dead rows copy a live
    // row so that every row stays a valid state. False when no beam is alive.
    private bool Advance(int t)
    {
        int source = Array.IndexOf(_alive, true);
        if (source < 0) return false;
        long step = (long)t * _b;
        int live = 0;
        for (int r = 0; r < _b; r++)
        {
            int from = _alive[r] ? r : source;
            _parents[r] = _histParent[step + from];
            _inputs[r] = _histToken[step + from];
            if (_alive[r]) live++;
        }
        _timed.Gather(_state, _parents, _spare);
        (_state, _spare) = (_spare, _state);
        _timed.Step(_state, _inputs, _logProbs);
        _expanded += live;
        return true;
    }

    // The generated tokens of row r before step t, by walking the back-pointers (O(t)).
    private ReadOnlySpan<int> Prefix(int t, int r)
    {
        var prefix = _select.PrefixBuffer.AsSpan(0, t);
        for (int s = t - 1; s >= 0; s--)
        {
            long at = (long)s * _b + r;
            prefix[s] = _histToken[at];
            r = _histParent[at];
        }
        return prefix;
    }

    // All groups' finished hypotheses, best score first (ties: lower group, then pool order).
    private DecodedSequence[] Collect()
    {
        var all = new List<(double Score, int Group, int Rank)>();
        for (int g = 0; g < _pools.Length; g++)
            for (int k = 0; k < _pools[g].Count; k++) all.Add((_pools[g].ScoreAt(k), g, k));
        all.Sort((a, b) => a.Score != b.Score ? b.Score.CompareTo(a.Score) : a.Group != b.Group ? a.Group.CompareTo(b.Group) : a.Rank.CompareTo(b.Rank));
        int count = Math.Min(_o.Count, all.Count);
        var result = new DecodedSequence[count];
        for (int i = 0; i < count; i++)
        {
            var f = _pools[all[i].Group].ItemAt(all[i].Rank);
            var tokens = new int[f.Step + 1];
            var logProbs = new float[f.Step + 1];
            (tokens[f.Step], logProbs[f.Step]) = (f.Token, f.LogProb);
            for (int s = f.Step - 1, r = f.Parent; s >= 0; s--)
            {
                long at = (long)s * _b + r;
                (tokens[s], logProbs[s]) = (_histToken[at], _histLogProb[at]);
                r = _histParent[at];
            }
            result[i] = new DecodedSequence(tokens, logProbs, DecodedSequence.SumLeftToRight(logProbs), all[i].Score);
        }
        return result;
    }

    // A finished hypothesis: its last token was chosen at Step from row Parent of step Step−1.
    private readonly record struct Finished(int Step, int Parent, int Token, float LogProb, double LogProbability);
}
