using Recur.Decoding;
using Recur.Tensors;

namespace Recur.Tests.Decoding;

/// <summary>An HMM built from its probability tables: Viterbi and the forward algorithm against enumeration of every state path.</summary>
public sealed class HiddenMarkovModelTests
{
    // The textbook example (Wikipedia, "Viterbi algorithm"): a doctor infers fever from symptoms.
    private static HiddenMarkovModel Doctor() => new(
        ["Healthy", "Fever"], ["normal", "cold", "dizzy"],
        start: [0.6, 0.4],
        transitions: new[,] { { 0.7, 0.3 }, { 0.4, 0.6 } },
        emissions: new[,] { { 0.5, 0.4, 0.1 }, { 0.1, 0.3, 0.6 } });

    [Fact]
    public void Decode_TheDoctorExample_GivesHealthyHealthyFever()
    {
        var path = Doctor().Decode(["normal", "cold", "dizzy"]);
        Assert.Equal(["Healthy", "Healthy", "Fever"], path.StateNames);
        Assert.Equal([0, 0, 1], path.States);
        Assert.Equal(Math.Log(0.01512), path.LogProbability, 12);
    }

    [Fact]
    public void DecodeAndLogLikelihood_MatchEnumerationOfEveryPath()
    {
        var rng = new Rng(11);
        for (int trial = 0; trial < 40; trial++)
        {
            int s = 1 + rng.NextInt(4), o = 1 + rng.NextInt(4), t = 1 + rng.NextInt(5);
            bool withEnd = rng.NextInt(2) == 0;
            var end = withEnd ? Enumerable.Range(0, s).Select(_ => rng.NextInt(3) == 0 ? 0 : 0.3 * rng.NextDouble()).ToArray() : null;
            var hmm = new HiddenMarkovModel(Distribution(rng, s, 0), Table(rng, s, s, end), Table(rng, s, o, null), end);
            var observations = Enumerable.Range(0, t).Select(_ => rng.NextInt(o)).ToArray();

            double best = double.NegativeInfinity, total = 0;
            var path = new int[t];
            foreach (var states in Paths(s, t))
            {
                double p = Math.Exp(hmm.JointLogProbability(states, observations));
                total += p;
                if (p > 0 && Math.Log(p) > best + 1e-12) { best = Math.Log(p); states.CopyTo(path, 0); }
            }
            var decoded = hmm.Decode(observations);
            if (best == double.NegativeInfinity)
            {
                Assert.Equal(double.NegativeInfinity, decoded.LogProbability);
                Assert.Empty(decoded.States);
            }
            else
            {
                Assert.Equal(best, decoded.LogProbability, 9);
                Assert.Equal(best, hmm.JointLogProbability(decoded.States, observations), 9);
            }
            Assert.Equal(Math.Log(total), hmm.LogLikelihood(observations), 9);
        }
    }

    [Fact]
    public void Constructor_RefusesTablesThatAreNotDistributions()
    {
        var ok = new[,] { { 0.5, 0.5 }, { 0.5, 0.5 } };
        Assert.Contains("row 1 (state 1) sums to 0.9", Assert.Throws<ArgumentException>(() =>
            new HiddenMarkovModel([0.5, 0.5], new[,] { { 0.5, 0.5 }, { 0.5, 0.4 } }, ok)).Message);
        Assert.Contains("outside [0, 1]", Assert.Throws<ArgumentException>(() =>
            new HiddenMarkovModel([1.5, -0.5], ok, ok)).Message);
        Assert.Contains("the model needs 2 × 2", Assert.Throws<ArgumentException>(() =>
            new HiddenMarkovModel([0.5, 0.5], new[,] { { 1.0 } }, ok)).Message);
        Assert.Contains("with its end probability", Assert.Throws<ArgumentException>(() =>
            new HiddenMarkovModel([0.5, 0.5], ok, ok, end: [0.1, 0])).Message);
        Assert.Contains("\"sneeze\"", Assert.Throws<ArgumentException>(() => Doctor().Decode(["normal", "sneeze"])).Message);
    }

    private static IEnumerable<int[]> Paths(int s, int t)
    {
        var states = new int[t];
        for (long code = 0; code < (long)Math.Pow(s, t); code++)
        {
            long c = code;
            for (int i = 0; i < t; i++) { states[i] = (int)(c % s); c /= s; }
            yield return states;
        }
    }

    // Rows with some exact zeros; each sums to 1 − end(row).
    private static double[,] Table(Rng rng, int rows, int columns, double[]? end)
    {
        var table = new double[rows, columns];
        for (int i = 0; i < rows; i++)
        {
            var row = Distribution(rng, columns, end?[i] ?? 0);
            for (int j = 0; j < columns; j++) table[i, j] = row[j];
        }
        return table;
    }

    private static double[] Distribution(Rng rng, int n, double stop)
    {
        var w = Enumerable.Range(0, n).Select(_ => rng.NextInt(4) == 0 ? 0 : rng.NextDouble()).ToArray();
        if (w.Sum() == 0) w[rng.NextInt(n)] = 1;
        double sum = w.Sum();
        return [.. w.Select(x => x / sum * (1 - stop))];
    }
}
