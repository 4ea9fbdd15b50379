// Generates text from a model exported by `recur export --checkpoint DIR --onnx model.onnx`,
// with ONNX Runtime alone: the vocabulary comes from the file's metadata, and each step feeds
// the token chosen and the state returned back into the graph.
//
//   dotnet run --project examples/OnnxGenerate -- model.onnx [prompt] [tokens] [seed]
//
// Without a seed it decodes greedily (the most probable token each step); with one it samples.
// The prompt is split into the model's tokens (characters, or words for a word model).
using System.Text;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

if (args.Length == 0)
{
    Console.Error.WriteLine("usage: OnnxGenerate model.onnx [prompt] [tokens] [seed]");
    return 2;
}
string prompt = args.Length > 1 ? args[1] : "";
int count = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 200;
Random? random = args.Length > 3 ? new Random(int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture)) : null;

InferenceSession session;
try
{
    session = new InferenceSession(args[0]);
}
catch (OnnxRuntimeException e)
{
    Console.Error.WriteLine($"error: {args[0]}: not an ONNX model ONNX Runtime can load ({e.Message.Split('\n')[0]})");
    return 2;
}
using var _ = session;
var meta = session.ModelMetadata.CustomMetadataMap;
if (!meta.TryGetValue("recur.vocabulary", out string? vocabularyJson))
{
    Console.Error.WriteLine($"error: {args[0]}: has no recur.vocabulary metadata; write it with `recur export --checkpoint DIR --onnx FILE`");
    return 2;
}
string[] vocabulary = JsonSerializer.Deserialize<string[]>(vocabularyJson)!;
bool words = meta["recur.tokenizer"] == "word";
int layers = int.Parse(meta["recur.layers"], System.Globalization.CultureInfo.InvariantCulture);
int hidden = int.Parse(meta["recur.hidden"], System.Globalization.CultureInfo.InvariantCulture);
bool hasCell = session.InputMetadata.ContainsKey("cell");
var ids = vocabulary.Select((token, id) => (token, id)).ToDictionary(p => p.token, p => p.id);

// The model starts from a zero state, reads its begin token and primer, then the prompt.
var state = new DenseTensor<float>([layers, 1, hidden]);
var cell = new DenseTensor<float>([layers, 1, hidden]);
var start = new List<int> { int.Parse(meta["recur.begin_token"], System.Globalization.CultureInfo.InvariantCulture) };
start.InsertRange(0, JsonSerializer.Deserialize<int[]>(meta["recur.primer"])!);
foreach (string piece in words ? prompt.Split(' ', StringSplitOptions.RemoveEmptyEntries) : prompt.EnumerateRunes().Select(r => r.ToString()))
    start.Add(ids.TryGetValue(piece, out int id) ? id : ids.GetValueOrDefault("<unk>", 0));

var text = new StringBuilder(prompt);
float[] logProbs = [];
foreach (int token in start) logProbs = Step(token);
for (int i = 0; i < count; i++)
{
    int next = Choose(logProbs);
    string piece = vocabulary[next];
    text.Append(words ? (piece == "<eos>" ? "\n" : " " + piece) : piece);
    logProbs = Step(next);
}
Console.WriteLine(text.ToString());
return 0;

float[] Step(int token)
{
    var inputs = new List<NamedOnnxValue>
    {
        NamedOnnxValue.CreateFromTensor("tokens", new DenseTensor<long>(new long[] { token }, [1])),
        NamedOnnxValue.CreateFromTensor("hidden", state),
    };
    if (hasCell) inputs.Add(NamedOnnxValue.CreateFromTensor("cell", cell));
    using var results = session.Run(inputs);
    foreach (var r in results)
    {
        if (r.Name == "hidden_out") state = (DenseTensor<float>)r.AsTensor<float>().Clone();
        if (r.Name == "cell_out") cell = (DenseTensor<float>)r.AsTensor<float>().Clone();
    }
    return results.First(r => r.Name == "log_probs").AsTensor<float>().ToArray();
}

int Choose(float[] lp)
{
    if (random is null) return Array.IndexOf(lp, lp.Max());
    double u = random.NextDouble(), sum = 0;
    for (int i = 0; i < lp.Length; i++)
        if ((sum += Math.Exp(lp[i])) >= u) return i;
    return lp.Length - 1;
}
