using System.Globalization;
using System.Text.Json;
using Recur.Formats;
using Recur.Kernels;
using Recur.Nn.Output;
using Recur.Nn.Recurrent;
using Recur.Tensors;

namespace Recur.LanguageModels.Rnn;

/// <summary>
/// Writes an <see cref="RnnLanguageModel"/> as an ONNX graph of one decoding step, the
/// incremental interface of <see cref="RnnLanguageModel.Step"/>: inputs <c>tokens</c> (int64,
/// batch) and <c>hidden</c> (float, layers × batch × H) — and <c>cell</c> for an LSTM —, outputs
/// <c>log_probs</c> (batch × V, natural logs) and <c>hidden_out</c> (and <c>cell_out</c>). Feed
/// the outputs back as the next inputs; a zero state is the model's start before its primer.
/// Every cell and form Recur trains is written with the operators of opset 17 (Gather, Gemm,
/// LayerNormalization, Split, Sigmoid, Tanh, Relu, LogSoftmax, Slice, Concat…), in the
/// equations of <see cref="RecurrentLayer"/>; the metadata carries the tokenizer and its
/// vocabulary (docs/formats.md, ONNX export).
/// </summary>
public static class RnnOnnxExport
{
    /// <summary>The metadata key whose value names this layout.</summary>
    public const string FormatKey = "recur.format";

    /// <summary>The layout written.</summary>
    public const string Format = "recur.onnx.step.v1";

    /// <summary>Writes <paramref name="model"/> to <paramref name="path"/>; <paramref name="producerVersion"/> goes in the file.</summary>
    public static void Write(RnnLanguageModel model, string path, string producerVersion)
    {
        ArgumentNullException.ThrowIfNull(model);
        var g = new OnnxGraph { Name = "recur_step" };
        var o = model.Options;
        int layers = o.Layers, h = o.Hidden, v = model.Vocabulary.Count;
        bool lstm = o.Cell == CellKind.Lstm;
        var tensors = model.NamedTensors().GroupBy(t => t.Name).ToDictionary(t => t.Key, t => t.First().Tensor, StringComparer.Ordinal);

        g.Input("tokens", OnnxGraph.Int64, "batch");
        g.Input("hidden", OnnxGraph.Float, layers, "batch", h);
        if (lstm) g.Input("cell", OnnxGraph.Float, layers, "batch", h);
        string embedding = Weight(g, tensors["embedding.weight"]);
        string x = g.Node("Gather", [embedding, "tokens"], FirstAxis);

        var hiddenOut = new List<string>();
        var cellOut = new List<string>();
        for (int l = 0; l < layers; l++)
        {
            string index = g.Constant($"layer_{l}", new long[] { l });
            string hPrev = g.Node("Gather", ["hidden", index], FirstAxis);
            var layer = model.Rnn.Layers[l];
            string rin = layer is ElmanLayer { Form: ElmanForm.PreActivation } elman ? Activate(g, elman.Activation, hPrev) : hPrev;
            string a = Project(g, x, layer.WeightIH, layer.BiasIH, layer.InputNormGain, layer.InputNormShift);
            string p = Project(g, rin, layer.WeightHH, layer.BiasHH, layer.RecurrentNormGain, layer.RecurrentNormShift);
            string hNext;
            switch (layer)
            {
                case ElmanLayer e:
                    string sum = g.Node("Add", [a, p]);
                    hNext = e.Form == ElmanForm.PreActivation ? sum : Activate(g, e.Activation, sum);
                    break;
                case LstmLayer lstmLayer:
                {
                    string cPrev = g.Node("Gather", ["cell", index], FirstAxis);
                    string[] gates = Split(g, g.Node("Add", [a, p]), 4, h);
                    string i = g.Node("Sigmoid", [gates[0]]), f = g.Node("Sigmoid", [gates[1]]);
                    string cand = g.Node("Tanh", [gates[2]]), outGate = g.Node("Sigmoid", [gates[3]]);
                    string c = g.Node("Add", [g.Node("Mul", [f, cPrev]), g.Node("Mul", [i, cand])]);
                    string shown = lstmLayer.CellNormGain is { } gain
                        ? g.Node("LayerNormalization", [c, Weight(g, gain), Weight(g, lstmLayer.CellNormShift!)], Epsilon, LastAxis)
                        : c;
                    hNext = g.Node("Mul", [outGate, g.Node("Tanh", [shown])]);
                    cellOut.Add(c);
                    break;
                }
                case GruLayer:
                {
                    // PyTorch's GRU: r and z from both parts, n = tanh(a_n + r ⊙ p_n), h' = n + z ⊙ (h − n).
                    string[] ai = Split(g, a, 3, h), ph = Split(g, p, 3, h);
                    string r = g.Node("Sigmoid", [g.Node("Add", [ai[0], ph[0]])]);
                    string z = g.Node("Sigmoid", [g.Node("Add", [ai[1], ph[1]])]);
                    string n = g.Node("Tanh", [g.Node("Add", [ai[2], g.Node("Mul", [r, ph[2]])])]);
                    hNext = g.Node("Add", [n, g.Node("Mul", [z, g.Node("Sub", [hPrev, n])])]);
                    break;
                }
                default:
                    throw new NotSupportedException($"No ONNX form for {layer.GetType().Name}.");
            }
            hiddenOut.Add(hNext);
            x = hNext;
        }
        Stack(g, hiddenOut, "hidden_out");
        if (lstm) Stack(g, cellOut, "cell_out");
        Head(g, model, tensors, x);

        g.Output("log_probs", OnnxGraph.Float, "batch", v);
        g.Output("hidden_out", OnnxGraph.Float, layers, "batch", h);
        if (lstm) g.Output("cell_out", OnnxGraph.Float, layers, "batch", h);
        g.Save(path, Metadata(model), producerVersion);
    }

    private static readonly OnnxAttribute Epsilon = new("epsilon", Float: RowLayerNorm.Epsilon);
    private static readonly OnnxAttribute LastAxis = new("axis", Int: -1);
    private static readonly OnnxAttribute FirstAxis = new("axis", Int: 0);
    private static readonly OnnxAttribute SecondAxis = new("axis", Int: 1);
    private static readonly OnnxAttribute TransB = new("transB", Int: 1);

    // LN(input·Wᵀ) + b (no LN: the plain projection plus the bias): a = … x·W_ihᵀ, p = … h·W_hhᵀ.
    private static string Project(OnnxGraph g, string input, Parameter weight, Parameter bias, Parameter? gain, Parameter? shift)
    {
        if (gain is null) return g.Node("Gemm", [input, Weight(g, weight), Weight(g, bias)], TransB);
        string raw = g.Node("Gemm", [input, Weight(g, weight)], TransB);
        string normalized = g.Node("LayerNormalization", [raw, Weight(g, gain), Weight(g, shift!)], Epsilon, LastAxis);
        return g.Node("Add", [normalized, Weight(g, bias)]);
    }

    private static string Activate(OnnxGraph g, Activation activation, string input) => activation switch
    {
        Activation.Tanh => g.Node("Tanh", [input]),
        Activation.Relu => g.Node("Relu", [input]),
        _ => g.Node("Sigmoid", [input]),
    };

    private static string[] Split(OnnxGraph g, string input, int parts, int size)
    {
        string sizes = g.Constant(g.Fresh("split_sizes"), Enumerable.Repeat((long)size, parts).ToArray(), parts);
        return g.Node("Split", [input, sizes], parts, SecondAxis);
    }

    // (batch, H) per layer → (layers, batch, H) under the graph output's name.
    private static void Stack(OnnxGraph g, List<string> rows, string name)
    {
        string axes = g.Constant(g.Fresh("axis0"), new long[] { 0 }, 1);
        var unsqueezed = rows.Select(r => g.Node("Unsqueeze", [r, axes])).ToArray();
        if (unsqueezed.Length == 1) g.NodeTo("Identity", [unsqueezed[0]], [name]);
        else g.NodeTo("Concat", unsqueezed, [name], FirstAxis);
    }

    private static void Head(OnnxGraph g, RnnLanguageModel model, Dictionary<string, Parameter> tensors, string h)
    {
        if (model.Head is not AdaptiveSoftmax adaptive)
        {
            string logits = g.Node("Gemm", [h, Weight(g, tensors["head.weight"]), Weight(g, tensors["head.bias"])], TransB);
            g.NodeTo("LogSoftmax", [logits], ["log_probs"], LastAxis);
            return;
        }
        // Adaptive softmax (Grave et al. 2017): the head's log-softmax gives the shortlist and
        // each cluster's log-probability, added to the cluster's own log-softmax.
        var head = tensors.TryGetValue("head.head.bias", out var headBias)
            ? new[] { h, Weight(g, tensors["head.head.weight"]), Weight(g, headBias) }
            : new[] { h, Weight(g, tensors["head.head.weight"]) };
        string headLp = g.Node("LogSoftmax", [g.Node("Gemm", head, TransB)], LastAxis);
        var bounds = adaptive.Cutoffs.Append(adaptive.OutputSize).ToArray();
        var pieces = new List<string> { Slice(g, headLp, 0, bounds[0]) };
        for (int c = 0; c + 1 < bounds.Length; c++)
        {
            string projected = g.Node("Gemm", [h, Weight(g, tensors[$"head.tail.{c}.0.weight"])], TransB);
            string logits = g.Node("Gemm", [projected, Weight(g, tensors[$"head.tail.{c}.1.weight"])], TransB);
            string clusterLp = g.Node("LogSoftmax", [logits], LastAxis);
            pieces.Add(g.Node("Add", [clusterLp, Slice(g, headLp, bounds[0] + c, bounds[0] + c + 1)]));
        }
        g.NodeTo("Concat", pieces, ["log_probs"], SecondAxis);
    }

    private static string Slice(OnnxGraph g, string input, long start, long end)
    {
        string starts = g.Constant(g.Fresh("start"), new[] { start }, 1);
        string ends = g.Constant(g.Fresh("end"), new[] { end }, 1);
        string axes = g.Constant(g.Fresh("axis1"), new long[] { 1 }, 1);
        return g.Node("Slice", [input, starts, ends, axes]);
    }

    // Each parameter once, under its PyTorch name (a tied weight is written once and read twice).
    private static string Weight(OnnxGraph g, Parameter p)
    {
        if (g.Has(p.Name)) return p.Name;
        return g.Constant(p.Name, p.Value.Span, [.. p.Shape.Dims.ToArray().Select(d => (long)d)]);
    }

    private static Dictionary<string, string> Metadata(RnnLanguageModel model)
    {
        var o = model.Options;
        var tokenizer = model.Tokenizer;
        var meta = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            [FormatKey] = Format,
            ["recur.cell"] = Choice<CellKind>.Name(o.Cell),
            ["recur.layers"] = o.Layers.ToString(CultureInfo.InvariantCulture),
            ["recur.hidden"] = o.Hidden.ToString(CultureInfo.InvariantCulture),
            ["recur.tokenizer"] = Choice<Text.TokenizerKind>.Name(tokenizer.Kind),
            ["recur.vocabulary"] = JsonSerializer.Serialize(model.Vocabulary.Tokens),
            ["recur.begin_token"] = model.BeginToken.ToString(CultureInfo.InvariantCulture),
            ["recur.end_token"] = model.EndToken.ToString(CultureInfo.InvariantCulture),
            ["recur.primer"] = JsonSerializer.Serialize(model.Primer),
        };
        if (tokenizer.Merges is { Count: > 0 } merges) meta["recur.bpe_merges"] = JsonSerializer.Serialize(merges.Select(m => new[] { m.Left, m.Right }));
        return meta;
    }
}
