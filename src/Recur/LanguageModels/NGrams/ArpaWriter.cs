using System.Globalization;
using System.Text;
using Recur.Formats;

namespace Recur.LanguageModels.NGrams;

// Glossary: N model order; n an order 1..N.

/// <summary>
/// Writes an <see cref="NGramModel"/> in the ARPA format (docs/formats.md, ARPA), readable by SRILM,
/// KenLM and IRSTLM: log₁₀ numbers with 7 significant digits as those tools write them (or the
/// shortest form that reads back to the same double, <see cref="ArpaWriteOptions.SignificantDigits"/>), −99 for log 0, a TAB after the probability and before the back-off
/// weight, a back-off weight on every n-gram below the highest order that is a context or has a
/// non-zero one, and &lt;s&gt; written as −99 (SRILM) or 0 (KenLM, <see cref="ArpaWriteOptions"/>).
/// N-grams appear in the order they were read or trained.
/// </summary>
public static class ArpaWriter
{
    /// <summary>Writes <paramref name="model"/> to <paramref name="path"/> atomically (UTF-8, \n line ends).</summary>
    public static void Write(NGramModel model, string path, ArpaWriteOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(path);
        AtomicFile.Write(path, stream =>
        {
            using var writer = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true) { NewLine = "\n" };
            Write(model, writer, options);
        });
    }

    /// <summary>Writes <paramref name="model"/> to <paramref name="writer"/>.</summary>
    public static void Write(NGramModel model, TextWriter writer, ArpaWriteOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(writer);
        options ??= new ArpaWriteOptions();
        NGramTrie trie = model.Trie;
        int order = trie.Order;

        writer.Write("\\data\\\n");
        for (int n = 1; n <= order; n++) writer.Write($"ngram {n}={trie.Levels[n].Listed}\n");

        Span<int> ids = stackalloc int[order];
        var line = new StringBuilder();
        for (int n = 1; n <= order; n++)
        {
            writer.Write($"\n\\{n}-grams:\n");
            NGramLevel level = trie.Levels[n];
            for (int e = 0; e < level.Count; e++)
            {
                if (level.Synthetic[e]) continue;
                double prob = n == 1 && e == model.BeginToken ? (options.KenLmBeginSentence ? 0.0 : double.NegativeInfinity) : level.Log10Prob[e];
                line.Clear().Append(Number(prob, options.SignificantDigits)).Append('\t');
                trie.Words(n, e, ids);
                for (int i = 0; i < n; i++)
                {
                    if (i > 0) line.Append(' ');
                    line.Append(model.Vocabulary[ids[i]]);
                }
                bool isContext = n < order && level.ChildStart[e + 1] > level.ChildStart[e];
                if (n < order && (isContext || level.Log10Backoff[e] != 0.0)) line.Append('\t').Append(Number(level.Log10Backoff[e], options.SignificantDigits));
                line.Append('\n');
                writer.Write(line);
            }
        }
        writer.Write("\n\\end\\\n");
    }

    /// <summary>
    /// <paramref name="log10"/> with <paramref name="digits"/> significant digits (17: the shortest
    /// decimal that reads back to the same double), exponents as C writes them (-1.5e-05); −99 for −∞ (log 0).
    /// </summary>
    internal static string Number(double log10, int digits)
    {
        if (double.IsNegativeInfinity(log10)) return "-99";
        string s = log10.ToString(digits >= ArpaWriteOptions.ExactDigits ? "R" : "G" + digits, CultureInfo.InvariantCulture);
        return s.Replace("E", "e", StringComparison.Ordinal);
    }
}
