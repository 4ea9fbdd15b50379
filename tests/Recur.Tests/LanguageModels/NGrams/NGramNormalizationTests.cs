using Recur.LanguageModels.NGrams;
using Recur.Tests.Support;

namespace Recur.Tests.LanguageModels.NGrams;

/// <summary>A back-off model must not give the words after a context more than probability 1.</summary>
public class NGramNormalizationTests
{
    private const string Tiny = NGramModelTests.TinyArpa;

    [Theory]
    [InlineData("-0.3979400\ta\t-0.1461280", "-0.3979400\ta\t400", "the context \"a\" (back-off weight 400)")]
    [InlineData("-0.3010300\ta b", "0\ta b", "the context \"a\"")]
    [InlineData("-1.0000000\t<unk>", "0\t<unk>", "the unigrams")]
    public void Strict_AnOverweightContext_IsAnError_LenientWarns(string from, string to, string where)
    {
        string arpa = Tiny.Replace(from, to);
        Assert.NotEqual(Tiny, arpa);
        using var dir = new TempDirectory();
        string path = dir.File("heavy.arpa", arpa);
        var e = Assert.Throws<InputException>(() => NGramModel.Load(path));
        Assert.Equal(path, e.Subject);
        Assert.Contains(where, e.Message);
        Assert.Contains("more than 1", e.Message);
        var warnings = new List<string>();
        NGramModel.Load(path, new ArpaReadOptions { Lenient = true, Warning = warnings.Add });
        Assert.Contains(warnings, w => w.Contains(where, StringComparison.Ordinal));
    }

    [Fact]
    public void ATrainedModel_IsNormalizedAfterEveryContext()
    {
        // Kneser-Ney models sum to 1 after every context; the check must accept them at any order.
        string[] text = ["the cat sat on the mat", "the dog sat on the log", "a cat saw a dog", "the mat saw the cat"];
        for (int order = 2; order <= 4; order++)
        {
            var model = KneserNeyTrainer.Train(text.Select(s => (IReadOnlyList<string>)s.Split(' ')), new KneserNeyOptions { Order = order, DiscountFallback = new KneserNeyDiscount(0.5, 1, 1.5) }).Model;
            Assert.Null(NGramNormalization.FirstOverweight(model.Trie, model.BeginToken));
        }
    }
}
