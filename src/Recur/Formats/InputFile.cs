using System.IO.Compression;

namespace Recur.Formats;

/// <summary>
/// Opens the files Recur reads — corpora, ARPA models, taggers — the same way everywhere: a
/// gzip-compressed file (recognised by its first two bytes, 1f 8b, whatever its name) is
/// decompressed on the fly, and the path "-" reads the <see cref="StandardInput"/> stream the
/// application provides (the library itself knows no console). A folder or a missing file is an
/// <see cref="InputException"/> naming it.
/// </summary>
public static class InputFile
{
    /// <summary>The path that names standard input on a command line.</summary>
    public const string StandardInputPath = "-";

    private static readonly Lock Gate = new();
    private static bool _standardInputRead;

    /// <summary>
    /// Where "-" reads from (a command-line tool sets it to its standard input); null, the default,
    /// makes "-" an error. It can be read once: a second "-" in one run is an error too.
    /// </summary>
    public static Func<Stream>? StandardInput { get; set; }

    /// <summary>How <paramref name="path"/> is named in messages: "standard input" for "-".</summary>
    public static string Name(string path) => path == StandardInputPath ? "standard input" : path;

    /// <summary>Whether <paramref name="path"/> is a file that can be opened (or "-" with a standard input set).</summary>
    public static bool Exists(string path) => path == StandardInputPath ? StandardInput is not null : File.Exists(path);

    /// <summary>A stream of the file's content, decompressed when it is gzip-compressed.</summary>
    public static Stream OpenRead(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        Stream raw = path == StandardInputPath ? ReadStandardInput() : OpenFile(path);
        return IsGzip(raw) ? new GZipStream(raw, CompressionMode.Decompress) : raw;
    }

    /// <summary>
    /// The most bytes <see cref="ReadAllBytes"/> reads into memory by default, and the most of
    /// standard input kept: 1 GiB. A larger input (or an endless one such as /dev/zero, or a
    /// gzip bomb) is refused when the limit is crossed, before more is allocated.
    /// </summary>
    public const long DefaultMaxBytes = 1L << 30;

    /// <summary>
    /// The whole (decompressed) content of the file, read in chunks up to
    /// <paramref name="maxBytes"/>. With <paramref name="text"/>, a NUL byte is refused in the
    /// chunk where it appears (a binary file is named before it is read whole).
    /// </summary>
    public static byte[] ReadAllBytes(string path, long maxBytes = DefaultMaxBytes, bool text = false)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxBytes, Array.MaxLength);
        using var stream = OpenRead(path);
        // A plain file's length is known: the copy is sized once (and a file over the limit
        // refused before reading); a gzip stream, a device or a pipe grows it as it goes.
        long known = stream is FileStream file ? file.Length : 0;
        if (known > maxBytes) throw TooLarge(Name(path), maxBytes);
        var copy = new MemoryStream((int)known);
        try
        {
            CopyBounded(stream, copy, maxBytes, Name(path), text);
        }
        catch (InvalidDataException e)
        {
            throw new InputException(Name(path), $"is not a valid gzip file ({e.Message})", e);
        }
        return copy.Length == copy.GetBuffer().Length ? copy.GetBuffer() : copy.ToArray();
    }

    // Copies in 64 KiB chunks, refusing past maxBytes and, for text, at the first NUL byte.
    private static void CopyBounded(Stream from, MemoryStream to, long maxBytes, string name, bool text)
    {
        var chunk = new byte[1 << 16];
        int read;
        while ((read = from.Read(chunk, 0, chunk.Length)) > 0)
        {
            if (text && chunk.AsSpan(0, read).IndexOf((byte)0) is int nul and >= 0)
                throw new InputException(name, $"looks like a binary file (a NUL byte at offset {to.Length + nul}); give a UTF-8 text file");
            if (to.Length + read > maxBytes) throw TooLarge(name, maxBytes);
            to.Write(chunk, 0, read);
        }
    }

    private static InputException TooLarge(string name, long maxBytes) =>
        new(name, $"is larger than {maxBytes:N0} bytes, the most read into memory at once; split it, or check that it is the file you meant");

    private static FileStream OpenFile(string path)
    {
        if (Directory.Exists(path)) throw new InputException(path, "is a folder; give a file");
        if (!File.Exists(path)) throw new InputException(path, "file not found");
        return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
    }

    // Standard input is read into memory once, so that it can be sniffed and re-read like a file.
    private static MemoryStream ReadStandardInput()
    {
        var open = StandardInput ?? throw new InputException(StandardInputPath, "reading standard input is not available here; give a file");
        lock (Gate)
        {
            if (_standardInputRead) throw new InputException("standard input", "was already read for another file; give this one a file name");
            _standardInputRead = true;
        }
        var memory = new MemoryStream();
        using (var input = open()) CopyBounded(input, memory, DefaultMaxBytes, "standard input", text: false);
        memory.Position = 0;
        return memory;
    }

    private static bool IsGzip(Stream stream)
    {
        if (!stream.CanSeek) return false;
        Span<byte> head = stackalloc byte[2];
        int read = stream.ReadAtLeast(head, 2, throwOnEndOfStream: false);
        stream.Position = 0;
        return read == 2 && head[0] == 0x1f && head[1] == 0x8b;
    }

    /// <summary>Lets standard input be read again (each command-line run starts afresh; tests run many in one process).</summary>
    public static void ResetStandardInput()
    {
        lock (Gate) _standardInputRead = false;
    }
}
