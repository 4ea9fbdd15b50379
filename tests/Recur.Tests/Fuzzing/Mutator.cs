using System.Text;

namespace Recur.Tests.Fuzzing;

/// <summary>
/// Seeded byte-level mutations, as AFL and libFuzzer apply them: bit flips, interesting bytes,
/// insertions, deletions, duplicated and spliced ranges, truncation, and numbers and tokens that
/// parsers get wrong (2^31 − 1, 2^63 − 1, 1e308, NaN, a NUL, a lone surrogate escape, a stray
/// quote). One to four are stacked on a copy of a seed; the same seed and iteration always give
/// the same input.
/// </summary>
internal static class Mutator
{
    private static readonly byte[] InterestingBytes = [0, 1, 0x7f, 0x80, 0xff, (byte)'\n', (byte)'\r', (byte)'\t', (byte)' ', (byte)'"', (byte)'\\', (byte)'{', (byte)'}', (byte)'[', (byte)']', (byte)',', (byte)':', (byte)'-', (byte)'/', (byte)'9', 0xc3, 0xed];

    private static readonly string[] InterestingNumbers =
        ["0", "-1", "1", "2147483647", "2147483648", "-2147483648", "4294967296", "9223372036854775807", "18446744073709551616", "1e308", "-1e308", "1e-320", "NaN", "Infinity", "-0", "0.5", "99999999999999999999"];

    private static readonly string[] InterestingTokens =
        ["\0", "\\ud800", "\\udfff", "\u00ff", "\r\n", "\n\n", "{", "}", "[", "]", "\"", "\\", "null", "true", ",", ":", "\t", "//", "\\data\\", "\\end\\", "ngram 1=", "/", "|||", "\uFEFF", "\u2028"];

    /// <summary>A mutated copy of <paramref name="seed"/>; <paramref name="others"/> feed splices.</summary>
    public static byte[] Mutate(byte[] seed, IReadOnlyList<byte[]> others, Random random)
    {
        var data = new List<byte>(seed);
        int count = 1 + random.Next(4);
        for (int i = 0; i < count; i++) Apply(data, others, random);
        return [.. data];
    }

    private static void Apply(List<byte> data, IReadOnlyList<byte[]> others, Random random)
    {
        int at = data.Count == 0 ? 0 : random.Next(data.Count);
        switch (random.Next(10))
        {
            case 0 when data.Count > 0:
                data[at] ^= (byte)(1 << random.Next(8));
                break;
            case 1 when data.Count > 0:
                data[at] = InterestingBytes[random.Next(InterestingBytes.Length)];
                break;
            case 2:
                var bytes = new byte[1 + random.Next(8)];
                random.NextBytes(bytes);
                data.InsertRange(at, bytes);
                break;
            case 3 when data.Count > 0:
                data.RemoveRange(at, Math.Min(data.Count - at, 1 + random.Next(Math.Max(1, data.Count / 8))));
                break;
            case 4 when data.Count > 0:
                int length = Math.Min(data.Count - at, 1 + random.Next(64));
                data.InsertRange(random.Next(data.Count), data.GetRange(at, length));
                break;
            case 5 when data.Count > 0:
                data.RemoveRange(at, data.Count - at);
                break;
            case 6:
                ReplaceNumber(data, random);
                break;
            case 7:
                data.InsertRange(at, Encoding.UTF8.GetBytes(InterestingTokens[random.Next(InterestingTokens.Length)]));
                break;
            case 8 when others.Count > 0:
                byte[] other = others[random.Next(others.Count)];
                if (other.Length == 0) break;
                int from = random.Next(other.Length);
                data.RemoveRange(at, data.Count - at);
                data.AddRange(other.AsSpan(from).ToArray());
                break;
            default:
                // A binary header's length field (safetensors' first 8 bytes), or any 8 bytes, made extreme.
                if (data.Count < 8) break;
                int start = random.Next(2) == 0 ? 0 : random.Next(data.Count - 7);
                ulong value = random.Next(4) switch { 0 => ulong.MaxValue, 1 => 1UL << random.Next(64), 2 => 0, _ => (ulong)random.NextInt64() };
                for (int b = 0; b < 8; b++) data[start + b] = (byte)(value >> (8 * b));
                break;
        }
    }

    // Replaces the digits (and sign, dot, exponent) around a random digit with an interesting number.
    private static void ReplaceNumber(List<byte> data, Random random)
    {
        var digits = new List<int>();
        for (int i = 0; i < data.Count; i++)
            if (data[i] is >= (byte)'0' and <= (byte)'9') digits.Add(i);
        if (digits.Count == 0) return;
        int at = digits[random.Next(digits.Count)], start = at, end = at;
        while (start > 0 && IsNumberByte(data[start - 1])) start--;
        while (end + 1 < data.Count && IsNumberByte(data[end + 1])) end++;
        data.RemoveRange(start, end - start + 1);
        data.InsertRange(start, Encoding.ASCII.GetBytes(InterestingNumbers[random.Next(InterestingNumbers.Length)]));
    }

    private static bool IsNumberByte(byte b) => b is >= (byte)'0' and <= (byte)'9' or (byte)'-' or (byte)'.' or (byte)'e' or (byte)'E' or (byte)'+';
}
