namespace Recur.Tagging;

// K: tags; m: the longest suffix used.

/// <summary>
/// TnT's guess at the tags of an unknown word from its ending (Brants 2000 §2.3): suffix
/// statistics (<see cref="SuffixTrie"/>) of the infrequent training words — seen at most a
/// given number of times, they are most like unseen ones — one set for capitalized and one for
/// other words, and the tag distribution of the longest known ending smoothed by successive
/// abstraction (Samuelsson 1993):
/// P(t | l_{n−i+1} … l_n) = (P̂(t | l_{n−i+1} … l_n) + θ P(t | l_{n−i+2} … l_n)) / (1 + θ),
/// from P(t) = P̂(t) over those words, for i = 1 … min(m, word length) while the ending was seen.
/// Digits are folded to '0' first (<see cref="SuffixTrie.FoldDigits"/>), so "$4,500" ends like
/// "$3,000". TnT sets θ to the standard deviation of the tag probabilities, which depends on
/// the size of the tag set (0.01 for Brown's 467 tags, where smoothing then does almost
/// nothing); <see cref="ChooseTheta"/> picks it by cross-validation instead.
/// </summary>
internal sealed class SuffixModel
{
    /// <summary>The values <see cref="ChooseTheta"/> tries: 10^(k/2), k = −4 … 2.</summary>
    public static readonly double[] ThetaGrid = [0.01, 0.0316227766, 0.1, 0.316227766, 1, 3.16227766, 10];

    private readonly SuffixTrie?[] _tries = new SuffixTrie?[2];   // by class: 0 not capitalized, 1 capitalized
    private readonly int _tagCount;

    /// <summary>
    /// Builds the statistics from the words of <paramref name="lexicon"/> seen at most
    /// <paramref name="rareCount"/> times, endings up to <paramref name="maxLength"/> characters.
    /// A class with no such words uses all its words; a class with no words at all uses the other.
    /// </summary>
    public SuffixModel(Lexicon lexicon, int tagCount, int maxLength, long rareCount, double theta)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxLength);
        if (!(theta >= 0) || double.IsInfinity(theta)) throw new ArgumentOutOfRangeException(nameof(theta), theta, "θ must be finite and ≥ 0.");
        (_tagCount, MaxLength, Theta) = (tagCount, maxLength, theta);
        for (int k = 0; k < 2; k++)
        {
            var words = Population(lexicon, k, rareCount);
            _tries[k] = SuffixTrie.Build(lexicon, tagCount, maxLength, w => words.Contains(w));
        }
        if (_tries[0] is null && _tries[1] is null) throw new ArgumentException("The lexicon is empty.");
    }

    /// <summary>m.</summary>
    public int MaxLength { get; }

    /// <summary>θ.</summary>
    public double Theta { get; }

    /// <summary>Whether a word counts as capitalized: its first character is an upper-case letter.</summary>
    public static int ClassOfWord(ReadOnlySpan<char> word) => word.Length > 0 && char.IsUpper(word[0]) ? 1 : 0;

    /// <summary>The class whose statistics <paramref name="word"/> uses: its own, or the other when its own had no words.</summary>
    public int ClassOf(ReadOnlySpan<char> word)
    {
        int k = ClassOfWord(word);
        return _tries[k] is null ? 1 - k : k;
    }

    /// <summary>Writes P(t | the longest seen ending of <paramref name="word"/>) for every tag into <paramref name="p"/> (K).</summary>
    public void Posterior(ReadOnlySpan<char> word, Span<double> p)
    {
        SuffixTrie trie = _tries[ClassOf(word)]!;
        p = p[.._tagCount];
        trie.Root.CopyTo(p);
        Span<char> buffer = stackalloc char[Math.Min(MaxLength, word.Length)];
        ReadOnlySpan<char> ending = SuffixTrie.FoldDigits(word[^buffer.Length..], buffer);
        double keep = Theta / (1 + Theta), add = 1 / (1 + Theta);
        for (int i = 1; i <= ending.Length; i++)
        {
            int node = trie.Find(ending[^i..]);
            if (node < 0) break;
            System.Numerics.Tensors.TensorPrimitives.Multiply(p, keep, p);
            trie.AddTo(node, add, p);
        }
    }

    /// <summary>
    /// θ by two-fold cross-validation: the population's word types (as the model would choose
    /// them, per class) alternate between two halves; each half's statistics predict the other's
    /// tags, and the θ of <see cref="ThetaGrid"/> with the highest log-likelihood
    /// Σ f(w, t) log P(t | w's ending) wins (a tag never seen in the predicting half is left out:
    /// it scores −∞ at every θ). With too few words to tell, TnT's θ (the standard deviation of
    /// <paramref name="tagProbabilities"/>).
    /// </summary>
    public static double ChooseTheta(Lexicon lexicon, int tagCount, int maxLength, long rareCount, ReadOnlySpan<double> tagProbabilities)
    {
        var logLikelihood = new double[ThetaGrid.Length];
        var levels = new double[maxLength + 1];
        Span<char> buffer = stackalloc char[maxLength];
        long scored = 0;
        for (int k = 0; k < 2; k++)
        {
            List<int> words = [.. Population(lexicon, k, rareCount)];
            words.Sort();
            if (words.Count < 2) continue;
            for (int half = 0; half < 2; half++)
            {
                var train = new HashSet<int>();
                for (int i = 1 - half; i < words.Count; i += 2) train.Add(words[i]);
                SuffixTrie trie = SuffixTrie.Build(lexicon, tagCount, maxLength, train.Contains)!;
                for (int i = half; i < words.Count; i += 2)
                {
                    int w = words[i];
                    string word = lexicon.Word(w);
                    var ending = SuffixTrie.FoldDigits(word.AsSpan()[^Math.Min(maxLength, word.Length)..], buffer);
                    for (int e = lexicon.Start(w); e < lexicon.Start(w + 1); e++)
                    {
                        int tag = lexicon.Tag(e);
                        if (trie.Root[tag] == 0) continue;
                        int depth = 0;
                        for (int j = 1; j <= ending.Length; j++)
                        {
                            int node = trie.Find(ending[^j..]);
                            if (node < 0) break;
                            levels[depth++] = trie.Probability(node, tag);
                        }
                        for (int g = 0; g < ThetaGrid.Length; g++)
                        {
                            double theta = ThetaGrid[g], p = trie.Root[tag];
                            for (int j = 0; j < depth; j++) p = (levels[j] + theta * p) / (1 + theta);
                            logLikelihood[g] += lexicon.Occurrences(e) * Math.Log(p);
                        }
                        scored += lexicon.Occurrences(e);
                    }
                }
            }
        }
        if (scored == 0) return StandardDeviation(tagProbabilities);
        int best = 0;
        for (int g = 1; g < ThetaGrid.Length; g++)
            if (logLikelihood[g] > logLikelihood[best]) best = g;
        return ThetaGrid[best];
    }

    /// <summary>TnT's θ: the sample standard deviation of the unconditional tag probabilities.</summary>
    public static double StandardDeviation(ReadOnlySpan<double> p)
    {
        if (p.Length < 2) return 0;
        double mean = 0, sum = 0;
        foreach (double v in p) mean += v / p.Length;
        foreach (double v in p) sum += (v - mean) * (v - mean);
        return Math.Sqrt(sum / (p.Length - 1));
    }

    // The words of class k the statistics come from: the rare ones, or all when none is rare.
    private static HashSet<int> Population(Lexicon lexicon, int k, long rareCount)
    {
        var rare = new HashSet<int>();
        var all = new HashSet<int>();
        for (int w = 0; w < lexicon.Count; w++)
        {
            if (ClassOfWord(lexicon.Word(w)) != k) continue;
            all.Add(w);
            if (lexicon.Frequency(w) <= rareCount) rare.Add(w);
        }
        return rare.Count > 0 ? rare : all;
    }
}
