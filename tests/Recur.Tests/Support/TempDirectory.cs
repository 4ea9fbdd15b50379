namespace Recur.Tests.Support;

/// <summary>A fresh folder under the system temp folder, deleted on Dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "recur-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    /// <summary>Writes <paramref name="text"/> (UTF-8, no BOM) to a file in the folder and returns its path.</summary>
    public string File(string name, string text)
    {
        string path = System.IO.Path.Combine(Path, name);
        System.IO.File.WriteAllText(path, text, new System.Text.UTF8Encoding(false));
        return path;
    }

    /// <summary>Writes raw bytes to a file in the folder and returns its path.</summary>
    public string File(string name, byte[] bytes)
    {
        string path = System.IO.Path.Combine(Path, name);
        System.IO.File.WriteAllBytes(path, bytes);
        return path;
    }

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { }
    }
}
