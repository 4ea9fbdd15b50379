using System.Text;

namespace Recur.Text;

/// <summary>
/// Reads a training or evaluation text: UTF-8 (a byte-order mark is dropped), Windows line
/// ends normalized to "\n"; gzip-compressed files and "-" (standard input) as
/// <see cref="Formats.InputFile"/> opens them. An empty, binary or undecodable file is an
/// <see cref="InputException"/> that names the file and says what is wrong.
/// </summary>
public static class TextFile
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The text of <paramref name="path"/>.</summary>
    public static string Read(string path)
    {
        if (Directory.Exists(path)) throw new InputException(path, "is a folder; give a UTF-8 text file");
        // ReadAllBytes with text: true has refused a NUL in the chunk that held it.
        return Decode(Formats.InputFile.ReadAllBytes(path, text: true), Formats.InputFile.Name(path), nulChecked: true);
    }

    /// <summary>Validates and decodes UTF-8 bytes; <paramref name="source"/> names them in errors.</summary>
    public static string Decode(byte[] bytes, string source) => Decode(bytes, source, nulChecked: false);

    private static string Decode(byte[] bytes, string source, bool nulChecked)
    {
        int start = bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? 3 : 0;
        if (bytes.Length - start == 0) throw new InputException(source, "is empty; give a UTF-8 text file with some text in it");
        int nul = nulChecked ? -1 : Array.IndexOf(bytes, (byte)0, start);
        if (nul >= 0) throw new InputException(source, $"looks like a binary file (a NUL byte at offset {nul}); give a UTF-8 text file");
        string text;
        try
        {
            text = StrictUtf8.GetString(bytes, start, bytes.Length - start);
        }
        catch (DecoderFallbackException e)
        {
            string at = e.Index >= 0 ? $" at byte offset {start + e.Index}" : "";
            throw new InputException(source, $"is not valid UTF-8{at}; convert it to UTF-8 (e.g. iconv -f latin1 -t utf-8)");
        }
        text = text.Replace("\r\n", "\n", StringComparison.Ordinal);
        if (string.IsNullOrWhiteSpace(text)) throw new InputException(source, "holds only whitespace; give a text file with some text in it");
        return text;
    }
}
