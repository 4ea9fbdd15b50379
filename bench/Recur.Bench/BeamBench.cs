using System.Diagnostics;
using Recur.Decoding;
using Recur.Kernels;
using Recur.LanguageModels.NGrams;
using Recur.Tensors;
using TorchSharp;

namespace Recur.Bench;

// Dimension glossary: B beam width, N vocabulary, T steps.

/// <summary>
/// `beam`: beam search with B = 8 over a trigram modified Kneser-Ney model of N = 10,000
/// tokens, timing the search's own work per step, the model excluded (docs/theory.md 2.3: the
/// search costs O(B·N) per step on top of the model). Both sides call the same NGramModel
/// for the same rows; both run exactly T steps (the end token is masked, as a minimum length
/// does), so they do the same work. Recur: BeamSearch.Decode, its time minus the model's
/// (DecodeResult.ModelSeconds). Peer: the per-step selection as PyTorch decoders write it —
/// scores = beam_scores[:, None] + log_probs, one topk over the flattened B·N scores, beam
/// index = i / N, token = i mod N — in TorchSharp, timed without the model calls. The corpus
/// is synthetic (Zipf-distributed words with some bigram structure), so the bench needs no
/// data files. Figure: µs of search per step.
/// </summary>
internal static class BeamBench
{
    private const int Width = 8, Steps = 40, Vocabulary = 10_000;

    public static void Run(BenchOptions options)
    {
        var sw = Stopwatch.StartNew();
        var model = BuildModel(new Rng(11));
        Console.Error.WriteLine($"beam: trained an order-3 model over {model.Vocabulary.Count} tokens in {sw.Elapsed.TotalSeconds:F1} s");
        foreach (int threads in options.Threads)
        {
            Parallelism.MaxThreads = threads;
            torch.set_num_threads(threads);
            string config = $"b{Width}_n{model.Vocabulary.Count}_t{Steps}";
            if (options.Filter is not null && !config.Contains(options.Filter, StringComparison.Ordinal)) continue;
            var beamOptions = new BeamSearchOptions { Width = Width, MaxLength = Steps, MinLength = Steps };
            Measure.CompareMeasured("beam", config, threads,
                "recur", () => RecurSearchSecondsPerStep(model, beamOptions),
                "torchsharp", () => PeerSearchSecondsPerStep(model),
                s => s * 1e6, "us/step", higherIsBetter: false, options,
                new Dictionary<string, object> { ["B"] = Width, ["N"] = model.Vocabulary.Count, ["T"] = Steps });
        }
    }

    // Several decodes per repetition so that one repetition runs long enough to time well.
    private const int DecodesPerRepetition = 10;

    private static double RecurSearchSecondsPerStep(NGramModel model, BeamSearchOptions options)
    {
        double search = 0;
        for (int d = 0; d < DecodesPerRepetition; d++)
        {
            var r = BeamSearch.Decode(model, options);
            search += r.Seconds - r.ModelSeconds;
        }
        return search / (DecodesPerRepetition * Steps);
    }

    private static double PeerSearchSecondsPerStep(NGramModel model)
    {
        int n = model.Vocabulary.Count;
        var logProbs = new float[Width * n];
        var tokens = new int[Width];
        var rows = new int[Width];
        long searchTicks = 0;
        for (int d = 0; d < DecodesPerRepetition; d++)
        {
            var state = model.CreateState(1);
            var next = model.CreateState(Width);
            model.Step(state, [model.BeginToken], logProbs.AsSpan(0, n));
            var beamScores = torch.zeros(1);
            int live = 1;
            for (int t = 0; t < Steps; t++)
            {
                // The model's output as a tensor is the model's cost, as in a PyTorch decoder.
                using var lp = torch.tensor(logProbs.AsSpan(0, live * n).ToArray(), [live, n]);
                long t0 = Stopwatch.GetTimestamp();
                lp[torch.TensorIndex.Colon, model.EndToken] = float.NegativeInfinity;
                // Each step's temporaries are freed as the step ends, as Python's reference
                // counting frees them; explicitly, because with a dispose scope per step the next
                // step's addition failed inside LibTorch (Scalar::toFloat).
                using var column = beamScores.unsqueeze(1);
                using var sum = column + lp;
                using var scores = sum.view(-1);
                var (top, index) = scores.topk(Width);
                using (index)
                {
                    var idx = index.data<long>().ToArray();
                    for (int b = 0; b < Width; b++)
                    {
                        rows[b] = (int)(idx[b] / n);
                        tokens[b] = (int)(idx[b] % n);
                    }
                }
                beamScores.Dispose();
                beamScores = top;
                searchTicks += Stopwatch.GetTimestamp() - t0;
                model.Gather(state, rows, next);
                (state, next) = (next, t == 0 ? model.CreateState(Width) : state);
                model.Step(state, tokens, logProbs);
                live = Width;
            }
            beamScores.Dispose();
        }
        return searchTicks / (double)Stopwatch.Frequency / (DecodesPerRepetition * Steps);
    }

    /// <summary>A trigram MKN model of a synthetic corpus over <see cref="Vocabulary"/> − 3 words.</summary>
    private static NGramModel BuildModel(Rng rng)
    {
        int words = Vocabulary - 3; // plus <s>, </s>, <unk>
        var names = new string[words];
        for (int i = 0; i < words; i++) names[i] = "w" + i;
        // Zipf(1.1) over word ranks by inverse CDF.
        var cdf = new double[words];
        double total = 0;
        for (int i = 0; i < words; i++) cdf[i] = total += 1.0 / Math.Pow(i + 1, 1.1);
        int Zipf()
        {
            int i = Array.BinarySearch(cdf, rng.NextDouble() * total);
            return Math.Min(words - 1, i < 0 ? ~i : i);
        }
        var sentences = new List<string[]>();
        for (int s = 0; s < 120_000; s++)
        {
            var sentence = new string[3 + rng.NextInt(13)];
            int prev = Zipf();
            for (int i = 0; i < sentence.Length; i++)
            {
                // Half the time a word's successor follows from it: bigram structure for the model to learn.
                int w = rng.NextInt(2) == 0 ? (int)((prev * 7919L + Zipf()) % words) : Zipf();
                sentence[i] = names[w];
                prev = w;
            }
            sentences.Add(sentence);
        }
        var options = new KneserNeyOptions { Order = 3, DiscountFallback = KneserNeyDiscount.KenLmFallback };
        return KneserNeyTrainer.Train(sentences, options, "synthetic").Model;
    }
}
