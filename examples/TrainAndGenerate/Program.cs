// Trains a small LSTM on Recur's built-in corpus (sentences from a stochastic grammar whose
// exact entropy is known, so the loss has a floor to compare with), then writes text with beam
// search and with sampling.   dotnet run --project examples/TrainAndGenerate
using Recur.Decoding;
using Recur.LanguageModels;
using Recur.LanguageModels.Rnn;
using Recur.Tensors;
using Recur.Text;
using Recur.Training;

int steps = args.Length > 0 ? int.Parse(args[0]) : 400;
var data = TrainingData.BuiltIn(TokenizerKind.Char);
var architecture = new RnnLanguageModelOptions { Embedding = 32, Hidden = 128 };   // an LSTM
var options = new TrainingOptions { Steps = steps, EvalEvery = steps, Seed = 1 };
var trainer = new Trainer(data, architecture, options, folder: null, new TextProgress(Console.Out, every: steps / 4));
var result = trainer.Run();
Console.WriteLine($"validation loss {result.ValidationLoss:F3} nats/char; the corpus entropy is {data.EntropyFloor:F3}");

var model = trainer.Model;
string prompt = "the ";
var prompted = new PromptedModel(model, data.Tokenizer.Encode(prompt, endLines: false));
var beam = BeamSearch.Decode(prompted, new BeamSearchOptions { Width = 4, MaxLength = 60 });
Console.WriteLine($"beam 4:  {prompt}{beam.Best!.Text(data.Tokenizer)}");
var samples = Sampler.Sample(prompted, new SamplingOptions { Count = 2, MaxLength = 60, Temperature = 0.8 }, new Rng(7));
foreach (var s in samples.Sequences) Console.WriteLine($"sampled: {prompt}{s.Text(data.Tokenizer)}");
