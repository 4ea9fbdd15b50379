using Recur.Formats;
using ScottPlot;

namespace Recur.Plots;

/// <summary>
/// Writes a plot as a PNG the way every Recur output is written: atomically (a temporary file
/// renamed into place, so a kill never leaves half an image), replacing a symbolic link rather
/// than writing through it, and never over a file that is not a PNG — a mistyped --plot that
/// names a config or a corpus is refused instead of destroying it.
/// </summary>
public static class PngFile
{
    private static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    /// <summary>Renders <paramref name="plot"/> at <paramref name="width"/> × <paramref name="height"/> pixels into <paramref name="path"/>.</summary>
    public static void Save(Plot plot, string path, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(plot);
        CheckReplaceable(path);
        using var image = plot.GetImage(width, height);
        byte[] png = image.GetImageBytes(ImageFormat.Png);
        AtomicFile.Write(path, stream => stream.Write(png));
    }

    /// <summary>Throws an <see cref="InputException"/> when <paramref name="path"/> is a folder or an existing file that is not a PNG.</summary>
    private static void CheckReplaceable(string path)
    {
        if (Directory.Exists(path)) throw new InputException(path, "is a folder; give the name of the PNG to write");
        var info = new FileInfo(path);
        if (info.LinkTarget is not null || !info.Exists) return;
        Span<byte> head = stackalloc byte[8];
        int read;
        using (var stream = info.OpenRead()) read = stream.ReadAtLeast(head, 8, throwOnEndOfStream: false);
        if (read != 8 || !head.SequenceEqual(Signature))
            throw new InputException(path, "exists and is not a PNG image; refusing to overwrite it (give a new file name, or remove the file first)");
    }
}
