using System.Globalization;
using System.Text;
using Recur.Formats;

namespace Recur.Tagging;

// K: tags; L = 2K labels; BOS = L, EOS = L + 1.

/// <summary>
/// The tagger file: UTF-8 text holding what training counted, from which loading rebuilds every
/// probability. Format 1:
/// <code>
/// recur-tagger 1
/// order 3
/// suffix-length 10
/// rare-word-count 10
/// capitalization true
/// suffix-theta 1
/// base-forms true
/// rare-word-smoothing 1
/// tags K              then K lines, one tag each, in ordinal order
/// trigrams n          then n lines "a b c f": f(a, b, c) over labels 2·tag + c, BOS = 2K, EOS = 2K + 1
/// lexicon n           then n lines "word t:f t:f …": f(word, t) by tag index
/// end
/// </code>
/// Written atomically. Reading checks everything (the header, every number, that the lexicon's
/// counts add up to the tag counts) and reports a problem as an <see cref="InputException"/>
/// naming the file and line.
/// </summary>
internal static class HmmTaggerFile
{
    public const string Magic = "recur-tagger";
    public const int Version = 2;

    public static void Write(HmmTagger tagger, string path)
    {
        AtomicFile.Write(path, stream =>
        {
            using var w = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\n" };
            var o = tagger.Options;
            w.WriteLine($"{Magic} {Version}");
            w.WriteLine($"order {o.Order}");
            w.WriteLine($"suffix-length {o.SuffixLength}");
            w.WriteLine($"rare-word-count {o.RareWordCount}");
            w.WriteLine($"capitalization {(o.Capitalization ? "true" : "false")}");
            w.WriteLine($"suffix-theta {o.SuffixTheta!.Value.ToString("R", CultureInfo.InvariantCulture)}");
            w.WriteLine($"base-forms {(o.BaseForms ? "true" : "false")}");
            w.WriteLine($"rare-word-smoothing {o.RareWordSmoothing.ToString("R", CultureInfo.InvariantCulture)}");
            w.WriteLine($"base-form-suffix-weight {o.BaseFormSuffixWeight.ToString("R", CultureInfo.InvariantCulture)}");
            w.WriteLine($"unknown-prior-exponent {o.UnknownPriorExponent.ToString("R", CultureInfo.InvariantCulture)}");
            w.WriteLine($"tags {tagger.Tags.Count}");
            foreach (string tag in tagger.Tags) w.WriteLine(tag);
            w.WriteLine($"trigrams {tagger.Counts.TrigramCount}");
            foreach (var (a, b, c, f) in tagger.Counts.Trigrams()) w.WriteLine($"{a} {b} {c} {f}");
            Lexicon lexicon = tagger.Lexicon;
            w.WriteLine($"lexicon {lexicon.Count}");
            var line = new StringBuilder();
            for (int word = 0; word < lexicon.Count; word++)
            {
                line.Clear().Append(lexicon.Word(word));
                for (int e = lexicon.Start(word); e < lexicon.Start(word + 1); e++)
                    line.Append(' ').Append(lexicon.Tag(e)).Append(':').Append(lexicon.Occurrences(e));
                w.WriteLine(line);
            }
            w.WriteLine("end");
        });
    }

    public static HmmTagger Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (Directory.Exists(path)) throw new InputException(path, "is a folder; give a tagger model written by `recur tag train`");
        if (!File.Exists(path)) throw new FileNotFoundException($"Tagger model not found: {path}", path);
        using var lines = new TextLines(path);
        return new Reader(path, lines).Read();
    }

    private sealed class Reader(string path, TextLines lines)
    {
        private InputException Error(string why) => new($"{path}: line {lines.Number}", why);

        private string Next(string expecting) =>
            lines.Next() ?? throw new InputException(path, $"ends early, where {expecting} should follow; the file is truncated: train it again");

        public HmmTagger Read()
        {
            string first = lines.Next() ?? throw new InputException(path, "is empty; give a tagger model written by `recur tag train`");
            string[] magic = first.Split(' ');
            if (magic.Length != 2 || magic[0] != Magic || !int.TryParse(magic[1], NumberStyles.None, CultureInfo.InvariantCulture, out int version))
                throw Error($"is not a Recur tagger model (its first line should be \"{Magic} {Version}\"); write one with `recur tag train`");
            if (version is not (1 or Version)) throw Error($"is tagger model format {version}; this Recur reads formats 1 and {Version}: train the model again with this version");
            var options = new HmmTaggerOptions
            {
                Order = (int)Field("order", 2, 3),
                SuffixLength = (int)Field("suffix-length", 0, 64),
                RareWordCount = (int)Field("rare-word-count", 1, int.MaxValue),
                Capitalization = Flag("capitalization"),
                SuffixTheta = Real("suffix-theta"),
                BaseForms = Flag("base-forms"),
                RareWordSmoothing = Real("rare-word-smoothing"),
                // Format 1 predates these two: its taggers keep the behaviour they were evaluated with.
                BaseFormSuffixWeight = version == 1 ? 0 : Real("base-form-suffix-weight"),
                UnknownPriorExponent = version == 1 ? 1 : Real("unknown-prior-exponent"),
            };
            int k = (int)Field("tags", 1, HmmTagger.MaxTags);
            var tags = new string[k];
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (int t = 0; t < k; t++)
            {
                tags[t] = Next($"tag {t + 1} of {k}");
                if (tags[t].Length == 0 || tags[t].Any(char.IsWhiteSpace)) throw Error($"tag {t + 1} \"{tags[t]}\" is empty or holds white space");
                if (!seen.Add(tags[t])) throw Error($"the tag \"{tags[t]}\" is listed twice");
            }
            TagCounts counts = ReadTrigrams(k);
            Lexicon lexicon = ReadLexicon(k, counts, options.Capitalization);
            if (Next("\"end\"") != "end") throw Error("should be \"end\": the model has more lines than its header says");
            if (lines.Next() is not null) throw Error("follows \"end\"; the file holds more than one model or was edited");
            try
            {
                return new HmmTagger(options, tags, counts, lexicon);
            }
            catch (ArgumentException e)
            {
                throw new InputException(path, $"is inconsistent: {e.Message}");
            }
        }

        private TagCounts ReadTrigrams(int k)
        {
            var counts = new TagCounts(k);
            long n = Field("trigrams", 1, int.MaxValue), total = 0;
            for (long i = 0; i < n; i++)
            {
                string[] f = Next($"trigram {i + 1} of {n}").Split(' ');
                if (f.Length != 4) throw Error($"should be a trigram \"a b c count\", not {f.Length} fields");
                int a = (int)Number(f[0], 0, counts.Width - 1), b = (int)Number(f[1], 0, counts.Width - 1), c = (int)Number(f[2], 0, counts.Width - 1);
                long count = Number(f[3], 1, MaxTotal);
                total += count;
                if (total > MaxTotal) throw Error($"the trigram counts sum past {MaxTotal:N0} (2^53, the most counted exactly in floating point); the file is damaged");
                if (!counts.CanOccur(a, b, c)) throw Error($"({a}, {b}, {c}) cannot occur in a sentence over {counts.LabelCount} labels (BOS = {counts.Bos}, EOS = {counts.Eos})");
                if (counts.Trigram(a, b, c) > 0) throw Error($"the trigram ({a}, {b}, {c}) is listed twice");
                counts.AddTrigram(a, b, c, count);
            }
            return counts;
        }

        private Lexicon ReadLexicon(int k, TagCounts counts, bool capitalization)
        {
            long n = Field("lexicon", 1, int.MaxValue), total = 0;
            // The header's count is a promise, not a size to allocate: the table grows as lines come.
            var words = new Dictionary<string, Dictionary<int, long>>(StringComparer.Ordinal);
            var labelSums = new long[counts.LabelCount];
            for (long i = 0; i < n; i++)
            {
                string[] f = Next($"lexicon word {i + 1} of {n}").Split(' ');
                if (f.Length < 2 || f[0].Length == 0) throw Error("should be a lexicon entry \"word tag:count …\"");
                var row = new Dictionary<int, long>();
                if (!words.TryAdd(f[0], row)) throw Error($"the word \"{f[0]}\" is listed twice");
                int c = capitalization ? SuffixModel.ClassOfWord(f[0]) : 0;
                for (int j = 1; j < f.Length; j++)
                {
                    int colon = f[j].IndexOf(':');
                    if (colon < 0) throw Error($"\"{f[j]}\" should be tag:count");
                    int tag = (int)Number(f[j][..colon], 0, k - 1);
                    long count = Number(f[j][(colon + 1)..], 1, MaxTotal);
                    total += count;
                    if (total > MaxTotal) throw Error($"the lexicon counts sum past {MaxTotal:N0} (2^53, the most counted exactly in floating point); the file is damaged");
                    if (!row.TryAdd(tag, count)) throw Error($"the word \"{f[0]}\" lists tag {tag} twice");
                    labelSums[2 * tag + c] += count;
                }
            }
            for (int l = 0; l < counts.LabelCount; l++)
                if (labelSums[l] != counts.Unigram(l))
                    throw Error($"the lexicon counts tag {l / 2}{(l % 2 == 1 ? " (capitalized)" : "")} {labelSums[l]} times but the trigrams {counts.Unigram(l)} times: the model is corrupt; train it again");
            return new Lexicon(words, k);
        }

        // Counts and their sums stay below 2^53: every sum the tagger forms is then exact, in
        // integers and in doubles alike.
        private const long MaxTotal = 1L << 53;

        private long Field(string name, long min, long max)
        {
            string[] f = Next($"\"{name}\"").Split(' ');
            if (f.Length != 2 || f[0] != name) throw Error($"should be \"{name} <number>\"");
            return Number(f[1], min, max);
        }

        private double Real(string name)
        {
            string[] f = Next($"\"{name}\"").Split(' ');
            if (f.Length != 2 || f[0] != name || !double.TryParse(f[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !(v >= 0) || !double.IsFinite(v))
                throw Error($"should be \"{name} <number ≥ 0>\"");
            return v;
        }

        private bool Flag(string name)
        {
            string[] f = Next($"\"{name}\"").Split(' ');
            if (f.Length != 2 || f[0] != name || f[1] is not ("true" or "false")) throw Error($"should be \"{name} true\" or \"{name} false\"");
            return f[1] == "true";
        }

        private long Number(string text, long min, long max)
        {
            if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out long v) || v < min || v > max)
                throw Error($"\"{text}\" should be a whole number in [{min}, {max}]");
            return v;
        }
    }
}
