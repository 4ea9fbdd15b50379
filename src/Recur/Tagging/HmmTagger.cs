using Recur.Decoding;
using Recur.Text;

namespace Recur.Tagging;

// K: tags; L = 2K labels (tag × capitalization, label = 2·tag + c); T: words in a sentence.

/// <summary>
/// A second-order (trigram) hidden Markov model part-of-speech tagger in the style of TnT
/// (Brants 2000): t̂ = argmax over t_1 … t_T of
/// Π_i P(t_i | t_{i−2}, t_{i−1}) P(w_i | t_i) · P(EOS | t_{T−1}, t_T), with transitions
/// smoothed by deleted interpolation, lexical probabilities from relative frequencies, unknown
/// words guessed from their endings, and capitalization folded into the tags; where it departs
/// from TnT (θ by cross-validation, base forms of unknown words, smoothing of rare words, digit
/// folding), <see cref="HmmTaggerOptions"/> and <see cref="EmissionModel"/> say so. Decoding is the
/// library's sparse HMM Viterbi (<see cref="SparseViterbi"/>) over the tag pairs seen in
/// training; a bigram model is built too (and is the model when <see cref="HmmTaggerOptions.Order"/> is 2).
/// Immutable and safe to share between threads; decode with a <see cref="TagDecoder"/> per thread.
/// </summary>
public sealed class HmmTagger
{
    /// <summary>
    /// The most tags a tagger takes: the bigram counts and the bigram decoding graph grow as the
    /// square of the number of tags (2048 tags: about 130 MB each).
    /// </summary>
    public const int MaxTags = 2048;

    private readonly string[] _tags;
    private readonly Dictionary<string, int> _tagIndex;

    internal HmmTagger(HmmTaggerOptions options, string[] tags, TagCounts counts, Lexicon lexicon)
    {
        options.Validate();
        if (tags.Length != counts.TagCount) throw new ArgumentException($"{tags.Length} tag names for {counts.TagCount} tags.");
        if (tags.Length > MaxTags) throw new ArgumentException($"{tags.Length} distinct tags; a tagger takes at most {MaxTags}.");
        _tags = tags;
        _tagIndex = new Dictionary<string, int>(tags.Length, StringComparer.Ordinal);
        for (int t = 0; t < tags.Length; t++)
            if (!_tagIndex.TryAdd(tags[t], t)) throw new ArgumentException($"The tag \"{tags[t]}\" is listed twice.");
        Counts = counts;
        Lexicon = lexicon;
        Transitions = new TransitionModel(counts);
        double theta = options.SuffixTheta ?? SuffixModel.ChooseTheta(lexicon, tags.Length, options.SuffixLength, options.RareWordCount, TagProbabilities(counts));
        Options = options with { SuffixTheta = theta };
        Suffixes = new SuffixModel(lexicon, tags.Length, options.SuffixLength, options.RareWordCount, theta);
        BaseFormModel? baseForms = options.BaseForms ? new BaseFormModel(lexicon, tags.Length, options.RareWordCount) : null;
        Emissions = new EmissionModel(lexicon, Suffixes, baseForms, counts, Options);
        BigramGraph = Transitions.BigramGraph();
        TrigramGraph = options.Order == 3 ? Transitions.TrigramGraph() : null;
    }

    /// <summary>How the tagger was trained (<see cref="HmmTaggerOptions.SuffixTheta"/> holds the θ used).</summary>
    public HmmTaggerOptions Options { get; }

    /// <summary>The K tags, in ordinal order; tag indices refer to this list.</summary>
    public IReadOnlyList<string> Tags => _tags;

    /// <summary>Sentences and words trained on.</summary>
    public (long Sentences, long Words) TrainingSize => (Counts.Sentences, Counts.Events - Counts.Sentences);

    /// <summary>Distinct words seen in training.</summary>
    public int VocabularySize => Lexicon.Count;

    /// <summary>The deleted-interpolation weights of the model decoded with (λ3 = 0 for a bigram model).</summary>
    public InterpolationWeights Weights => Options.Order == 3 ? Transitions.TrigramWeights : Transitions.BigramWeights;

    internal TagCounts Counts { get; }
    internal Lexicon Lexicon { get; }
    internal TransitionModel Transitions { get; }
    internal SuffixModel Suffixes { get; }
    internal EmissionModel Emissions { get; }
    internal TransitionGraph BigramGraph { get; }
    internal TransitionGraph? TrigramGraph { get; }

    /// <summary>The index of <paramref name="tag"/>, or −1 when the tagger does not know it.</summary>
    public int TagIndex(string tag) => _tagIndex.GetValueOrDefault(tag, -1);

    /// <summary>Whether <paramref name="word"/> was seen in training (else its tags are guessed from its form).</summary>
    public bool IsKnown(string word) => Emissions.IsKnown(word);

    /// <summary>Trains a tagger on tagged sentences (at least one).</summary>
    public static HmmTagger Train(IReadOnlyList<TaggedSentence> sentences, HmmTaggerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(sentences);
        options ??= new HmmTaggerOptions();
        options.Validate();
        if (sentences.Count == 0) throw new ArgumentException("No sentences to train on.", nameof(sentences));
        var tagSet = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var s in sentences)
        {
            if (s.Words.Length != s.Tags.Length || s.Words.Length == 0) throw new ArgumentException("Every sentence needs as many tags as words, and at least one word.", nameof(sentences));
            foreach (string tag in s.Tags) tagSet.Add(tag);
        }
        string[] tags = [.. tagSet];
        if (tags.Length > MaxTags) throw new ArgumentException($"The corpus has {tags.Length} distinct tags; a tagger takes at most {MaxTags}.", nameof(sentences));
        var index = new Dictionary<string, int>(tags.Length, StringComparer.Ordinal);
        for (int t = 0; t < tags.Length; t++) index[tags[t]] = t;

        var counts = new TagCounts(tags.Length);
        var lexicon = new Dictionary<string, Dictionary<int, long>>(StringComparer.Ordinal);
        var labels = new List<int>();
        foreach (var s in sentences)
        {
            labels.Clear();
            for (int i = 0; i < s.Length; i++)
            {
                int tag = index[s.Tags[i]];
                int c = options.Capitalization ? SuffixModel.ClassOfWord(s.Words[i]) : 0;
                labels.Add(2 * tag + c);
                if (!lexicon.TryGetValue(s.Words[i], out var row)) lexicon[s.Words[i]] = row = [];
                row[tag] = row.GetValueOrDefault(tag) + 1;
            }
            counts.AddSentence(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(labels));
        }
        return new HmmTagger(options, tags, counts, new Lexicon(lexicon, tags.Length));
    }

    /// <summary>Reads a tagger written by <see cref="Save"/>; an <see cref="InputException"/> names the file and line of any problem.</summary>
    public static HmmTagger Load(string path) => HmmTaggerFile.Read(path);

    /// <summary>Writes the tagger (its counts: the probabilities are rebuilt on loading) atomically.</summary>
    public void Save(string path) => HmmTaggerFile.Write(this, path);

    /// <summary>
    /// log of the model's joint score of a tagging (transitions, end and lexical scores, the
    /// unknown words' up to their shared factor): what <see cref="TagDecoder.Tag"/> maximizes.
    /// −∞ when the trigram model's graph cannot hold it (an unseen tag pair) or a word cannot take its tag.
    /// <paramref name="bigram"/> scores it with the bigram model (the trigram model's fallback) instead.
    /// </summary>
    internal double LogScore(ReadOnlySpan<string> words, ReadOnlySpan<int> tags, bool bigram = false)
    {
        var labels = new int[words.Length];
        var row = new float[Counts.LabelCount];
        var scratch = new double[Emissions.ScratchLength];
        double sum = 0;
        for (int i = 0; i < words.Length; i++)
        {
            row.AsSpan().Fill(float.NegativeInfinity);
            Emissions.Fill(words[i], row, scratch);
            labels[i] = 2 * tags[i] + Emissions.Capitalization(words[i]);
            sum += row[labels[i]];
        }
        return sum + Transitions.LogProb(labels, trigram: Options.Order == 3 && !bigram);
    }

    // P̂(t) over the training words, for TnT's θ.
    private static double[] TagProbabilities(TagCounts counts)
    {
        var p = new double[counts.TagCount];
        long words = counts.Events - counts.Sentences;
        for (int l = 0; l < counts.LabelCount; l++) p[l / 2] += (double)counts.Unigram(l) / words;
        return p;
    }
}
