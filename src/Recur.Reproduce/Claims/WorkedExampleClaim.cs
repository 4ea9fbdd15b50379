using Recur.Decoding;
using Recur.LanguageModels;
using Recur.LanguageModels.PrefixTrees;

namespace Recur.Reproduce.Claims;

/// <summary>docs/theory.md 2.4: the worked prefix tree, where greedy &lt; beam(2) &lt; exact, B = 3 finds −9.1 and B = 4 the exact answer.</summary>
public static class WorkedExampleClaim
{
    /// <summary>The check.</summary>
    public static ClaimResult Check(ReproduceOptions options)
    {
        var model = ClaimModels.WorkedExample();
        var exact = BestFirst.Search(model).Best!;
        var exhaustive = Exhaustive.Search(model, new ExhaustiveOptions { MaxLength = model.LongestSequence }).Best!;
        var greedy = Greedy.Decode(model).Best!;
        var afterTwo = BeamSearch.Decode(model, new BeamSearchOptions { Width = 2, MaxLength = 2, Count = 2 }).Sequences;
        var beam2 = BeamSearch.Decode(model, new BeamSearchOptions { Width = 2, Count = 2 }).Sequences;
        var beam3 = BeamSearch.Decode(model, new BeamSearchOptions { Width = 3 }).Best!;
        var beam4 = BeamSearch.Decode(model, new BeamSearchOptions { Width = 4 }).Best!;
        var nonMarkov = NonMarkovianModels.Measure();

        var checks = new List<bool>
        {
            !nonMarkov.EitherIsFiniteContext && nonMarkov.TreeOneSided > 0,
            Is(model, exact, "the green rectangle", -8.2) && Is(model, exhaustive, "the green rectangle", -8.2),
            Is(model, greedy, "the red rectangle", -9.1) && Math.Abs(exact.LogProbability - greedy.LogProbability - 0.9) < 1e-5,
            afterTwo.Count == 2 && Is(model, afterTwo[0], "a blue", -4.3) && Is(model, afterTwo[1], "a red", -4.5),
            beam2.Count == 2 && Is(model, beam2[0], "a blue square", -9.3) && Is(model, beam2[1], "a red circle", -9.4),
            // Widening the beam from 1 to 2 does worse here: beam search is not monotone in B.
            beam2[0].LogProbability < greedy.LogProbability && greedy.LogProbability < exact.LogProbability,
            Is(model, beam3, "the red rectangle", -9.1) && Is(model, beam4, "the green rectangle", -8.2),
        };
        string Line(DecodedSequence s) => Show.Text($"\"{Text(model, s)}\" {Show.Fixed(s.LogProbability, 4)}");
        string measured = string.Join("\n",
            "a: the tree is not an IFiniteContextModel (Viterbi refuses it); its predictions after \"the red\" and \"a red\" differ although both end in \"red\"",
            Show.Text($"a: exact best-first search {Line(exact)}; exhaustive search {Line(exhaustive)}"),
            Show.Text($"b: greedy {Line(greedy)}, a search error of {Show.Fixed(exact.LogProbability - greedy.LogProbability, 4)} nats"),
            Show.Text($"c: beam B = 2 after step 2: {string.Join(", ", afterTwo.Select(Line))}; result: {string.Join(", ", beam2.Select(Line))}"),
            Show.Text($"d: B = 3: {Line(beam3)}; B = 4: {Line(beam4)}; by log-probability beam(2) {Show.Fixed(beam2[0].LogProbability, 4)} < greedy {Show.Fixed(greedy.LogProbability, 4)} < exact {Show.Fixed(exact.LogProbability, 4)}"));
        return new ClaimResult("2.4", "The worked example: greedy, beam and exact search",
            "On the prefix tree of docs/theory.md 2.4 Viterbi does not apply; exact search finds \"the green rectangle\" (−8.2); greedy \"the red rectangle\" (−9.1, an error of 0.9 nats); beam B = 2 keeps \"a blue\" (−4.3) and \"a red\" (−4.5) after step 2 and returns \"a blue square\" (−9.3) and \"a red circle\" (−9.4); B = 3 finds −9.1 and B = 4 the exact answer.",
            measured,
            "every sequence and log-probability as printed in docs/theory.md (to 1e-5)",
            checks.All(c => c))
        {
            Notes =
            [
                "docs/theory.md 2.4d writes \"Greedy < beam(2) < exact here\". By its own printed log-probabilities beam(2) (−9.3) is below greedy (−9.1): the chain orders the searches by effort (B = 1, B = 2, exhaustive), not by result. Widening a beam can make the answer worse — beam search is not monotone in B — until B = 4 recovers the exact answer.",
            ],
            Tree = Diagram(model, [("greedy", greedy), ("beam B = 2", beam2[0]), ("exact", exact)]),
        };
    }

    private static bool Is(ILanguageModel model, DecodedSequence s, string text, double logProb) =>
        Text(model, s) == text && Math.Abs(s.LogProbability - logProb) < 1e-5;

    private static string Text(ILanguageModel model, DecodedSequence s) => s.Words(model);

    // The whole tree, depth-first, with each decoder's answer as a path of node ids.
    private static TreeDiagram Diagram(PrefixTreeModel model, (string Label, DecodedSequence Sequence)[] answers)
    {
        var nodes = new List<TreeNode> { new(0, -1, 0, "<bos>", 0, 0) };
        void Add(IReadOnlyList<TreeBranch> branches, int parent, int depth, double prefix)
        {
            foreach (var b in branches)
            {
                int id = nodes.Count;
                nodes.Add(new TreeNode(id, parent, depth, b.Token, b.LogProbability, prefix + b.LogProbability));
                Add(b.Children, id, depth + 1, prefix + b.LogProbability);
            }
        }
        Add(ClaimModels.WorkedExampleBranches(), 0, 1, 0);
        var paths = new List<TreePath>();
        foreach (var (label, sequence) in answers)
        {
            var ids = new List<int>();
            int at = 0;
            foreach (int token in sequence.Tokens)
            {
                if (token == model.EndToken) break;
                string word = model.Vocabulary[token];
                at = nodes.First(n => n.Parent == at && n.Token == word).Id;
                ids.Add(at);
            }
            paths.Add(new TreePath(label, [.. ids], sequence.LogProbability));
        }
        return new TreeDiagram("2.4-tree", "docs/theory.md 2.4: the paths greedy, beam (B = 2) and exact search choose", nodes, paths);
    }
}
