using System.Text;

namespace Recur.Formats;

/// <summary>
/// Reads a UTF-8 text file line by line, keeping what a format checker needs and
/// <see cref="StreamReader.ReadLine"/> hides: the 1-based line number, whether the line ended in
/// <c>\r\n</c>, NUL bytes (a binary file) and bytes that are not UTF-8, each reported as an
/// <see cref="InputException"/> naming the file and the exact line (lines are split as bytes
/// and decoded one by one, so the number is right even for a bad byte deep in a buffer).
/// Files open through <see cref="InputFile"/>: gzip is read transparently, "-" is standard input.
/// </summary>
internal sealed class TextLines : IDisposable
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private readonly Stream _stream;
    private readonly string _path;
    private readonly byte[] _buffer = new byte[1 << 16];
    private int _start, _end;
    private byte[] _line = new byte[256];

    public TextLines(string path)
    {
        _path = InputFile.Name(path);
        _stream = InputFile.OpenRead(path);
    }

    /// <summary>Number of the line last returned (1-based; 0 before the first).</summary>
    public int Number { get; private set; }

    /// <summary>True when the line last returned ended in \r\n (the \r is removed).</summary>
    public bool EndedInCarriageReturn { get; private set; }

    /// <summary>The next line without its line end, or null at the end of the file.</summary>
    public string? Next()
    {
        int length = 0;
        bool any = false;
        while (true)
        {
            if (_start == _end)
            {
                try
                {
                    _end = _stream.Read(_buffer, 0, _buffer.Length);
                }
                catch (InvalidDataException e)
                {
                    throw new InputException($"{_path}: after line {Number}", $"is not valid gzip data ({e.Message})", e);
                }
                _start = 0;
                if (_end == 0)
                {
                    if (!any) return null;
                    break;
                }
            }
            any = true;
            int newline = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
            int stop = newline >= 0 ? newline : _end;
            Append(ref length, _buffer.AsSpan(_start, stop - _start));
            _start = newline >= 0 ? newline + 1 : _end;
            if (newline >= 0) break;
        }
        Number++;
        ReadOnlySpan<byte> bytes = _line.AsSpan(0, length);
        EndedInCarriageReturn = bytes.Length > 0 && bytes[^1] == (byte)'\r';
        if (EndedInCarriageReturn) bytes = bytes[..^1];
        if (Number == 1 && bytes.StartsWith("\uFEFF"u8)) bytes = bytes[3..];
        if (bytes.Contains((byte)0)) throw new InputException($"{_path}: line {Number}", "contains a NUL byte: this looks like a binary file, not UTF-8 text");
        try
        {
            return Utf8.GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new InputException($"{_path}: line {Number}", "is not valid UTF-8 text; convert the file to UTF-8 (e.g. with iconv)", e);
        }
    }

    /// <summary>The longest line read (16 MiB): a longer one, or a file without line ends such as /dev/zero, is refused before more is allocated.</summary>
    public const int MaxLineBytes = 1 << 24;

    private void Append(ref int length, ReadOnlySpan<byte> bytes)
    {
        if (bytes.Contains((byte)0)) throw new InputException($"{_path}: line {Number + 1}", "contains a NUL byte: this looks like a binary file, not UTF-8 text");
        if (length + bytes.Length > MaxLineBytes)
            throw new InputException($"{_path}: line {Number + 1}", $"is longer than {MaxLineBytes:N0} bytes; this does not look like a line of text (is it the file you meant?)");
        if (length + bytes.Length > _line.Length) Array.Resize(ref _line, Math.Max(2 * _line.Length, length + bytes.Length));
        bytes.CopyTo(_line.AsSpan(length));
        length += bytes.Length;
    }

    public void Dispose() => _stream.Dispose();
}
