// Beam search over an n-gram model read from an ARPA file: the three most probable sentences.
//   dotnet run --project examples/BeamSearchArpa [-- MODEL.arpa]   (default: examples/tiny.arpa)
using Recur.Decoding;
using Recur.LanguageModels.NGrams;

string path = args.Length > 0 ? args[0] : Path.Combine("examples", "tiny.arpa");
var model = NGramModel.Load(path);
Console.WriteLine($"{path}: order {model.Order}, {model.Vocabulary.Count} words");

var result = BeamSearch.Decode(model, new BeamSearchOptions { Width = 8, MaxLength = 12, Count = 3 });
foreach (var sentence in result.Sequences)
{
    // Natural logarithms throughout the decoders; ARPA files store log10.
    string words = string.Join(' ', sentence.ContentTokens(model.EndToken).Select(t => model.Vocabulary[t]));
    if (words.Length == 0) words = "(the empty sentence: <s> </s>)";
    Console.WriteLine($"{sentence.LogProbability,9:F4}  (log10 {sentence.LogProbability / Math.Log(10),8:F4})  {words}");
}
