namespace Recur.Reproduce.Claims;

/// <summary>
/// The outcome of checking one numbered claim of docs/theory.md (<see cref="Reproduction"/>): what
/// the claim says, what was measured, what was expected, whether it passed, and the data of
/// its figures and tables, which the command line draws and writes into report.md.
/// </summary>
/// <param name="Id">The claim's number in docs/theory.md, e.g. "2.2".</param>
/// <param name="Title">A few words naming it.</param>
/// <param name="Claim">The claim, in one or two sentences.</param>
/// <param name="Measured">What the check measured.</param>
/// <param name="Expected">What the claim predicts for those measurements.</param>
/// <param name="Passed">Whether every gated measurement met its expectation.</param>
public sealed record ClaimResult(string Id, string Title, string Claim, string Measured, string Expected, bool Passed)
{
    /// <summary>PASS or FAIL.</summary>
    public string Status => Passed ? "PASS" : "FAIL";

    /// <summary>
    /// Where docs/theory.md corrects a common loose answer: that answer, what it predicts, and the
    /// measurement that contradicts it. Null when the claim corrects nothing.
    /// </summary>
    public string? Correction { get; init; }

    /// <summary>Further observations for the report (reported, not gated: run times on a shared machine, for instance).</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>Line charts to draw.</summary>
    public IReadOnlyList<ClaimFigure> Figures { get; init; } = [];

    /// <summary>Tables for the report.</summary>
    public IReadOnlyList<ClaimTable> Tables { get; init; } = [];

    /// <summary>A search tree to draw with marked paths (docs/theory.md 2.4); null otherwise.</summary>
    public TreeDiagram? Tree { get; init; }
}

/// <summary>How a series is drawn.</summary>
public enum SeriesStyle
{
    /// <summary>A solid line.</summary>
    Line,
    /// <summary>A line with point markers (measurements at a few sizes).</summary>
    Markers,
    /// <summary>A dashed line (a bound, a fitted law, a reference).</summary>
    Dashed,
}

/// <summary>One line of a figure; points a log axis cannot show (zero, negative, non-finite) are left out when drawn.</summary>
public sealed record ClaimSeries(string Label, double[] X, double[] Y, SeriesStyle Style = SeriesStyle.Line);

/// <summary>A line chart: <paramref name="Name"/> is its file name without extension.</summary>
public sealed record ClaimFigure(string Name, string Title, string XLabel, string YLabel, IReadOnlyList<ClaimSeries> Series, bool LogX = false, bool LogY = false);

/// <summary>A table: a header row and rows of the same width.</summary>
public sealed record ClaimTable(string Title, string[] Header, IReadOnlyList<string[]> Rows);

/// <summary>A node of a drawn search tree: its token, its conditional log-probability and the prefix's.</summary>
/// <param name="Id">Index in <see cref="TreeDiagram.Nodes"/>; the root (the begin token) is 0.</param>
/// <param name="Parent">The parent's Id; −1 for the root.</param>
/// <param name="Depth">Tokens after the begin token (0 for the root).</param>
/// <param name="Token">The token.</param>
/// <param name="LogProbability">log p(token | the path to it).</param>
/// <param name="PrefixLogProbability">log p of the whole path to and including it.</param>
public sealed record TreeNode(int Id, int Parent, int Depth, string Token, double LogProbability, double PrefixLogProbability);

/// <summary>A path from the root to a leaf that a decoder chose.</summary>
/// <param name="Label">The decoder, e.g. "greedy".</param>
/// <param name="Nodes">Node ids from the root's child to the leaf.</param>
/// <param name="LogProbability">log p of the path.</param>
public sealed record TreePath(string Label, int[] Nodes, double LogProbability);

/// <summary>A search tree with the paths of several decoders marked on it.</summary>
public sealed record TreeDiagram(string Name, string Title, IReadOnlyList<TreeNode> Nodes, IReadOnlyList<TreePath> Paths);
