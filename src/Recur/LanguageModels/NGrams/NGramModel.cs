using System.Numerics.Tensors;
using Recur.Text;

namespace Recur.LanguageModels.NGrams;

// Glossary: B batch (rows); N model order; V vocabulary size (= the model's unigrams);
// k context length ≤ N − 1.

/// <summary>
/// A back-off n-gram language model (the model an ARPA file describes, docs/formats.md): log₁₀
/// probabilities p(h w) of listed n-grams and back-off weights bow(h), queried with
/// <code>P(w | h) = p(h w)                 if h w is listed
///          = bow(h) · P(w | h')         otherwise (h' drops the oldest word; missing bow = 1)</code>
/// <para>
/// Two ways to use it. The stateful scoring API of KenLM (<see cref="BeginSentenceState"/>,
/// <see cref="NullContextState"/>, <see cref="Score(in NGramState, int, out NGramState)"/>)
/// returns log₁₀ probabilities with the matched n-gram length and an OOV flag. The
/// <see cref="ILanguageModel"/> protocol (<see cref="Step"/>) gives whole next-token rows in
/// natural log for the decoders: BeginToken is &lt;s&gt;, EndToken is &lt;/s&gt;, and &lt;s&gt; is
/// never predicted (−∞), whatever the file wrote for it (SRILM −99, KenLM 0).
/// </para>
/// <para>
/// Words outside the vocabulary are scored as &lt;unk&gt; when the model has a &lt;unk&gt; unigram
/// (an open vocabulary) and get probability 0 otherwise; either way they are flagged as OOV.
/// </para>
/// </summary>
public sealed class NGramModel : IFiniteContextModel
{
    /// <summary>The highest order supported.</summary>
    public const int MaxOrder = 16;

    private static readonly double Ln10 = Math.Log(10.0);
    private readonly float[] _unigramLog;   // (V) natural-log unigram probabilities, <s> = −∞

    internal NGramModel(Vocabulary vocabulary, NGramTrie trie)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        ArgumentNullException.ThrowIfNull(trie);
        if (vocabulary.Count != trie.VocabularySize) throw new ArgumentException("The vocabulary does not match the unigrams.", nameof(vocabulary));
        BeginToken = vocabulary.IndexOf(BeginSentence);
        EndToken = vocabulary.IndexOf(EndSentence);
        if (BeginToken < 0 || EndToken < 0) throw new ArgumentException("An n-gram model needs the unigrams <s> and </s>.", nameof(vocabulary));
        UnknownToken = vocabulary.IndexOf(Unknown) >= 0 ? vocabulary.IndexOf(Unknown) : vocabulary.IndexOf("<UNK>");
        Vocabulary = vocabulary;
        Trie = trie;

        // <s> is context only: its probability is 0 whatever the file says (docs/formats.md, ARPA rule 3).
        trie.Levels[1].Log10Prob[BeginToken] = double.NegativeInfinity;
        _unigramLog = new float[vocabulary.Count];
        for (int w = 0; w < _unigramLog.Length; w++) _unigramLog[w] = (float)(trie.Levels[1].Log10Prob[w] * Ln10);
    }

    /// <summary>The begin-of-sentence token.</summary>
    public const string BeginSentence = "<s>";

    /// <summary>The end-of-sentence token.</summary>
    public const string EndSentence = "</s>";

    /// <summary>The unknown-word token.</summary>
    public const string Unknown = "<unk>";

    internal NGramTrie Trie { get; }

    /// <inheritdoc/>
    public Vocabulary Vocabulary { get; }

    /// <inheritdoc/>
    public int BeginToken { get; }

    /// <inheritdoc/>
    public int EndToken { get; }

    /// <summary>The id of &lt;unk&gt; (or KenLM's alternative spelling &lt;UNK&gt;), or −1 for a closed vocabulary.</summary>
    public int UnknownToken { get; }

    /// <summary>True when the model has a &lt;unk&gt; unigram, so unknown words get its probability.</summary>
    public bool IsOpenVocabulary => UnknownToken >= 0;

    /// <summary>The order N: the longest n-gram the model holds.</summary>
    public int Order => Trie.Order;

    /// <summary>Number of listed n-grams of order <paramref name="n"/> (as the ARPA header counts them).</summary>
    public int NGramCount(int n)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(n, Order);
        return Trie.Levels[n].Listed;
    }

    /// <summary>Reads an ARPA file (strict unless <paramref name="options"/> says lenient).</summary>
    public static NGramModel Load(string path, ArpaReadOptions? options = null) => ArpaReader.Read(path, options);

    /// <summary>Writes the model as an ARPA file, atomically.</summary>
    public void Save(string path, ArpaWriteOptions? options = null) => ArpaWriter.Write(this, path, options);

    /// <summary>The id that scores <paramref name="word"/>: its own, &lt;unk&gt;'s when unknown, or −1 (closed vocabulary).</summary>
    public int WordId(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        int id = Vocabulary.IndexOf(word);
        return id >= 0 ? id : UnknownToken;
    }

    /// <summary>The state at the start of a sentence: the context &lt;s&gt; (KenLM BeginSentenceWrite).</summary>
    public NGramState BeginSentenceState
    {
        get
        {
            int length = 1, entry = BeginToken;
            Trie.Shorten(ref length, ref entry);
            return new NGramState(length, entry);
        }
    }

    /// <summary>The empty context: scores are unigram probabilities (KenLM NullContextWrite).</summary>
    public NGramState NullContextState => default;

    /// <summary>
    /// log₁₀ P(word | state) by the back-off rule, and the state after reading the word
    /// (KenLM <c>BaseFullScore(in_state, word, out_state)</c>). <paramref name="word"/> is an id,
    /// or −1 for a word that is not in a closed vocabulary (probability 0, n-gram length 0,
    /// next state the null context). Reading &lt;unk&gt; sets <see cref="NGramScore.IsOov"/>.
    /// </summary>
    public NGramScore Score(in NGramState state, int word, out NGramState next)
    {
        CheckState(state);
        if (word < -1 || word >= Vocabulary.Count) throw new ArgumentOutOfRangeException(nameof(word), $"Word id {word} is outside the vocabulary (0..{Vocabulary.Count - 1}, or −1 for unknown).");
        if (word < 0)
        {
            next = default;
            return new NGramScore(double.NegativeInfinity, 0, IsOov: true);
        }
        double log10 = Trie.Score(state.Length, state.Entry, word, out int matched, out int length, out int entry);
        next = new NGramState(length, entry);
        return new NGramScore(log10, matched, IsOov: word == UnknownToken);
    }

    /// <summary>As <see cref="Score(in NGramState, int, out NGramState)"/>, for a word given as text (unknown words are scored as &lt;unk&gt;).</summary>
    public NGramScore Score(in NGramState state, string word, out NGramState next)
        => Score(state, WordId(word), out next);

    /// <summary>
    /// log₁₀ P(sentence): the sum of word scores, starting after &lt;s&gt; when <paramref name="bos"/>
    /// and adding P(&lt;/s&gt; | …) when <paramref name="eos"/> (KenLM <c>Model.score</c>).
    /// </summary>
    public double SentenceLog10Probability(IEnumerable<string> words, bool bos = true, bool eos = true)
    {
        ArgumentNullException.ThrowIfNull(words);
        NGramState state = bos ? BeginSentenceState : NullContextState;
        double total = 0.0;
        foreach (string w in words)
        {
            total += Score(state, w, out NGramState next).Log10Probability;
            state = next;
        }
        if (eos) total += Score(state, EndToken, out _).Log10Probability;
        return total;
    }

    /// <summary>Perplexity and counts over sentences of words (see <see cref="NGramEvaluation"/>).</summary>
    public NGramEvaluation Evaluate(IEnumerable<IReadOnlyList<string>> sentences) => NGramEvaluation.Of(this, sentences);

    /// <summary>
    /// Writes ln P(w | state) for every word w into <paramref name="logProbs"/> (length ≥ V):
    /// the unigram row plus the context's back-off weights, overwritten by the listed
    /// continuations of each context length (O(V + continuations), no lookups). &lt;s&gt; gets −∞.
    /// </summary>
    public void NextLogProbs(in NGramState state, Span<float> logProbs)
    {
        CheckState(state);
        if (logProbs.Length < Vocabulary.Count) throw new ArgumentException($"logProbs has {logProbs.Length} elements; the vocabulary has {Vocabulary.Count}.", nameof(logProbs));
        Span<float> row = logProbs[..Vocabulary.Count];
        TensorPrimitives.Add(_unigramLog, (float)(ContextBackoff(state) * Ln10), row);
        var sink = new RowSink(row);
        Trie.Continuations(state.Length, state.Entry, ref sink);
        row[BeginToken] = float.NegativeInfinity;
    }

    /// <summary>The words of a state's context, oldest first (for messages and tests).</summary>
    public IReadOnlyList<string> ContextWords(in NGramState state)
    {
        CheckState(state);
        var ids = new int[state.Length];
        if (state.Length > 0) Trie.Words(state.Length, state.Entry, ids);
        return Array.ConvertAll(ids, id => Vocabulary[id]);
    }

    /// <inheritdoc/>
    public LanguageModelState CreateState(int batch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        return new NGramBatchState(batch);
    }

    /// <inheritdoc/>
    public void Step(LanguageModelState state, ReadOnlySpan<int> tokens, Span<float> logProbs)
    {
        NGramBatchState rows = Rows(state);
        int batch = rows.Batch, v = Vocabulary.Count;
        if (tokens.Length != batch) throw new ArgumentException($"tokens has {tokens.Length} entries for {batch} rows.", nameof(tokens));
        if (logProbs.Length < batch * v) throw new ArgumentException($"logProbs has {logProbs.Length} elements; {batch} rows × {v} tokens are needed.", nameof(logProbs));
        for (int r = 0; r < batch; r++)
        {
            if ((uint)tokens[r] >= (uint)v) throw new ArgumentOutOfRangeException(nameof(tokens), $"Token {tokens[r]} of row {r} is outside the vocabulary (0..{v - 1}).");
            Trie.Score(rows.Rows[r].Length, rows.Rows[r].Entry, tokens[r], out _, out int length, out int entry);
            rows.Rows[r] = new NGramState(length, entry);
            NextLogProbs(rows.Rows[r], logProbs.Slice(r * v, v));
        }
    }

    /// <inheritdoc/>
    public void Gather(LanguageModelState source, ReadOnlySpan<int> rows, LanguageModelState destination)
    {
        NGramBatchState from = Rows(source), to = Rows(destination);
        if (ReferenceEquals(from, to)) throw new ArgumentException("Source and destination must be different states.", nameof(destination));
        if (to.Batch != rows.Length) throw new ArgumentException($"destination has {to.Batch} rows; {rows.Length} were asked for.", nameof(destination));
        for (int r = 0; r < rows.Length; r++)
        {
            if ((uint)rows[r] >= (uint)from.Batch) throw new ArgumentOutOfRangeException(nameof(rows), $"Row {rows[r]} is outside the source's {from.Batch} rows.");
            to.Rows[r] = from.Rows[rows[r]];
        }
    }

    /// <summary>
    /// The context words of row <paramref name="row"/>, oldest first: the (possibly shortened,
    /// as KenLM shortens) n-gram state, which alone decides every later probability, so Viterbi
    /// may merge rows with equal contexts (docs/theory.md 2.2f).
    /// </summary>
    public ReadOnlySpan<int> Context(LanguageModelState state, int row)
    {
        NGramBatchState rows = Rows(state);
        var s = rows.Rows[row];
        var words = rows.ContextBuffer(Order);
        if (s.Length > 0) Trie.Words(s.Length, s.Entry, words);
        return words.AsSpan(0, s.Length);
    }

    /// <summary>The decoding state of row <paramref name="row"/> (for decoders that mix both APIs).</summary>
    public NGramState RowState(LanguageModelState state, int row) => Rows(state).Rows[row];

    private double ContextBackoff(in NGramState state)
    {
        double sum = 0.0;
        int entry = state.Entry;
        for (int j = state.Length; j >= 1; j--)
        {
            sum += Trie.Levels[j].Log10Backoff[entry];
            if (j >= 2) entry = Trie.Levels[j].Suffix[entry];
        }
        return sum;
    }

    private void CheckState(in NGramState state)
    {
        bool valid = state.Length == 0 || state.Length > 0 && state.Length < Order && (uint)state.Entry < (uint)Trie.Levels[state.Length].Count;
        if (!valid)
            throw new ArgumentException($"State {state} does not belong to this order-{Order} model.", nameof(state));
    }

    private static NGramBatchState Rows(LanguageModelState state) =>
        state as NGramBatchState ?? throw new ArgumentException("The state was not made by an n-gram model's CreateState.", nameof(state));

    private readonly ref struct RowSink(Span<float> row) : IContinuationSink
    {
        private readonly Span<float> _row = row;
        public void Write(int word, double log10Prob) => _row[word] = (float)(log10Prob * Ln10);
    }

    private sealed class NGramBatchState(int batch) : LanguageModelState
    {
        private int[] _context = [];
        public readonly NGramState[] Rows = new NGramState[batch];
        public override int Batch => Rows.Length;

        /// <summary>Scratch for <see cref="Context"/>, reused until the next call.</summary>
        public int[] ContextBuffer(int order) => _context.Length >= order ? _context : _context = new int[order];
    }
}
