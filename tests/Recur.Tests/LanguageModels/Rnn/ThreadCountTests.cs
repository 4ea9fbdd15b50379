using Recur.Kernels;
using Recur.LanguageModels.Rnn;
using Recur.Nn.Recurrent;
using Recur.Tensors;
using Recur.Tests.Kernels;
using Recur.Text;

namespace Recur.Tests.LanguageModels.Rnn;

/// <summary>
/// A training step and a batched decoding step give the same bits at one and two threads: the
/// parallel parts of an LSTM step (the recurrent product by columns, the cell by rows) compute
/// every value the way one thread does. Sizes are chosen so that both parts do split.
/// </summary>
[Collection(MaxThreadsCollection.Name)]
public class ThreadCountTests
{
    private static readonly Tokenizer Chars = Tokenizer.Build(TokenizerKind.Char, string.Concat(Enumerable.Range(0, 40).Select(i => (char)('!' + i))));

    [Theory]
    [InlineData(CellKind.Lstm, 64, true)]
    [InlineData(CellKind.Lstm, 72, false)]
    [InlineData(CellKind.Gru, 64, true)]
    public void TrainingStep_OneAndTwoThreads_GiveTheSameBits(CellKind cell, int hidden, bool tokenInput)
    {
        const int steps = 12, batch = 32;
        var rng = new Rng(5);
        int[] inputs = new int[steps * batch], targets = new int[steps * batch];
        for (int i = 0; i < inputs.Length; i++) { inputs[i] = rng.NextInt(40); targets[i] = rng.NextInt(40); }
        var runs = AtOneAndTwoThreads(() =>
        {
            var model = new RnnLanguageModel(Chars, new RnnLanguageModelOptions { Cell = cell, Embedding = 16, Hidden = hidden }, new Rng(3))
            {
                TokenInput = tokenInput,
            };
            var state = model.Rnn.CreateState(batch);
            double loss = model.Forward(inputs, targets, steps, batch, state);
            model.Backward();
            return (Loss: loss, Results: model.Parameters().Select(p => p.Grad.Span.ToArray()).Append(state.Hidden.Span.ToArray()).ToList());
        });
        Assert.Equal(runs[0].Loss, runs[1].Loss);
        for (int i = 0; i < runs[0].Results.Count; i++) Assert.Equal(runs[0].Results[i], runs[1].Results[i]);
    }

    [Fact]
    public void DecodingStep_OneAndTwoThreads_GiveTheSameBits()
    {
        const int batch = 8;
        var outputs = AtOneAndTwoThreads(() =>
        {
            var model = new RnnLanguageModel(Chars, new RnnLanguageModelOptions { Cell = CellKind.Lstm, Embedding = 16, Hidden = 256 }, new Rng(3))
            {
                Training = false,
            };
            var state = model.CreateState(batch);
            var logProbs = new float[batch * model.Vocabulary.Count];
            var all = new List<float>();
            for (int t = 0; t < 5; t++)
            {
                model.Step(state, Enumerable.Range(0, batch).Select(r => (r * 7 + t) % 40).ToArray(), logProbs);
                all.AddRange(logProbs);
            }
            return all.ToArray();
        });
        Assert.Equal(outputs[0], outputs[1]);
    }

    // The results of run() with Parallelism.MaxThreads at 1, then at 2.
    private static T[] AtOneAndTwoThreads<T>(Func<T> run)
    {
        int before = Parallelism.MaxThreads;
        try
        {
            var results = new T[2];
            for (int threads = 1; threads <= 2; threads++)
            {
                Parallelism.MaxThreads = threads;
                results[threads - 1] = run();
            }
            return results;
        }
        finally
        {
            Parallelism.MaxThreads = before;
        }
    }
}
