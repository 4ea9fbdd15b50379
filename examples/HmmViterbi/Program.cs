// A hidden Markov model from its tables, decoded by Viterbi: the textbook doctor who infers
// fever from symptoms (Wikipedia, "Viterbi algorithm").   dotnet run --project examples/HmmViterbi
using Recur.Decoding;

var hmm = new HiddenMarkovModel(
    states: ["Healthy", "Fever"],
    symbols: ["normal", "cold", "dizzy"],
    start: [0.6, 0.4],
    transitions: new[,] { { 0.7, 0.3 }, { 0.4, 0.6 } },
    emissions: new[,] { { 0.5, 0.4, 0.1 }, { 0.1, 0.3, 0.6 } });

string[] symptoms = ["normal", "cold", "dizzy"];
var path = hmm.Decode(symptoms);
Console.WriteLine($"symptoms:  {string.Join(' ', symptoms)}");
Console.WriteLine($"best path: {string.Join(' ', path.StateNames)}  p = {Math.Exp(path.LogProbability):G6}");
Console.WriteLine($"p(symptoms) over all paths = {Math.Exp(hmm.LogLikelihood(symptoms)):G6}");
