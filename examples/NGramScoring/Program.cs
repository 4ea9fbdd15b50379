// Trains an interpolated modified Kneser-Ney trigram model on sentences of Recur's built-in
// corpus, writes it as an ARPA file, and scores held-out sentences with it.
//   dotnet run --project examples/NGramScoring [-- OUT.arpa]   (default: runs/examples/scenes3.arpa)
using Recur.LanguageModels.NGrams;
using Recur.Text;

string path = args.Length > 0 ? args[0] : Path.Combine("runs", "examples", "scenes3.arpa");
static List<string[]> Sentences(int count, ulong seed) =>
    [.. BuiltInCorpus.Generate(count, seed).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(SentenceCorpus.Tokenize)];

// A grammar's sentences repeat their trigrams far more than real text does, so no trigram is
// seen exactly once and the closed-form discounts are undefined: use KenLM's fixed fallback.
var options = new KneserNeyOptions { Order = 3, DiscountFallback = KneserNeyDiscount.KenLmFallback };
var trained = KneserNeyTrainer.Train(Sentences(5000, seed: 1), options);
Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
trained.Model.Save(path);
var model = NGramModel.Load(path);
Console.WriteLine($"{path}: {trained.Words:N0} training words, {model.NGramCount(1)} unigrams, {model.NGramCount(2)} bigrams, {model.NGramCount(3)} trigrams");

var heldOut = Sentences(500, seed: 2);
var evaluation = model.Evaluate(heldOut);
Console.WriteLine($"held-out perplexity {evaluation.Perplexity:F3} over {evaluation.Tokens} tokens ({evaluation.Oov} unknown words)");
foreach (var sentence in heldOut.Take(3))
    Console.WriteLine($"log10 p = {model.SentenceLog10Probability(sentence),8:F4}  {string.Join(' ', sentence)}");
Console.WriteLine($"log10 p = {model.SentenceLog10Probability(["the", "red", "circle", "red"]),8:F4}  the red circle red   (not a sentence of the grammar)");
