using Recur.LanguageModels.Markov;
using Recur.Text;

namespace Recur.Tests.LanguageModels.Markov;

public class MarkovModelTests
{
    private static readonly Vocabulary Tokens = new(["<bos>", "a", "b", "<eos>"]);
    private const float X = float.NegativeInfinity;

    private static float[] Valid() =>
    [
        X, -0.5f, -1.5f, -2.0f,
        X, -1.0f, -1.0f, -1.5f,
        X, -0.1f, X, -3.0f,
        X, X, X, X,
    ];

    [Fact]
    public void Step_ReadsTokens_WritesTheirRows()
    {
        var m = new MarkovModel(Tokens, 0, 3, Valid());
        var state = m.CreateState(2);
        var lp = new float[8];
        m.Step(state, [0, 2], lp);
        Assert.Equal(Valid().AsSpan(0, 4).ToArray(), lp[..4]);
        Assert.Equal(Valid().AsSpan(8, 4).ToArray(), lp[4..]);
        Assert.Equal([2], m.Context(state, 1).ToArray());
    }

    [Fact]
    public void Gather_CopiesRows_InTheGivenOrder()
    {
        var m = new MarkovModel(Tokens, 0, 3, Valid());
        var a = m.CreateState(2);
        var b = m.CreateState(3);
        m.Step(a, [1, 2], new float[8]);
        m.Gather(a, [1, 1, 0], b);
        Assert.Equal([2], m.Context(b, 0).ToArray());
        Assert.Equal([1], m.Context(b, 2).ToArray());
        Assert.Throws<ArgumentException>(() => m.Gather(a, [0, 1], a));
        Assert.Throws<ArgumentException>(() => m.Gather(a, [0, 1], b));
    }

    [Fact]
    public void Step_TokenOutOfRange_Throws()
    {
        var m = new MarkovModel(Tokens, 0, 3, Valid());
        Assert.Throws<ArgumentOutOfRangeException>(() => m.Step(m.CreateState(1), [4], new float[4]));
    }

    [Theory]
    [InlineData(1, 1, 0.5f, "log-probabilities must be ≤ 0")]
    [InlineData(1, 1, float.NaN, "NaN")]
    [InlineData(1, 0, -1f, "begin token is never predicted")]
    [InlineData(3, 1, -1f, "nothing follows the end token")]
    [InlineData(1, 3, -0.1f, "sums to")]
    public void Constructor_BadEntry_ThrowsNamingRowAndColumn(int row, int column, float value, string expected)
    {
        var lp = Valid();
        lp[row * 4 + column] = value;
        var e = Assert.Throws<ArgumentException>(() => new MarkovModel(Tokens, 0, 3, lp));
        Assert.Contains(expected, e.Message);
        Assert.Contains($"row {row}", e.Message);
    }

    [Fact]
    public void Constructor_RowSumWithinTolerance_IsAccepted()
    {
        var lp = Valid();
        lp[4..8].AsSpan().Fill((float)Math.Log(1 / 3.0 + 1e-7));
        lp[4] = X;
        _ = new MarkovModel(Tokens, 0, 3, lp);
    }

    [Fact]
    public void Constructor_WrongSizeOrSameBeginAndEnd_Throws()
    {
        Assert.Throws<ArgumentException>(() => new MarkovModel(Tokens, 0, 3, new float[15]));
        Assert.Throws<ArgumentException>(() => new MarkovModel(Tokens, 0, 0, Valid()));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MarkovModel(Tokens, 4, -1, Valid()));
    }
}
