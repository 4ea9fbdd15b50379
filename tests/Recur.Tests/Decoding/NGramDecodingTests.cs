using Recur.Decoding;
using Recur.LanguageModels.NGrams;
using Recur.Reproduce.Claims;
using Recur.Tensors;
using Recur.Tests.Support;

namespace Recur.Tests.Decoding;

/// <summary>Decoders over trained n-gram models (docs/theory.md 2.2f) against exhaustive search.</summary>
public class NGramDecodingTests
{
    private static NGramModel RandomModel(Rng rng, int order) => ClaimModels.RandomNGram(rng, order);

    [Fact]
    public void ExactSearch_RandomNGramModels_EqualsExhaustive()
    {
        var rng = new Rng(70);
        for (int trial = 0; trial < 120; trial++)
        {
            int order = 1 + rng.NextInt(4), t = 1 + rng.NextInt(4), k = 1 + rng.NextInt(3);
            var m = RandomModel(rng, order);
            var exhaustive = Exhaustive.Search(m, new ExhaustiveOptions { MaxLength = t, Count = k });
            var exact = BestFirst.Search(m, new BestFirstOptions { MaxLength = t, Count = k });
            Oracle.AssertSameRanking(m, exhaustive.Sequences, exact.Sequences, t, 0, $"trial {trial} order {order}");
        }
    }

    [Fact]
    public void Viterbi_RandomNGramModels_ByStateExpansion_EqualsExhaustive()
    {
        var rng = new Rng(71);
        for (int trial = 0; trial < 120; trial++)
        {
            int order = 1 + rng.NextInt(4), t = 1 + rng.NextInt(4);
            var m = RandomModel(rng, order);
            var exhaustive = Exhaustive.Search(m, new ExhaustiveOptions { MaxLength = t });
            var viterbi = Viterbi.Decode(m, new ViterbiOptions { MaxLength = t });
            Oracle.AssertSameRanking(m, exhaustive.Sequences, viterbi.Sequences, t, 0, $"trial {trial} order {order}");
        }
    }

    [Fact]
    public void BeamWideEnough_RandomNGramModels_EqualsExhaustive()
    {
        var rng = new Rng(72);
        for (int trial = 0; trial < 60; trial++)
        {
            int order = 1 + rng.NextInt(3), t = 1 + rng.NextInt(3);
            var m = RandomModel(rng, order);
            int width = (int)Math.Pow(m.Vocabulary.Count, Math.Max(0, t - 1));
            var exhaustive = Exhaustive.Search(m, new ExhaustiveOptions { MaxLength = t });
            var beam = BeamSearch.Decode(m, new BeamSearchOptions { Width = width, MaxLength = t });
            Oracle.AssertSameRanking(m, exhaustive.Sequences, beam.Sequences, t, 0, $"trial {trial} order {order}");
        }
    }
}
