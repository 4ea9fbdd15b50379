using Recur.Decoding;

namespace Recur.Tagging;

// K: tags; L: labels; T: words in a sentence; S: graph states.

/// <summary>
/// Tags sentences with an <see cref="HmmTagger"/>: fills the (T, L) lexical scores of a sentence
/// into a reused buffer (unseen labels −∞, so a seen word only visits its seen tags) and runs the
/// library's <see cref="SparseViterbi"/> over the tagger's graph, with beam pruning
/// (<see cref="PruneWidth"/>, TnT's beam). When no path survives — the trigram graph holds only
/// the tag pairs seen in training, and pruning can cut the only way through — SparseViterbi
/// decodes again without pruning; failing that, it decodes with the bigram model (whose graph links every pair of tags), and
/// failing that (a model whose every path has probability 0) gives each word its most frequent
/// tag; it counts these sentences in <see cref="Fallbacks"/>. Allocates nothing per sentence once its buffers
/// have grown to the longest sentence. Not thread-safe: one decoder per thread.
/// </summary>
public sealed class TagDecoder
{
    /// <summary>ln 1000: TnT's default beam drops states a thousand times less probable than the best.</summary>
    public const double DefaultPruneWidth = 6.907755278982137;

    private readonly HmmTagger _tagger;
    private readonly SparseViterbi _main;          // the model's graph, pruned (retries unpruned itself)
    private readonly SparseViterbi? _bigram;       // the bigram graph (only for the trigram model)
    private readonly double[] _scratch;            // (K)
    private float[] _emissions = new float[1024];  // (T, L)
    private int[] _states = new int[64];           // (T)

    /// <summary>A decoder for <paramref name="tagger"/> with beam width <paramref name="pruneWidth"/> nats (+∞: exact search).</summary>
    public TagDecoder(HmmTagger tagger, double pruneWidth = DefaultPruneWidth)
    {
        ArgumentNullException.ThrowIfNull(tagger);
        _tagger = tagger;
        TransitionGraph graph = tagger.TrigramGraph ?? tagger.BigramGraph;
        _main = new SparseViterbi(graph, pruneWidth);
        if (tagger.TrigramGraph is not null) _bigram = new SparseViterbi(tagger.BigramGraph);
        _scratch = new double[tagger.Emissions.ScratchLength];
    }

    /// <summary>The tagger decoded with.</summary>
    public HmmTagger Tagger => _tagger;

    /// <summary>The beam width in nats.</summary>
    public double PruneWidth => _main.PruneWidth;

    /// <summary>Sentences whose best path needed a fallback decode (see the class summary).</summary>
    public long Fallbacks { get; private set; }

    /// <summary>
    /// Writes the best tag (an index into <see cref="HmmTagger.Tags"/>) of each word into
    /// <paramref name="tags"/> and returns the path's log-score (<see cref="HmmTagger"/>'s model,
    /// with unknown words' lexical scores up to a factor; −∞ when it fell back to the most
    /// frequent tags). An empty sentence scores 0.
    /// </summary>
    public double Tag(ReadOnlySpan<string> words, Span<int> tags)
    {
        int t = words.Length;
        if (tags.Length < t) throw new ArgumentException($"The tag buffer holds {tags.Length}; {t} are needed.", nameof(tags));
        if (t == 0) return 0;
        int l = _tagger.Counts.LabelCount;
        if (_emissions.Length < t * l) _emissions = new float[Math.Max(t * l, 2 * _emissions.Length)];
        if (_states.Length < t) _states = new int[Math.Max(t, 2 * _states.Length)];
        var emissions = _emissions.AsSpan(0, t * l);
        emissions.Fill(float.NegativeInfinity);
        for (int i = 0; i < t; i++) _tagger.Emissions.Fill(words[i], emissions.Slice(i * l, l), _scratch);

        var states = _states.AsSpan(0, t);
        SparseViterbi used = _main;
        double score = _main.Decode(emissions, t, states);
        if (score == double.NegativeInfinity && _bigram is not null)
        {
            used = _bigram;
            score = _bigram.Decode(emissions, t, states);
        }
        if (used != _main || score == double.NegativeInfinity) Fallbacks++;
        if (score == double.NegativeInfinity)
        {
            TagMostFrequent(words, tags);
            return score;
        }
        TransitionGraph graph = used.Graph;
        for (int i = 0; i < t; i++) tags[i] = graph.Label(states[i]) / 2;
        return score;
    }

    /// <summary>The baseline: each word's most frequent tag in training, an unseen word's most probable tag given its suffix.</summary>
    public void TagMostFrequent(ReadOnlySpan<string> words, Span<int> tags)
    {
        if (tags.Length < words.Length) throw new ArgumentException($"The tag buffer holds {tags.Length}; {words.Length} are needed.", nameof(tags));
        for (int i = 0; i < words.Length; i++) tags[i] = _tagger.Emissions.MostFrequentTag(words[i], _scratch);
    }
}
