namespace Recur.Tagging;

// K: tags; L = 2K labels, label = 2·tag + c (c: capitalized); E: lexicon entries.

/// <summary>
/// The lexical scores e(w, l) = log P(w | l) of the tagger (Brants 2000 §2.2–2.3), by Bayes'
/// rule from P(t | w): e(w, (t, c)) = log P(t | w) + log P(w) − log P(t, c), with P(t, c) = f(t, c)/N
/// and c the word's own capitalization.
/// <list type="bullet">
/// <item>A word seen more than the rare-word count: P(t | w) = f(w, t)/f(w), so only its seen
/// tags, e = log f(w, t)/f(t, c) — TnT's lexicon.</item>
/// <item>A rarer seen word: P(t | w) = (f(w, t) + β P_suffix(t | w))/(f(w) + β), which lets it take
/// tags it was not seen with (β = 0: TnT).</item>
/// <item>An unseen word: P(t | w) from its ending (<see cref="SuffixModel"/>), mixed
/// geometrically with its base form's (<see cref="BaseFormModel"/>) when it has one; P(w) is the
/// same for all its labels and is left out (it does not change the best path), and the prior is
/// tempered: e = log P(t | w) − γ log P(t, c) (<see cref="HmmTaggerOptions.UnknownPriorExponent"/>).</item>
/// </list>
/// Tags with P(t | w) below <see cref="CandidateRatio"/> times the word's best are left out
/// (−∞): they cannot win, and every label kept costs decoding time.
/// </summary>
internal sealed class EmissionModel
{
    /// <summary>Tags this much less probable than a word's best are not considered for it.</summary>
    public const double CandidateRatio = 1e-3;

    private readonly Lexicon _lexicon;
    private readonly SuffixModel _suffixes;
    private readonly BaseFormModel? _baseForms;
    private readonly bool _capitalization;
    private readonly long _rareCount;
    private readonly double _beta;
    private readonly double _suffixWeight;  // w of the base-form/suffix mixture
    private readonly double _gamma;         // γ, the unknown words' prior exponent
    private readonly double _logEvents;    // log N
    private readonly float[] _known;       // (E) log f(w, t)/f(t, c) of each lexicon entry
    private readonly int[] _knownLabel;    // (E) its label
    private readonly double[] _logPrior;   // (L) log f(l)/N; −∞ for labels never seen

    public EmissionModel(Lexicon lexicon, SuffixModel suffixes, BaseFormModel? baseForms, TagCounts counts, HmmTaggerOptions options)
    {
        (_lexicon, _suffixes, _baseForms, _capitalization) = (lexicon, suffixes, baseForms, options.Capitalization);
        (_rareCount, _beta) = (options.RareWordCount, options.RareWordSmoothing);
        (_suffixWeight, _gamma) = (options.BaseFormSuffixWeight, options.UnknownPriorExponent);
        TagCount = counts.TagCount;
        _logEvents = Math.Log(counts.Events);
        _logPrior = new double[counts.LabelCount];
        for (int l = 0; l < counts.LabelCount; l++) _logPrior[l] = Math.Log(counts.Unigram(l)) - _logEvents;
        _known = new float[lexicon.EntryCount];
        _knownLabel = new int[lexicon.EntryCount];
        for (int w = 0; w < lexicon.Count; w++)
        {
            int c = SeenCapitalization(lexicon.Word(w));
            for (int e = lexicon.Start(w); e < lexicon.Start(w + 1); e++)
            {
                int label = 2 * lexicon.Tag(e) + c;
                long f = counts.Unigram(label);
                if (f < lexicon.Occurrences(e))
                    throw new ArgumentException($"The word \"{lexicon.Word(w)}\" has tag {lexicon.Tag(e)} {lexicon.Occurrences(e)} times but its label only {f} times.");
                (_known[e], _knownLabel[e]) = ((float)Math.Log((double)lexicon.Occurrences(e) / f), label);
            }
        }
    }

    /// <summary>K.</summary>
    public int TagCount { get; }

    /// <summary>The scratch length <see cref="Fill"/> needs: K.</summary>
    public int ScratchLength => TagCount;

    /// <summary>Whether <paramref name="word"/> was seen in training.</summary>
    public bool IsKnown(ReadOnlySpan<char> word) => _lexicon.Find(word) >= 0;

    /// <summary>The capitalization flag c of <paramref name="word"/>'s labels (always 0 without the feature).</summary>
    public int Capitalization(ReadOnlySpan<char> word) =>
        !_capitalization ? 0 : IsKnown(word) ? SuffixModel.ClassOfWord(word) : _suffixes.ClassOf(word);

    /// <summary>
    /// Writes e(w, l) into the (L) row for the labels <paramref name="word"/> may take, leaving
    /// the others as they are (the caller fills the row with −∞ first).
    /// <paramref name="scratch"/> holds <see cref="ScratchLength"/> doubles.
    /// </summary>
    public void Fill(ReadOnlySpan<char> word, Span<float> row, Span<double> scratch)
    {
        int w = _lexicon.Find(word);
        var p = scratch[..TagCount];
        if (w < 0)
        {
            int c = _capitalization ? _suffixes.ClassOf(word) : 0;   // Capitalization(word) of an unknown word
            if (_baseForms is not null && _baseForms.Posterior(word, p))
            {
                if (_suffixWeight > 0) MixSuffix(word, p);
                if (Write(p, _gamma, 0, c, row) > 0) return;
            }
            _suffixes.Posterior(word, p);
            Write(p, _gamma, 0, c, row);
            return;
        }
        long f = _lexicon.Frequency(w);
        if (f > _rareCount || _beta == 0)
        {
            for (int e = _lexicon.Start(w); e < _lexicon.Start(w + 1); e++) row[_knownLabel[e]] = _known[e];
            return;
        }
        _suffixes.Posterior(word, p);
        System.Numerics.Tensors.TensorPrimitives.Multiply(p, _beta / (f + _beta), p);
        for (int e = _lexicon.Start(w); e < _lexicon.Start(w + 1); e++) p[_lexicon.Tag(e)] += _lexicon.Occurrences(e) / (f + _beta);
        Write(p, 1, Math.Log(f) - _logEvents, SeenCapitalization(word), row);
    }

    // p ← P_base^(1−w) · P_suffix^w, normalized (the base-form posterior is in p).
    private void MixSuffix(ReadOnlySpan<char> word, Span<double> p)
    {
        Span<double> suffix = p.Length <= 1024 ? stackalloc double[p.Length] : new double[p.Length];
        _suffixes.Posterior(word, suffix);
        double sum = 0;
        for (int t = 0; t < p.Length; t++) sum += p[t] = Math.Pow(p[t], 1 - _suffixWeight) * Math.Pow(suffix[t], _suffixWeight);
        if (sum > 0) System.Numerics.Tensors.TensorPrimitives.Multiply(p, 1 / sum, p);
    }

    // e(w, (t, c)) = log P(t | w) + logWord − γ log P(t, c) for the candidate tags; returns how many.
    private int Write(ReadOnlySpan<double> p, double gamma, double logWord, int c, Span<float> row)
    {
        double floor = CandidateRatio * System.Numerics.Tensors.TensorPrimitives.Max(p);
        int written = 0;
        for (int t = 0; t < p.Length; t++)
        {
            int label = 2 * t + c;
            if (!(p[t] > 0 && p[t] >= floor && _logPrior[label] > double.NegativeInfinity)) continue;
            row[label] = (float)(Math.Log(p[t]) + logWord - gamma * _logPrior[label]);
            written++;
        }
        return written;
    }

    private int SeenCapitalization(ReadOnlySpan<char> word) => _capitalization ? SuffixModel.ClassOfWord(word) : 0;

    /// <summary>
    /// The most-frequent-tag baseline's choice: a seen word's most frequent tag (the lowest on
    /// ties), an unseen word's most probable tag given its ending (<see cref="SuffixModel"/>).
    /// </summary>
    public int MostFrequentTag(ReadOnlySpan<char> word, Span<double> scratch)
    {
        int w = _lexicon.Find(word);
        if (w >= 0)
        {
            int best = _lexicon.Start(w);
            for (int e = best + 1; e < _lexicon.Start(w + 1); e++)
                if (_lexicon.Occurrences(e) > _lexicon.Occurrences(best)) best = e;
            return _lexicon.Tag(best);
        }
        var p = scratch[..TagCount];
        _suffixes.Posterior(word, p);
        return System.Numerics.Tensors.TensorPrimitives.IndexOfMax(p);
    }
}
