using System.Globalization;
using Recur.Formats;
using Recur.Text;

namespace Recur.LanguageModels.NGrams;

// Glossary: N model order; n the order of the section being read.

/// <summary>
/// Reads ARPA back-off language models (docs/formats.md, ARPA: SRILM ngram-format(5), KenLM
/// read_arpa.cc). All numbers in the file are log₁₀; a probability ≤ −99 (SRILM's log 0) or
/// "-inf" is read as −∞; &lt;s&gt;'s unigram probability may be −99 (SRILM) or 0 (KenLM). Every
/// error is an <see cref="InputException"/> whose subject is "file: line L" and whose message
/// says what is wrong and what to do. See <see cref="ArpaReadOptions"/> for strict and lenient.
/// </summary>
public static class ArpaReader
{
    /// <summary>Reads the model in <paramref name="path"/>.</summary>
    public static NGramModel Read(string path, ArpaReadOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!Formats.InputFile.Exists(path)) throw new FileNotFoundException($"ARPA file not found: {path}", path);
        if (path != Formats.InputFile.StandardInputPath) RejectCompressedOrBinary(path);
        using var lines = new TextLines(path);
        return new Parser(path, lines, options ?? new ArpaReadOptions()).Parse();
    }

    private static void RejectCompressedOrBinary(string path)
    {
        Span<byte> head = stackalloc byte[8];
        int read;
        try
        {
            using var stream = Formats.InputFile.OpenRead(path);
            read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        }
        catch (InvalidDataException e)
        {
            throw new InputException(path, $"looks gzip-compressed but is not valid gzip data ({e.Message})", e);
        }
        head = head[..read];
        string? what = head switch
        {
            [(byte)'B', (byte)'Z', (byte)'h', ..] => "is bzip2-compressed; decompress it first (bunzip2 -k)",
            [0xfd, (byte)'7', (byte)'z', (byte)'X', (byte)'Z', 0x00, ..] => "is xz-compressed; decompress it first (unxz -k)",
            _ when head.StartsWith("mmap lm "u8) => "is a KenLM binary model; give the ARPA text file it was built from",
            _ => null,
        };
        if (what is not null) throw new InputException(path, what);
    }

    private sealed class Parser(string path, TextLines lines, ArpaReadOptions options)
    {
        private readonly bool _lenient = options.Lenient;
        private readonly List<string> _words = [];
        private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal);
        private NGramTrieBuilder _builder = null!;
        private string? _pushedBack;
        private int _carriageReturns, _clamped, _firstClampLine, _ignoredBackoffs;

        public NGramModel Parse()
        {
            long[] counts = ReadHeader();
            _builder = new NGramTrieBuilder(counts.Length);
            for (int n = 1; n <= counts.Length; n++) ReadSection(n, counts[n - 1], counts.Length);
            ReadEnd(counts.Length);
            Summarize();
            var trie = _builder.Build();
            CheckNormalization(trie);
            return new NGramModel(new Vocabulary(_words), trie);
        }

        // A model whose probabilities after some context sum past 1 is an error (strict) or a
        // warning (lenient): its scores and perplexities would be wrong.
        private void CheckNormalization(NGramTrie trie)
        {
            if (NGramNormalization.FirstOverweight(trie, _ids.GetValueOrDefault(NGramModel.BeginSentence, -1)) is not var (k, entry, mass)) return;
            string where = "the unigrams";
            if (k > 0)
            {
                var words = new int[k];
                trie.Words(k, entry, words);
                where = $"the context \"{string.Join(' ', words.Select(w => _words[w]))}\" (back-off weight {trie.Levels[k].Log10Backoff[entry]:G7})";
            }
            string message = $"the probabilities after {where} sum to {mass:G4}, more than 1: the back-off weights or probabilities are wrong";
            if (!_lenient) throw Error(0, message + " (read with lenient parsing to accept it with a warning)");
            Warn(0, message);
        }

        private long[] ReadHeader()
        {
            string? line = NextNonBlank() ?? throw Error(0, "is empty: an ARPA file starts with \\data\\");
            if (!IsHeader(line, "\\data\\"))
            {
                if (!_lenient) throw Error(lines.Number, $"expected \\data\\ but found \"{Snip(line)}\": an ARPA file starts with \\data\\ (read it leniently to skip text before \\data\\)");
                int first = lines.Number;
                do line = Next(); while (line is not null && !IsHeader(line, "\\data\\"));
                if (line is null) throw Error(lines.Number, "has no \\data\\ line: this is not an ARPA file");
                Warn(first, $"skipped {lines.Number - first} line(s) of text before \\data\\");
            }

            var counts = new List<long>();
            while ((line = Next()) is not null)
            {
                if (IsBlank(line))
                {
                    if (counts.Count > 0) break;
                    continue;
                }
                if (line.StartsWith('\\'))
                {
                    _pushedBack = line;
                    break;
                }
                counts.Add(ParseCount(line, counts.Count + 1));
            }
            if (counts.Count == 0) throw Error(lines.Number, "no \"ngram 1=count\" line follows \\data\\: the header must give the number of n-grams of each order");
            if (counts.Count > NGramModel.MaxOrder) throw Error(lines.Number, $"declares {counts.Count} orders; Recur reads models up to order {NGramModel.MaxOrder}");
            return [.. counts];
        }

        /// <summary>"ngram k=count"; extra spaces around the number and '=' are accepted in both modes (IRSTLM writes "ngram  1=   5021").</summary>
        private long ParseCount(string line, int expected)
        {
            ReadOnlySpan<char> text = line.AsSpan().Trim();
            int eq = text.IndexOf('=');
            bool ok = text.StartsWith("ngram") && eq > 5 && char.IsWhiteSpace(text[5])
                && int.TryParse(text[5..eq].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int order) && order == expected
                && long.TryParse(text[(eq + 1)..].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out long count) && count <= int.MaxValue;
            if (!ok) throw Error(lines.Number, $"expected \"ngram {expected}=<count>\" but found \"{Snip(line)}\": the header lists the n-gram counts of orders 1, 2, … in turn");
            return long.Parse(text[(eq + 1)..].Trim(), NumberStyles.None, CultureInfo.InvariantCulture);
        }

        private void ReadSection(int n, long declared, int order)
        {
            string header = $"\\{n}-grams:";
            string? line = NextNonBlank();
            if (line is null || !IsHeader(line, header))
            {
                string found = line is null ? "the end of the file" : $"\"{Snip(line)}\"";
                throw Error(lines.Number, $"expected the section header {header} but found {found}; the header announced {order} order(s), each needs its section");
            }
            int headerLine = lines.Number;
            long count = 0;
            Span<int> ids = stackalloc int[n];
            while ((line = Next()) is not null && !IsBlank(line))
            {
                if (line.StartsWith('\\'))
                {
                    _pushedBack = line;
                    break;
                }
                if (++count > declared && !_lenient)
                    throw Error(lines.Number, $"the {header} section has more than the {declared} n-grams that \"ngram {n}={declared}\" announced; fix the count in the header (or read leniently)");
                ReadEntry(line, n, order, ids);
            }
            if (count != declared)
            {
                string message = $"the {header} section (line {headerLine}) has {count} n-grams but the header announced ngram {n}={declared}";
                if (!_lenient) throw Error(lines.Number, message + "; fix the count in the header (or read leniently, as SRILM does)");
                Warn(headerLine, message);
            }
            if (n == 1)
            {
                foreach (string special in (ReadOnlySpan<string>)[NGramModel.BeginSentence, NGramModel.EndSentence])
                    if (!_ids.ContainsKey(special)) throw Error(headerLine, $"the 1-grams do not include {special}; a sentence model needs <s> and </s> (add them, e.g. \"-99\t<s>\")");
            }
        }

        private void ReadEntry(string line, int n, int order, Span<int> ids)
        {
            string[] fields = SplitFields(line, n);
            double prob = ParseProbability(fields[0]);
            double backoff = 0.0;
            if (fields.Length == 3)
            {
                backoff = ParseBackoff(fields[2]);
                if (n == order && backoff != 0.0)
                {
                    if (!_lenient) throw Error(lines.Number, $"has a back-off weight on a {n}-gram, but the highest order has none; remove it (or read leniently to ignore it)");
                    _ignoredBackoffs++;
                    backoff = 0.0;
                }
            }
            string[] words = fields[1].Split(' ');
            if (n == 1)
            {
                if (!_ids.TryAdd(words[0], _words.Count)) throw Error(lines.Number, $"lists the 1-gram \"{words[0]}\" a second time; each n-gram may appear once");
                _words.Add(words[0]);
                _builder.AddUnigram(prob, backoff);
                return;
            }
            for (int i = 0; i < n; i++)
            {
                if (!_ids.TryGetValue(words[i], out ids[i])) throw Error(lines.Number, $"uses the word \"{words[i]}\", which is not among the 1-grams; every word of an n-gram needs a 1-gram entry");
            }
            if (!_builder.Add(ids, prob, backoff)) throw Error(lines.Number, $"lists the {n}-gram \"{fields[1]}\" a second time; each n-gram may appear once");
        }

        /// <summary>[prob, words joined by single spaces, optional backoff].</summary>
        private string[] SplitFields(string line, int n)
        {
            if (_lenient)
            {
                string[] parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length != n + 1 && parts.Length != n + 2)
                    throw Error(lines.Number, $"has {parts.Length} fields; a {n}-gram line has a log10 probability, {n} word(s) and an optional back-off weight");
                string words = string.Join(' ', parts, 1, n);
                return parts.Length == n + 2 ? [parts[0], words, parts[^1]] : [parts[0], words];
            }
            string[] fields = line.Split('\t');
            if (fields.Length < 2)
                throw Error(lines.Number, $"has no TAB after the probability in \"{Snip(line)}\": fields are log10-prob TAB words [TAB log10-backoff] (read leniently to accept spaces)");
            if (fields.Length > 3)
                throw Error(lines.Number, "has more than three TAB-separated fields: log10-prob TAB words [TAB log10-backoff]");
            string[] words2 = fields[1].Split(' ');
            if (words2.Length != n || Array.IndexOf(words2, "") >= 0)
                throw Error(lines.Number, $"has \"{Snip(fields[1])}\" where {n} word(s) separated by single spaces belong in a {n}-gram section");
            return fields;
        }

        private double ParseProbability(string text)
        {
            double value = ParseNumber(text, "log10 probability");
            if (double.IsNaN(value) || double.IsPositiveInfinity(value)) throw Error(lines.Number, $"has the log10 probability {text}; it must be a number ≤ 0");
            if (value > 0)
            {
                if (!_lenient) throw Error(lines.Number, $"has the positive log10 probability {text} (probability > 1, a known IRSTLM bug); fix the model (or read leniently to clamp it to 0, as KenLM can)");
                if (_clamped++ == 0) _firstClampLine = lines.Number;
                return 0.0;
            }
            return value <= -99 ? double.NegativeInfinity : value;
        }

        private double ParseBackoff(string text)
        {
            double value = ParseNumber(text, "log10 back-off weight");
            if (!double.IsFinite(value)) throw Error(lines.Number, $"has the back-off weight {text}; back-off weights must be finite numbers (log10)");
            return value <= -99 ? double.NegativeInfinity : value;
        }

        private double ParseNumber(string text, string what)
        {
            string t = text.Trim();
            if (t.Equals("-inf", StringComparison.OrdinalIgnoreCase) || t.Equals("-infinity", StringComparison.OrdinalIgnoreCase)) return double.NegativeInfinity;
            if (t.Equals("inf", StringComparison.OrdinalIgnoreCase) || t.Equals("+inf", StringComparison.OrdinalIgnoreCase)) return double.PositiveInfinity;
            if (!double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double value))
                throw Error(lines.Number, $"has \"{Snip(text)}\" where a {what} (a decimal number) belongs");
            return value;
        }

        private void ReadEnd(int order)
        {
            string? line = NextNonBlank();
            if (line is null)
            {
                if (!_lenient) throw Error(lines.Number, "ends without \\end\\: the file may be truncated (read leniently to accept it)");
                Warn(lines.Number, "the file ends without \\end\\");
                return;
            }
            if (!IsHeader(line, "\\end\\"))
            {
                if (!_lenient) throw Error(lines.Number, $"expected \\end\\ after the {order}-grams but found \"{Snip(line)}\"");
                Warn(lines.Number, $"ignored everything from \"{Snip(line)}\" on: expected \\end\\");
                return;
            }
            while ((line = Next()) is not null)
            {
                if (IsBlank(line)) continue;
                if (!_lenient) throw Error(lines.Number, "has text after \\end\\; an ARPA file ends at \\end\\ (read leniently to ignore the rest)");
                Warn(lines.Number, "ignored the text after \\end\\");
                return;
            }
        }

        private void Summarize()
        {
            if (_carriageReturns > 0) Warn(0, $"{_carriageReturns} line(s) end in \\r\\n");
            if (_clamped > 0) Warn(_firstClampLine, $"clamped {_clamped} positive log10 probabilities to 0");
            if (_ignoredBackoffs > 0) Warn(0, $"ignored {_ignoredBackoffs} back-off weight(s) on the highest order");
        }

        private string? Next()
        {
            if (_pushedBack is not null)
            {
                string line = _pushedBack;
                _pushedBack = null;
                return line;
            }
            string? next = lines.Next();
            if (next is not null && lines.EndedInCarriageReturn)
            {
                if (!_lenient) throw Error(lines.Number, "ends in \\r\\n (Windows line ends); convert the file with dos2unix (or read leniently)");
                _carriageReturns++;
            }
            return next;
        }

        private string? NextNonBlank()
        {
            string? line;
            do line = Next(); while (line is not null && IsBlank(line));
            return line;
        }

        private bool IsHeader(string line, string header) => _lenient ? line.Trim() == header : line == header;

        private static bool IsBlank(string line) => string.IsNullOrWhiteSpace(line);

        private static string Snip(string text) => text.Length <= 60 ? text : text[..57] + "...";

        private InputException Error(int line, string message) => new(line > 0 ? $"{path}: line {line}" : path, message);

        private void Warn(int line, string message) => options.Warning?.Invoke(line > 0 ? $"{path}: line {line}: {message}" : $"{path}: {message}");
    }
}
