using System.Buffers.Binary;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Recur.Formats;

/// <summary>
/// The safetensors format (Hugging Face): an 8-byte little-endian header length, a JSON header
/// mapping each tensor name to {"dtype","shape","data_offsets":[begin,end]} (offsets into the
/// data section) plus an optional "__metadata__" map of strings, then the raw little-endian
/// data. Reading validates every offset and size and reports problems as
/// <see cref="InputException"/> naming the file. Supported dtypes: F16, BF16, F32, F64, I32, I64.
/// </summary>
public sealed class Safetensors
{
    private readonly Dictionary<string, (string DType, int[] Shape, byte[] Data)> _tensors = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _metadata = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];

    /// <summary>The file this was read from ("" for one built in memory); messages name it.</summary>
    public string Source { get; private init; } = "";

    private string Subject(string name) => Source.Length > 0 ? $"{Source}: {name}" : name;

    /// <summary>Free-form string metadata (the header's "__metadata__").</summary>
    public IDictionary<string, string> Metadata => _metadata;

    /// <summary>Tensor names in insertion (or file) order.</summary>
    public IReadOnlyList<string> Names => _order;

    /// <summary>True when a tensor of this name is present.</summary>
    public bool Contains(string name) => _tensors.ContainsKey(name);

    /// <summary>The shape of a tensor.</summary>
    public int[] ShapeOf(string name) => (int[])Entry(name).Shape.Clone();

    /// <summary>The dtype of a tensor ("F32", "F64", "I32" or "I64").</summary>
    public string DTypeOf(string name) => Entry(name).DType;

    public void Add(string name, ReadOnlySpan<float> data, params int[] shape) => Put(name, "F32", shape, MemoryMarshal.AsBytes(data), data.Length);
    public void Add(string name, ReadOnlySpan<double> data, params int[] shape) => Put(name, "F64", shape, MemoryMarshal.AsBytes(data), data.Length);
    public void Add(string name, ReadOnlySpan<int> data, params int[] shape) => Put(name, "I32", shape, MemoryMarshal.AsBytes(data), data.Length);
    public void Add(string name, ReadOnlySpan<long> data, params int[] shape) => Put(name, "I64", shape, MemoryMarshal.AsBytes(data), data.Length);

    /// <summary>
    /// Adds float32 values stored at <paramref name="precision"/>: F32 as they are, F16 or BF16
    /// rounded to nearest even (NaN stays NaN; F16 overflows to ±∞, which loading refuses).
    /// </summary>
    public void Add(string name, ReadOnlySpan<float> data, WeightPrecision precision, params int[] shape)
    {
        if (precision == WeightPrecision.F32)
        {
            Add(name, data, shape);
            return;
        }
        var bits = new ushort[data.Length];
        if (precision == WeightPrecision.F16) TensorPrimitives.ConvertToHalf(data, MemoryMarshal.Cast<ushort, Half>(bits.AsSpan()));
        else for (int i = 0; i < data.Length; i++) bits[i] = ToBFloat16(data[i]);
        Put(name, precision == WeightPrecision.F16 ? "F16" : "BF16", shape, MemoryMarshal.AsBytes(bits.AsSpan()), data.Length);
    }

    /// <summary>A floating-point tensor widened to float32: F32 as stored, F16 and BF16 exactly.</summary>
    public float[] GetFloat32Widened(string name)
    {
        var e = Entry(name);
        switch (e.DType)
        {
            case "F32":
                return GetFloat32(name);
            case "F16":
            {
                var halves = MemoryMarshal.Cast<byte, Half>(e.Data);
                var widened = new float[halves.Length];
                TensorPrimitives.ConvertToSingle(halves, widened);
                return widened;
            }
            case "BF16":
            {
                var bits = MemoryMarshal.Cast<byte, ushort>(e.Data);
                var widened = new float[bits.Length];
                for (int i = 0; i < bits.Length; i++) widened[i] = BitConverter.UInt32BitsToSingle((uint)bits[i] << 16);
                return widened;
            }
            default:
                throw new InputException(Subject(name), $"is stored as {e.DType} where F32, F16 or BF16 was expected");
        }
    }

    // bfloat16 is the top half of a float32; round the bottom half to nearest even.
    private static ushort ToBFloat16(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        if (float.IsNaN(value)) return (ushort)((bits >> 16) | 0x40);
        return (ushort)((bits + 0x7FFF + ((bits >> 16) & 1)) >> 16);
    }

    /// <summary>A float32 tensor (F64 data is not converted: ask for the type that was stored).</summary>
    public float[] GetFloat32(string name) => Get<float>(name, "F32");
    public double[] GetFloat64(string name) => Get<double>(name, "F64");
    public int[] GetInt32(string name) => Get<int>(name, "I32");
    public long[] GetInt64(string name) => Get<long>(name, "I64");

    private T[] Get<T>(string name, string dtype) where T : struct
    {
        var e = Entry(name);
        if (e.DType != dtype) throw new InputException(Subject(name), $"is stored as {e.DType} where {dtype} was expected");
        return MemoryMarshal.Cast<byte, T>(e.Data).ToArray();
    }

    private (string DType, int[] Shape, byte[] Data) Entry(string name) =>
        _tensors.TryGetValue(name, out var e) ? e : throw new InputException(Subject(name), "no tensor of this name in the file");

    private void Put(string name, string dtype, int[] shape, ReadOnlySpan<byte> bytes, int count)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name == "__metadata__") throw new ArgumentException("'__metadata__' is reserved.", nameof(name));
        long size = 1;
        foreach (int d in shape)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(d, nameof(shape));
            size *= d;
        }
        if (size != count) throw new ArgumentException($"{name}: {count} values do not fill shape [{string.Join(", ", shape)}].");
        if (!_tensors.ContainsKey(name)) _order.Add(name);
        _tensors[name] = (dtype, (int[])shape.Clone(), bytes.ToArray());
    }

    /// <summary>
    /// Writes the file atomically: to a temporary file in the same folder, flushed to disk,
    /// then renamed over <paramref name="path"/>, so a crash never leaves a torn file.
    /// </summary>
    public void Save(string path)
    {
        var header = new JsonObject();
        if (_metadata.Count > 0)
        {
            var meta = new JsonObject();
            foreach (var (k, v) in _metadata.OrderBy(kv => kv.Key, StringComparer.Ordinal)) meta[k] = v;
            header["__metadata__"] = meta;
        }
        long offset = 0;
        foreach (string name in _order)
        {
            var (dtype, shape, data) = _tensors[name];
            var shapeArray = new JsonArray();
            foreach (int d in shape) shapeArray.Add(d);
            header[name] = new JsonObject
            {
                ["dtype"] = dtype,
                ["shape"] = shapeArray,
                ["data_offsets"] = new JsonArray(offset, offset + data.Length),
            };
            offset += data.Length;
        }
        byte[] json = Encoding.UTF8.GetBytes(header.ToJsonString());
        int padded = (json.Length + 7) / 8 * 8; // align the data section to 8 bytes, padding with spaces
        AtomicFile.Write(path, stream =>
        {
            Span<byte> len = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)padded);
            stream.Write(len);
            stream.Write(json);
            for (int i = json.Length; i < padded; i++) stream.WriteByte((byte)' ');
            foreach (string name in _order) stream.Write(_tensors[name].Data);
        });
    }

    /// <summary>Reads and validates a safetensors file (at most <see cref="Array.MaxLength"/> bytes).</summary>
    public static Safetensors Load(string path)
    {
        if (Directory.Exists(path)) throw new InputException(path, "is a folder; give a safetensors file");
        if (!File.Exists(path)) throw new InputException(path, "file not found");
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        // The length the file system reports, read exactly: a device such as /dev/zero reports 0
        // and is refused as too short instead of being read forever.
        long length = stream.Length;
        if (length > Array.MaxLength) throw new InputException(path, $"is {length:N0} bytes; Recur reads safetensors files of at most {Array.MaxLength:N0} bytes");
        var bytes = new byte[length];
        stream.ReadExactly(bytes);
        return Parse(bytes, path);
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Parses safetensors bytes; <paramref name="source"/> names them in errors.</summary>
    public static Safetensors Parse(byte[] bytes, string source)
    {
        if (bytes.Length < 8) throw new InputException(source, "not a safetensors file (shorter than its 8-byte header length)");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        if (headerLength > (ulong)(bytes.Length - 8) || headerLength > 100_000_000)
            throw new InputException(source, $"not a safetensors file (header length {headerLength} exceeds the file)");
        int dataStart = 8 + (int)headerLength;
        JsonObject header;
        try
        {
            header = JsonNode.Parse(StrictUtf8.GetString(bytes, 8, (int)headerLength), documentOptions: ModelJson.NoDuplicateKeys) as JsonObject
                ?? throw new InputException(source, "safetensors header is not a JSON object");
        }
        catch (Exception e) when (e is JsonException or DecoderFallbackException or ArgumentException or InvalidOperationException)
        {
            throw new InputException(source, $"safetensors header is not valid UTF-8 JSON ({e.Message})");
        }
        var result = new Safetensors { Source = source };
        long dataLength = bytes.Length - dataStart;
        var entries = new List<(long Begin, long End, string Name)>();
        foreach (var (name, node) in header)
        {
            if (name == "__metadata__")
            {
                if (node is not JsonObject meta) throw new InputException(source, "__metadata__ is not an object");
                foreach (var (k, v) in meta)
                    result._metadata[k] = v is JsonValue jv && jv.TryGetValue(out string? s) ? s : throw new InputException(source, $"metadata '{k}' is not a string");
                continue;
            }
            try
            {
                string dtype = node!["dtype"]!.GetValue<string>();
                int[] shape = node["shape"]!.AsArray().Select(d => d!.GetValue<int>()).ToArray();
                var offsets = node["data_offsets"]!.AsArray();
                long begin = offsets[0]!.GetValue<long>(), end = offsets[1]!.GetValue<long>();
                int elementSize = dtype switch { "F16" or "BF16" => 2, "F32" or "I32" => 4, "F64" or "I64" => 8, _ => throw new InputException($"{source}: {name}", $"unsupported dtype {dtype} (Recur reads F16, BF16, F32, F64, I32, I64)") };
                long count = 1;
                foreach (int d in shape)
                {
                    if (d < 0) throw new InputException($"{source}: {name}", "negative dimension");
                    // A shape whose element count overflows cannot match any data: refuse it by name.
                    if (d > 0 && count > dataLength / d) throw new InputException($"{source}: {name}", $"shape [{string.Join(", ", shape)}] has more elements than the {dataLength}-byte data section holds");
                    count *= d;
                }
                if (begin < 0 || end < begin || end > dataLength)
                    throw new InputException($"{source}: {name}", $"data offsets [{begin}, {end}) lie outside the {dataLength}-byte data section");
                if (end - begin != count * elementSize)
                    throw new InputException($"{source}: {name}", $"holds {end - begin} bytes but shape [{string.Join(", ", shape)}] of {dtype} needs {count * elementSize}");
                result._tensors[name] = (dtype, shape, bytes.AsSpan(dataStart + (int)begin, (int)(end - begin)).ToArray());
                entries.Add((begin, end, name));
            }
            catch (Exception e) when (e is InvalidOperationException or NullReferenceException or FormatException or ArgumentException)
            {
                throw new InputException($"{source}: {name}", "malformed tensor entry (needs dtype, shape and data_offsets)");
            }
        }
        entries.Sort((x, y) => x.Begin.CompareTo(y.Begin));
        for (int i = 1; i < entries.Count; i++)
            if (entries[i].Begin < entries[i - 1].End)
                throw new InputException(source, $"tensors {entries[i - 1].Name} and {entries[i].Name} overlap");
        // As the reference implementation requires: the tensors fill the data section exactly, with
        // no gap and nothing after the last one (trailing bytes mean a damaged or foreign file).
        long covered = 0;
        foreach (var (begin, end, name) in entries)
        {
            if (begin != covered) throw new InputException($"{source}: {name}", $"starts at byte {begin} of the data section where the previous tensor ended at {covered}; the file has a gap");
            covered = end;
        }
        if (covered != dataLength)
            throw new InputException(source, $"has {dataLength - covered:N0} bytes after its last tensor; the file is damaged or not a safetensors file");
        result._order.AddRange(entries.Select(e => e.Name));
        return result;
    }
}
