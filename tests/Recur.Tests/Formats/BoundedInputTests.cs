using System.Buffers.Binary;
using System.Text;
using Recur.Formats;
using Recur.LanguageModels.Files;
using Recur.Tests.Support;
using Recur.Text;

namespace Recur.Tests.Formats;

/// <summary>Damaged and endless inputs end in an <see cref="InputException"/> naming the file, before memory runs out.</summary>
public sealed class BoundedInputTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static bool HasDevZero => File.Exists("/dev/zero");

    [Fact]
    public void EndlessNulInput_IsRefusedInTheFirstChunk_ByEveryTextReader()
    {
        if (!HasDevZero) return;
        long before = GC.GetTotalAllocatedBytes(precise: true);
        Assert.Contains("NUL byte at offset 0", Assert.Throws<InputException>(() => TextFile.Read("/dev/zero")).Message);
        using (var lines = new TextLines("/dev/zero"))
            Assert.Contains("NUL", Assert.Throws<InputException>(() => lines.Next()).Message);
        Assert.Contains("binary", Assert.Throws<InputException>(() => LanguageModelFiles.Load("/dev/zero")).Message);
        Assert.Contains("shorter", Assert.Throws<InputException>(() => Safetensors.Load("/dev/zero")).Message);
        Assert.InRange(GC.GetTotalAllocatedBytes(precise: true) - before, 0, 16L << 20);
    }

    [Fact]
    public void ALineWithoutEnd_IsRefusedAtTheLineLimit_NotReadWhole()
    {
        string path = _dir.File("long.txt", new string('a', TextLines.MaxLineBytes + 10));
        using var lines = new TextLines(path);
        var e = Assert.Throws<InputException>(() => lines.Next());
        Assert.Equal($"{path}: line 1", e.Subject);
        Assert.Contains("longer than", e.Message);
    }

    [Fact]
    public void ReadAllBytes_StopsAtTheLimit_AndNamesIt()
    {
        string path = _dir.File("big.txt", new string('x', 5000));
        var e = Assert.Throws<InputException>(() => InputFile.ReadAllBytes(path, 4096));
        Assert.Equal(path, e.Subject);
        Assert.Contains("larger than 4,096 bytes", e.Message);
        Assert.Equal(5000, InputFile.ReadAllBytes(path, 5000).Length);
    }

    [Theory]
    [InlineData(new byte[] { 0xff, 0xfe }, "not valid UTF-8")]
    [InlineData(new byte[] { 0xc3 }, "not valid UTF-8")]
    public void JsonModel_WithInvalidUtf8InAString_NamesTheByte(byte[] bad, string expected)
    {
        byte[] head = Encoding.UTF8.GetBytes("{\"type\":\"tree\",\"bos\":\"<s");
        byte[] tail = Encoding.UTF8.GetBytes(">\",\"children\":{}}");
        string path = _dir.File("bad.json", [.. head, .. bad, .. tail]);
        var e = Assert.Throws<InputException>(() => LanguageModelFiles.Load(path));
        Assert.Contains(expected, e.Message);
        Assert.Contains($"byte {head.Length}", e.Message);
    }

    [Theory]
    [InlineData("{\"type\":\"tree\",\"bos\":\"\\ud800\",\"children\":{}}", "$.bos")]
    [InlineData("{\"type\":\"tree\",\"bos\":\"<s>\",\"children\":{\"a\\udfff\":{\"logprob\":0}}}", "a key")]
    [InlineData("{\"type\":\"markov\",\"tokens\":[\"<bos>\",\"\\ud800x\"],\"bos\":\"<bos>\",\"logprobs\":[[null,0],[null,null]]}", "$.tokens[1]")]
    public void JsonModel_WithALoneSurrogateEscape_IsAnInputExceptionAtItsPath(string json, string at)
    {
        string path = _dir.File("lone.json", json);
        var e = Assert.Throws<InputException>(() => LanguageModelFiles.Load(path));
        Assert.StartsWith(at, e.Message);
        Assert.Equal(path, e.Subject);
        Assert.Contains("surrogate", e.Message);
    }

    [Fact]
    public void Safetensors_TrailingBytes_AGap_AndAnOverflowingShape_AreRefused()
    {
        byte[] good = File.ReadAllBytes(Save());
        Assert.Contains("after its last tensor", Parse([.. good, 0, 0, 0, 0]).Message);
        Assert.Contains("gap", Parse(Raw("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8)).Message);
        var e = Parse(Raw("{\"x\":{\"dtype\":\"F32\",\"shape\":[2147483647,2147483647,2147483647],\"data_offsets\":[0,4]}}", 4));
        Assert.Contains("more elements", e.Message);
        Assert.Contains("duplicate", Parse(Raw("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4)).Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Safetensors_WrongDtypeOrMissingTensor_NamesTheFile()
    {
        string path = Save();
        var st = Safetensors.Load(path);
        var e = Assert.Throws<InputException>(() => st.GetInt32("x"));
        Assert.Equal($"{path}: x", e.Subject);
        Assert.Contains("stored as F32 where I32 was expected", e.Message);
        Assert.Equal($"{path}: y", Assert.Throws<InputException>(() => st.GetFloat32("y")).Subject);
    }

    private string Save()
    {
        var st = new Safetensors();
        st.Add("x", new float[] { 1, 2 }, 2);
        string path = Path.Combine(_dir.Path, "t.safetensors");
        st.Save(path);
        return path;
    }

    private static InputException Parse(byte[] bytes) => Assert.Throws<InputException>(() => Safetensors.Parse(bytes, "t.safetensors"));

    private static byte[] Raw(string header, int dataBytes)
    {
        byte[] json = Encoding.UTF8.GetBytes(header);
        var bytes = new byte[8 + json.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)json.Length);
        json.CopyTo(bytes, 8);
        return bytes;
    }
}
