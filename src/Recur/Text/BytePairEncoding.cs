using System.Text;
using System.Text.RegularExpressions;

namespace Recur.Text;

/// <summary>
/// Byte-level byte-pair encoding (Sennrich et al. 2016; byte-level as GPT-2, Radford et al.
/// 2019): text is UTF-8 bytes, each byte a base symbol, and learned merges join adjacent
/// symbols into longer ones. Any text encodes, characters never seen in training included
/// (they fall back to their bytes), and decoding gives the bytes back exactly. A line is first
/// split into pieces by GPT-2's pattern (a word with its leading space, a number, a run of
/// punctuation, a run of spaces), and merges never cross pieces. Symbols are written with
/// GPT-2's byte-to-character table, so every token is a printable string in a vocabulary file.
/// </summary>
internal sealed partial class BytePairEncoding
{
    private static readonly char[] ByteToChar = BuildByteTable();
    private static readonly Dictionary<char, byte> CharToByte = Enumerable.Range(0, 256).ToDictionary(b => ByteToChar[b], b => (byte)b);
    private readonly Dictionary<(string, string), int> _ranks;
    private readonly Dictionary<string, string[]> _cache = new(StringComparer.Ordinal);

    /// <summary>An encoder applying <paramref name="merges"/> in order (the order they were learned).</summary>
    public BytePairEncoding(IReadOnlyList<(string Left, string Right)> merges)
    {
        Merges = merges;
        _ranks = new Dictionary<(string, string), int>(merges.Count);
        for (int i = 0; i < merges.Count; i++)
        {
            var (left, right) = merges[i];
            if (!IsSymbols(left) || !IsSymbols(right)) throw new ArgumentException($"Merge {i} ('{left}', '{right}') holds a character outside the byte alphabet.", nameof(merges));
            _ranks.TryAdd(merges[i], i);
        }
    }

    /// <summary>The merges, in the order they were learned (earlier ones apply first).</summary>
    public IReadOnlyList<(string Left, string Right)> Merges { get; }

    /// <summary>The 256 single-byte symbols, in byte order.</summary>
    public static IEnumerable<string> ByteSymbols => ByteToChar.Select(c => c.ToString());

    /// <summary>The pieces a line splits into before merging (GPT-2's pattern), as byte symbols.</summary>
    public static List<string> Pieces(string line)
    {
        var pieces = new List<string>();
        foreach (ValueMatch m in Pattern().EnumerateMatches(line)) pieces.Add(Symbols(line.AsSpan(m.Index, m.Length)));
        return pieces;
    }

    /// <summary>The tokens of one line (no newline inside), as symbol strings.</summary>
    public IEnumerable<string> Encode(string line)
    {
        foreach (string piece in Pieces(line))
            foreach (string token in Merge(piece)) yield return token;
    }

    /// <summary>The UTF-8 bytes of <paramref name="text"/> written as byte symbols.</summary>
    public static string Symbols(ReadOnlySpan<char> text)
    {
        int count = Encoding.UTF8.GetByteCount(text);
        Span<byte> bytes = count <= 512 ? stackalloc byte[count] : new byte[count];
        Encoding.UTF8.GetBytes(text, bytes);
        var chars = new char[count];
        for (int i = 0; i < count; i++) chars[i] = ByteToChar[bytes[i]];
        return new string(chars);
    }

    /// <summary>Appends the bytes a symbol string stands for.</summary>
    public static void AppendBytes(string symbols, List<byte> destination)
    {
        foreach (char c in symbols) destination.Add(CharToByte[c]);
    }

    /// <summary>True when every character of <paramref name="s"/> is a byte symbol.</summary>
    public static bool IsSymbols(string s) => s.Length > 0 && s.All(CharToByte.ContainsKey);

    // The piece's symbols merged by rank: repeatedly join the adjacent pair learned earliest.
    private string[] Merge(string piece)
    {
        if (_cache.TryGetValue(piece, out var cached)) return cached;
        var parts = new List<string>(piece.Length);
        foreach (char c in piece) parts.Add(c.ToString());
        while (parts.Count > 1)
        {
            int best = -1, bestRank = int.MaxValue;
            for (int i = 0; i + 1 < parts.Count; i++)
                if (_ranks.TryGetValue((parts[i], parts[i + 1]), out int rank) && rank < bestRank) (best, bestRank) = (i, rank);
            if (best < 0) break;
            var (left, right) = Merges[bestRank];
            for (int i = 0; i + 1 < parts.Count; i++)
                if (parts[i] == left && parts[i + 1] == right)
                {
                    parts[i] = left + right;
                    parts.RemoveAt(i + 1);
                }
        }
        string[] result = [.. parts];
        if (_cache.Count < 1 << 20) _cache[piece] = result;
        return result;
    }

    // GPT-2's table: printable Latin-1 bytes stand for themselves, the others for 256 + n.
    private static char[] BuildByteTable()
    {
        var table = new char[256];
        int next = 256;
        for (int b = 0; b < 256; b++)
        {
            bool printable = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            table[b] = printable ? (char)b : (char)next++;
        }
        return table;
    }

    [GeneratedRegex(@"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+")]
    private static partial Regex Pattern();
}
