using System.Text;
using Recur.Formats;

namespace Recur.Tests.Formats;

public class SafetensorsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("recur-st-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void SaveThenLoad_RoundTripsEveryDtypeShapeAndMetadata()
    {
        var st = new Safetensors();
        st.Add("w", new float[] { 1, 2, 3, 4, 5, 6 }, 2, 3);
        st.Add("d", new double[] { Math.PI }, 1);
        st.Add("i", new long[] { -1, 1L << 40 }, 2);
        st.Add("j", new int[] { 7 });
        st.Metadata["format"] = "pt";
        string path = Path.Combine(_dir, "a.safetensors");
        st.Save(path);

        var back = Safetensors.Load(path);
        Assert.Equal(["w", "d", "i", "j"], back.Names);
        Assert.Equal(new float[] { 1, 2, 3, 4, 5, 6 }, back.GetFloat32("w"));
        Assert.Equal([2, 3], back.ShapeOf("w"));
        Assert.Equal(Math.PI, back.GetFloat64("d")[0]);
        Assert.Equal(1L << 40, back.GetInt64("i")[1]);
        Assert.Equal(7, back.GetInt32("j")[0]);
        Assert.Empty(back.ShapeOf("j"));
        Assert.Equal("pt", back.Metadata["format"]);
        Assert.Empty(Directory.GetFiles(_dir, "*.tmp"));
    }

    [Fact]
    public void Load_HeaderLayout_MatchesTheSpec()
    {
        var st = new Safetensors();
        st.Add("x", new float[] { 1.5f }, 1);
        string path = Path.Combine(_dir, "b.safetensors");
        st.Save(path);
        byte[] bytes = File.ReadAllBytes(path);
        long n = BitConverter.ToInt64(bytes, 0);
        Assert.Equal(0, n % 8);
        string header = Encoding.UTF8.GetString(bytes, 8, (int)n).TrimEnd();
        Assert.Equal("{\"x\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", header);
        Assert.Equal(1.5f, BitConverter.ToSingle(bytes, 8 + (int)n));
    }

    [Theory]
    [InlineData(new byte[] { 1, 2, 3 }, "shorter than")]
    [InlineData(new byte[] { 255, 0, 0, 0, 0, 0, 0, 0, 1 }, "exceeds the file")]
    public void Load_Garbage_ThrowsInputExceptionNamingTheFile(byte[] bytes, string why)
    {
        string path = Path.Combine(_dir, "bad.safetensors");
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<InputException>(() => Safetensors.Load(path));
        Assert.Contains("bad.safetensors", e.Subject);
        Assert.Contains(why, e.Message);
    }

    [Fact]
    public void Load_OffsetsOutsideData_Throws()
    {
        string json = "{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
        var bytes = new List<byte>(BitConverter.GetBytes((long)json.Length));
        bytes.AddRange(Encoding.UTF8.GetBytes(json));
        bytes.AddRange(new byte[4]);
        var e = Assert.Throws<InputException>(() => Safetensors.Parse(bytes.ToArray(), "t"));
        Assert.Contains("outside", e.Message);
    }

    [Fact]
    public void Get_WrongDtypeOrName_Throws()
    {
        var st = new Safetensors();
        st.Add("x", new double[] { 1 }, 1);
        Assert.Throws<InputException>(() => st.GetFloat32("x"));
        Assert.Throws<InputException>(() => st.GetFloat64("y"));
        Assert.Throws<ArgumentException>(() => st.Add("z", new float[] { 1, 2 }, 3));
    }

    [Theory]
    [InlineData(WeightPrecision.F16, "F16")]
    [InlineData(WeightPrecision.BF16, "BF16")]
    public void SixteenBitWeights_RoundToNearestEven_AndWidenExactly(WeightPrecision precision, string dtype)
    {
        // 1 + 2^-8 lies halfway between two bfloat16 values (1 and 1 + 2^-7): it rounds to the even one, 1.
        float[] values = [0f, -1.5f, 1f + 1f / 256, 3.14159265f, 1e-3f, -65504f];
        var st = new Safetensors();
        st.Add("w", values, precision, 2, 3);
        string path = Path.Combine(_dir, dtype + ".safetensors");
        st.Save(path);
        var back = Safetensors.Load(path);
        Assert.Equal(dtype, back.DTypeOf("w"));
        Assert.Equal(6 * 2, new FileInfo(path).Length - 8 - BitConverter.ToInt64(File.ReadAllBytes(path), 0));   // two bytes a value
        float[] widened = back.GetFloat32Widened("w");
        for (int i = 0; i < values.Length; i++)
        {
            float expected = precision == WeightPrecision.F16 ? (float)(Half)values[i] : BFloat16(values[i]);
            Assert.Equal(expected, widened[i]);
        }
        if (precision == WeightPrecision.BF16) Assert.Equal(1f, widened[2]);
        Assert.Throws<InputException>(() => back.GetFloat32("w"));
    }

    // Round to nearest even by arithmetic on the value, not on its bits: the reference for the bit trick.
    private static float BFloat16(float x)
    {
        if (x == 0) return x;
        int exponent = (int)Math.Floor(Math.Log2(Math.Abs(x)));
        double ulp = Math.Pow(2, exponent - 7);
        return (float)(Math.Round(x / ulp, MidpointRounding.ToEven) * ulp);
    }
}
