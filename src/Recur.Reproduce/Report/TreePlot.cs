using System.Globalization;
using Recur.Plots;
using Recur.Reproduce.Claims;
using ScottPlot;

namespace Recur.Reproduce.Report;

/// <summary>
/// Draws a search tree (docs/theory.md 2.4) as a PNG: depth left to right, leaves top to bottom,
/// each node with its token and conditional log-probability, each leaf with the sequence's
/// log-probability, and every decoder's chosen path as a thick coloured line (offset a little,
/// so that paths sharing an edge stay visible).
/// </summary>
internal static class TreePlot
{
    private static readonly Color[] PathColors = [Colors.OrangeRed, Colors.RoyalBlue, Colors.ForestGreen, Colors.Purple];

    public static void Save(string path, TreeDiagram tree, int width = 1000, int height = 620)
    {
        var y = Positions(tree);
        var plot = new Plot();
        foreach (var node in tree.Nodes)
            if (node.Parent >= 0)
            {
                var edge = plot.Add.Line(node.Depth - 1, y[node.Parent], node.Depth, y[node.Id]);
                edge.LineColor = Colors.Gray;
                edge.LineWidth = 1;
            }
        for (int p = 0; p < tree.Paths.Count; p++)
        {
            var marked = tree.Paths[p];
            double offset = (p - (tree.Paths.Count - 1) / 2.0) * 0.12;
            int parent = 0;
            for (int k = 0; k < marked.Nodes.Length; k++)
            {
                var node = tree.Nodes[marked.Nodes[k]];
                var line = plot.Add.Line(node.Depth - 1, y[parent] + offset, node.Depth, y[node.Id] + offset);
                line.LineColor = PathColors[p % PathColors.Length];
                line.LineWidth = 4;
                if (k == 0) line.LegendText = string.Create(CultureInfo.InvariantCulture, $"{marked.Label}: log p = {marked.LogProbability:F1}");
                parent = node.Id;
            }
        }
        foreach (var node in tree.Nodes)
        {
            bool leaf = tree.Nodes.All(n => n.Parent != node.Id);
            string label = node.Parent < 0 ? node.Token
                : string.Create(CultureInfo.InvariantCulture, $"{node.Token} ({node.LogProbability:0.0})") +
                  (leaf ? string.Create(CultureInfo.InvariantCulture, $"\nΣ = {node.PrefixLogProbability:0.0}") : "");
            var text = plot.Add.Text(label, node.Depth, y[node.Id]);
            text.LabelFontSize = 15;
            text.LabelAlignment = Alignment.MiddleCenter;
            text.LabelBackgroundColor = Colors.White;
            text.LabelBorderColor = Colors.Black;
            text.LabelPadding = 4;
        }
        int depth = tree.Nodes.Max(n => n.Depth);
        plot.Axes.SetLimits(-0.4, depth + 0.5, y.Min() - 0.8, y.Max() + 0.8);
        plot.Axes.Frameless();
        plot.HideGrid();
        plot.Title(tree.Title);
        plot.ShowLegend(Alignment.LowerLeft);
        PngFile.Save(plot, path, width, height);
    }

    // Leaves take consecutive rows from the top, in the tree's order; an inner node sits at the mean of its children.
    private static double[] Positions(TreeDiagram tree)
    {
        var y = new double[tree.Nodes.Count];
        int row = 0;
        double Place(int id)
        {
            var children = tree.Nodes.Where(n => n.Parent == id).Select(n => n.Id).ToList();
            y[id] = children.Count == 0 ? -row++ : children.Select(Place).Average();
            return y[id];
        }
        Place(0);
        return y;
    }
}
