using System.Runtime.InteropServices;
using System.Text;
using Google.Protobuf;

namespace Recur.Formats;

/// <summary>
/// Builds an ONNX model (the ModelProto of onnx/onnx.proto, IR version 8, operator set 17) and
/// writes it as protobuf through Google.Protobuf's wire-format writer. Only what Recur's export
/// needs: float and int64 initializers, nodes with int, float and int-list attributes, typed
/// graph inputs and outputs with named (symbolic) dimensions, and string metadata. Field
/// numbers are those of the ONNX specification (ModelProto.graph = 7, GraphProto.node = 1, …).
/// </summary>
public sealed class OnnxGraph
{
    /// <summary>The operator set the graph is written for: 17, the first with LayerNormalization.</summary>
    public const int OperatorSet = 17;

    /// <summary>The IR version that goes with <see cref="OperatorSet"/>.</summary>
    public const int IrVersion = 8;

    /// <summary>TensorProto.DataType values.</summary>
    public const int Float = 1, Int64 = 7;

    private readonly List<byte[]> _nodes = [], _initializers = [], _inputs = [], _outputs = [];
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private int _counter;

    /// <summary>The graph's name.</summary>
    public string Name { get; init; } = "graph";

    /// <summary>Whether a constant or input of this name exists.</summary>
    public bool Has(string name) => _names.Contains(name);

    /// <summary>A fresh value name with <paramref name="hint"/> in it.</summary>
    public string Fresh(string hint) => $"{hint}_{_counter++}";

    /// <summary>Adds a float constant; returns its name.</summary>
    public string Constant(string name, ReadOnlySpan<float> values, params long[] dims) =>
        Tensor(name, Float, MemoryMarshal.AsBytes(values), dims);

    /// <summary>Adds an int64 constant; returns its name.</summary>
    public string Constant(string name, ReadOnlySpan<long> values, params long[] dims) =>
        Tensor(name, Int64, MemoryMarshal.AsBytes(values), dims);

    // A TensorProto initializer: dims (1), data_type (2), name (8), raw little-endian data (9).
    private string Tensor(string name, int type, ReadOnlySpan<byte> raw, long[] dims)
    {
        Claim(name);
        var tensor = new ProtoWriter();
        foreach (long d in dims) tensor.Int(1, d);
        tensor.Int(2, type);
        tensor.String(8, name);
        tensor.Bytes(9, raw);
        _initializers.Add(tensor.ToArray());
        return name;
    }

    /// <summary>Adds a node of <paramref name="op"/> with one output; returns the output's name.</summary>
    public string Node(string op, IReadOnlyList<string> inputs, params OnnxAttribute[] attributes) =>
        Node(op, inputs, 1, attributes)[0];

    /// <summary>Adds a node with <paramref name="outputs"/> outputs; returns their names.</summary>
    public string[] Node(string op, IReadOnlyList<string> inputs, int outputs, params OnnxAttribute[] attributes)
    {
        var names = new string[outputs];
        for (int i = 0; i < outputs; i++) names[i] = Fresh(op.ToLowerInvariant());
        NodeTo(op, inputs, names, attributes);
        return names;
    }

    /// <summary>Adds a node whose outputs have the given names (graph outputs, say).</summary>
    public void NodeTo(string op, IReadOnlyList<string> inputs, IReadOnlyList<string> outputs, params OnnxAttribute[] attributes)
    {
        var node = new ProtoWriter();
        foreach (string input in inputs) node.String(1, input);
        foreach (string output in outputs) node.String(2, output);
        node.String(3, Fresh(op));
        node.String(4, op);
        foreach (var a in attributes) node.Message(5, a.ToProto());
        _nodes.Add(node.ToArray());
    }

    /// <summary>Declares a graph input of element type <paramref name="type"/>; a dimension is a number or a symbolic name.</summary>
    public void Input(string name, int type, params object[] dims)
    {
        Claim(name);
        _inputs.Add(ValueInfo(name, type, dims));
    }

    /// <summary>Declares a graph output.</summary>
    public void Output(string name, int type, params object[] dims) => _outputs.Add(ValueInfo(name, type, dims));

    /// <summary>Writes the model with <paramref name="metadata"/> (ModelProto.metadata_props) to <paramref name="path"/>, atomically.</summary>
    public void Save(string path, IEnumerable<KeyValuePair<string, string>> metadata, string producerVersion)
    {
        // GraphProto's fields, each part written once, straight into the file: the weights are
        // not copied into a graph message and that into a model message first.
        var graph = new List<(int Field, byte[] Bytes)>();
        graph.AddRange(_nodes.Select(n => (1, n)));
        graph.Add((2, Encoding.UTF8.GetBytes(Name)));
        graph.AddRange(_initializers.Select(t => (5, t)));
        graph.AddRange(_inputs.Select(i => (11, i)));
        graph.AddRange(_outputs.Select(o => (12, o)));
        long length = graph.Sum(f => CodedOutputStream.ComputeTagSize(f.Field) + CodedOutputStream.ComputeLengthSize(f.Bytes.Length) + (long)f.Bytes.Length);
        // A protobuf message is limited to 2 GiB; larger weights would need ONNX external data.
        if (length > int.MaxValue - (64L << 20))
            throw new InputException(path, $"the graph takes {length:N0} bytes, more than one ONNX protobuf file holds (2 GiB)");
        var opset = new ProtoWriter().String(1, "").Int(2, OperatorSet);
        var tail = new ProtoWriter().Message(8, opset.ToArray());
        foreach (var (key, value) in metadata) tail.Message(14, new ProtoWriter().String(1, key).String(2, value).ToArray());
        AtomicFile.Write(path, stream =>
        {
            stream.Write(new ProtoWriter().Int(1, IrVersion).String(2, "recur").String(3, producerVersion).ToArray());
            var output = new CodedOutputStream(stream, leaveOpen: true);
            output.WriteTag(7, WireFormat.WireType.LengthDelimited);
            output.WriteLength((int)length);
            foreach (var (field, bytes) in graph)
            {
                output.WriteTag(field, WireFormat.WireType.LengthDelimited);
                output.WriteLength(bytes.Length);
                output.Flush();
                stream.Write(bytes);
            }
            output.Flush();
            stream.Write(tail.ToArray());
        });
    }

    private void Claim(string name)
    {
        if (!_names.Add(name)) throw new ArgumentException($"The value name '{name}' is used twice.", nameof(name));
    }

    private static byte[] ValueInfo(string name, int type, object[] dims)
    {
        var shape = new ProtoWriter();
        foreach (object d in dims)
        {
            var dim = new ProtoWriter();
            if (d is string symbol) dim.String(2, symbol);
            else dim.Int(1, Convert.ToInt64(d, System.Globalization.CultureInfo.InvariantCulture));
            shape.Message(1, dim.ToArray());
        }
        var tensor = new ProtoWriter().Int(1, type).Message(2, shape.ToArray());
        var typeProto = new ProtoWriter().Message(1, tensor.ToArray());
        return new ProtoWriter().String(1, name).Message(2, typeProto.ToArray()).ToArray();
    }
}

/// <summary>A node attribute (AttributeProto): an int, a float or a list of ints.</summary>
public sealed record OnnxAttribute(string Name, long? Int = null, float? Float = null, long[]? Ints = null)
{
    internal byte[] ToProto()
    {
        var a = new ProtoWriter().String(1, Name);
        if (Int is { } i) a.Int(3, i).Int(20, 2);
        else if (Float is { } f) a.Fixed32(2, f).Int(20, 1);
        else if (Ints is { } list)
        {
            foreach (long v in list) a.Int(8, v);
            a.Int(20, 7);
        }
        return a.ToArray();
    }
}

/// <summary>Protobuf fields written in order into one message's bytes (nested messages are embedded as length-delimited bytes).</summary>
internal sealed class ProtoWriter
{
    private readonly MemoryStream _buffer = new();
    private readonly CodedOutputStream _out;

    public ProtoWriter() => _out = new CodedOutputStream(_buffer, leaveOpen: true);

    public ProtoWriter Int(int field, long value)
    {
        _out.WriteTag(field, WireFormat.WireType.Varint);
        _out.WriteInt64(value);
        return this;
    }

    public ProtoWriter Fixed32(int field, float value)
    {
        _out.WriteTag(field, WireFormat.WireType.Fixed32);
        _out.WriteFloat(value);
        return this;
    }

    public ProtoWriter String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    public ProtoWriter Bytes(int field, ReadOnlySpan<byte> value)
    {
        _out.WriteTag(field, WireFormat.WireType.LengthDelimited);
        _out.WriteLength(value.Length);
        _out.Flush();
        _buffer.Write(value);   // straight into the buffer: no ByteString copy
        return this;
    }

    public ProtoWriter Message(int field, byte[] message) => Bytes(field, message);

    public byte[] ToArray()
    {
        _out.Flush();
        return _buffer.ToArray();
    }
}
