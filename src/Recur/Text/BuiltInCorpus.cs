using System.Text;
using Recur.Tensors;

namespace Recur.Text;

/// <summary>
/// The built-in corpus (docs/cli.md, recur train): short scene descriptions such as
/// "the red rectangle is left of a blue circle ." drawn from a stochastic finite-state grammar
/// whose vocabulary includes every word of the docs/theory.md 2.4 tree example. Because the grammar
/// is known exactly, so is the entropy of its text: the floor no model can beat, which
/// `recur train` reports its distance from.
/// </summary>
public static class BuiltInCorpus
{
    /// <summary>The corpus's name in configs and reports.</summary>
    public const string Name = "builtin:scenes";

    /// <summary>The scene grammar. Subject and object noun phrases differ in their shape distributions; "and" chains relations.</summary>
    public static StochasticGrammar Grammar { get; } = Build();

    private static StochasticGrammar Build()
    {
        (string, double, string)[] Adjective(string colorState, string shapeState) =>
        [
            ("red", 0.35, shapeState), ("green", 0.2, shapeState), ("blue", 0.2, shapeState),
            ("small", 0.1, colorState), ("big", 0.15, colorState),
        ];
        (string, double, string)[] Color(string shapeState) =>
            [("red", 0.45, shapeState), ("green", 0.3, shapeState), ("blue", 0.25, shapeState)];
        return new StochasticGrammar(
        [
            ("start", [("the", 0.6, "adj1"), ("a", 0.4, "adj1")]),
            ("adj1", Adjective("color1", "shape1")),
            ("color1", Color("shape1")),
            ("shape1", [("rectangle", 0.4, "is"), ("circle", 0.25, "is"), ("square", 0.2, "is"), ("ellipse", 0.15, "is")]),
            ("is", [("is", 1.0, "relation")]),
            ("relation", [("left", 0.3, "of"), ("right", 0.2, "of"), ("above", 0.2, "det2"), ("below", 0.15, "det2"), ("next", 0.15, "to")]),
            ("of", [("of", 1.0, "det2")]),
            ("to", [("to", 1.0, "det2")]),
            ("det2", [("the", 0.55, "adj2"), ("a", 0.45, "adj2")]),
            ("adj2", Adjective("color2", "shape2")),
            ("color2", Color("shape2")),
            ("shape2", [("circle", 0.4, "end"), ("square", 0.25, "end"), ("rectangle", 0.2, "end"), ("ellipse", 0.15, "end")]),
            ("end", [(".", 0.85, "final"), ("and", 0.15, "relation")]),
        ], "final");
    }

    /// <summary>
    /// <paramref name="sentences"/> sentences drawn with <paramref name="seed"/>, one per line
    /// (words separated by spaces, each line ending in a newline).
    /// </summary>
    public static string Generate(int sentences, ulong seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sentences);
        var rng = new Rng(seed);
        var text = new StringBuilder(sentences * 48);
        for (int i = 0; i < sentences; i++) text.Append(StochasticGrammar.Render(Grammar.Sample(rng)));
        return text.ToString();
    }
}
