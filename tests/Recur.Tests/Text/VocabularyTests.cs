using System.Text;
using Recur.Tensors;
using Recur.Text;

namespace Recur.Tests.Text;

/// <summary>Word vocabularies from training text (frequency order, min count, cap, &lt;unk&gt;) and byte-level BPE (exact round trips).</summary>
public class VocabularyTests
{
    private const string Train = "the cat sat\nthe dog sat on the mat\nthe <unk> ran\n";

    [Fact]
    public void WordVocabulary_OrdersByTrainingFrequency_TiesInOrdinalOrder()
    {
        var t = Tokenizer.Build(new TokenizerOptions { Kind = TokenizerKind.Word }, Train);
        // the ×4, <eos> ×3, sat ×2, then count-1 words in ordinal order; <unk> counts its literal occurrence.
        Assert.Equal(["the", "<eos>", "sat", "<unk>", "cat", "dog", "mat", "on", "ran"], t.Vocabulary.Tokens);
    }

    [Fact]
    public void WordVocabulary_MinCount_SendsRareWordsToUnk()
    {
        var t = Tokenizer.Build(new TokenizerOptions { Kind = TokenizerKind.Word, MinCount = 2 }, Train);
        Assert.Equal(["<unk>", "the", "<eos>", "sat"], t.Vocabulary.Tokens);   // <unk>: 1 literal + 5 rare words
        int[] ids = t.Encode("the cat sat\n");
        Assert.Equal([t.Vocabulary.IndexOf("the"), t.UnknownToken, t.Vocabulary.IndexOf("sat"), t.EndOfSentence], ids);
        Assert.Equal(t.UnknownToken, t.Encode("<unk>", endLines: false)[0]);   // a literal <unk> is the same token
    }

    [Fact]
    public void WordVocabulary_MaxVocabulary_KeepsTheMostFrequent()
    {
        var t = Tokenizer.Build(new TokenizerOptions { Kind = TokenizerKind.Word, MaxVocabulary = 4 }, Train);
        Assert.Equal(4, t.Vocabulary.Count);
        Assert.Equal(["<unk>", "the", "<eos>", "sat"], t.Vocabulary.Tokens);
    }

    [Theory]
    [InlineData(0, null, "MinCount")]
    [InlineData(1, 2, "MaxVocabulary")]
    public void BadOptions_NameTheProperty(int minCount, int? maxVocabulary, string property)
    {
        var e = Assert.Throws<InputException>(() => Tokenizer.Build(new TokenizerOptions { Kind = TokenizerKind.Word, MinCount = minCount, MaxVocabulary = maxVocabulary }, Train));
        Assert.Equal($"TokenizerOptions.{property}", e.Subject);
    }

    [Fact]
    public void Bpe_LearnsFrequentPairs_AndOrdersTokensByFrequency()
    {
        string text = string.Concat(Enumerable.Repeat("lower lowest newer newest\n", 20));
        var t = Tokenizer.Build(new TokenizerOptions { Kind = TokenizerKind.Bpe, BpeMerges = 12 }, text);
        Assert.Equal(12, t.Merges.Count);
        Assert.Equal(256 + 12 + 1, t.Vocabulary.Count);          // bytes, merges, <eos>
        int[] ids = t.Encode("lower newest\n");
        Assert.True(ids.Length < "lower newest\n".Length, "merges shorten the encoding");
        Assert.Equal(t.EndOfSentence, ids[^1]);
        Assert.True(t.EndOfSentence < 20, "<eos> is frequent, so its id is small");
        Assert.Equal(t.Merges, Tokenizer.Build(new TokenizerOptions { Kind = TokenizerKind.Bpe, BpeMerges = 12 }, text).Merges);   // deterministic
    }

    [Fact]
    public void Bpe_EncodeThenDecode_GivesAnyUtf8TextBack()
    {
        var t = Tokenizer.Build(new TokenizerOptions { Kind = TokenizerKind.Bpe, BpeMerges = 200 }, "Der schnelle braune Fuchs springt über den faulen Hund.\nthe quick brown fox\n");
        var rng = new Rng(11);
        // Scalars from ASCII, Latin-1, CJK and the astral planes (emoji), with spaces, tabs, CR and newlines.
        int[] pool = [' ', ' ', '\n', '\t', '\r', 'a', 'e', 'x', 'Z', '0', '.', '\'', 0xE9, 0xFC, 0x3B1, 0x4E2D, 0x6587, 0x1F600, 0x1F30D, 0x10348, 0xFFFD];
        for (int trial = 0; trial < 300; trial++)
        {
            var sb = new StringBuilder();
            int length = rng.NextInt(40);
            for (int i = 0; i < length; i++)
            {
                int scalar = rng.NextInt(4) == 0 ? 0x20 + rng.NextInt(0x2FF) : pool[rng.NextInt(pool.Length)];
                if (scalar is >= 0xD800 and <= 0xDFFF) scalar = 'q';
                sb.Append(char.ConvertFromUtf32(scalar));
            }
            string text = sb.ToString();
            Assert.Equal(text, t.Decode(t.Encode(text)));
        }
    }

    [Fact]
    public void Bpe_FromVocabulary_RefusesAVocabularyWithoutEveryByte()
    {
        var t = Tokenizer.Build(new TokenizerOptions { Kind = TokenizerKind.Bpe, BpeMerges = 5 }, "aaa bbb aaa\n");
        var copy = Tokenizer.FromVocabulary(TokenizerKind.Bpe, t.Vocabulary, t.Merges);
        Assert.Equal(t.Encode("aaa bbb\n"), copy.Encode("aaa bbb\n"));
        var missing = new Vocabulary(t.Vocabulary.Tokens.Skip(1));
        Assert.Throws<ArgumentException>(() => Tokenizer.FromVocabulary(TokenizerKind.Bpe, missing, t.Merges));
    }
}
