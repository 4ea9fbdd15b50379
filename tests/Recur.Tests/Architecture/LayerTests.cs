using System.Text.RegularExpressions;
using Mono.Cecil;
using Mono.Cecil.Cil;
using Recur.Tensors;

namespace Recur.Tests.Architecture;

/// <summary>
/// The folders of src/Recur depend one way, lowest first (docs/architecture.md). These tests
/// read the compiled library, so a reference in any method body counts, and fail with the
/// offending type references when a folder reaches upward, sideways, or into a cycle.
/// </summary>
public sealed partial class LayerTests
{
    /// <summary>
    /// The library's layers, lowest first: a folder may use folders of lower layers only.
    /// Folders of one layer are siblings and do not use each other. A new folder must be
    /// placed here (and in docs/architecture.md) on purpose.
    /// </summary>
    private static readonly string[][] Layers =
    [
        ["Recur"],                                   // InputException, Choice: words every layer uses
        ["Recur.Kernels"],                           // span kernels, GEMM, SIMD dispatch
        ["Recur.Tensors"],                           // Shape, Tensor, Parameter, Rng
        ["Recur.Formats"],                           // safetensors, atomic files, strict JSON and text lines
        ["Recur.Nn", "Recur.Optim", "Recur.Text"],   // layers; optimizers; tokenizers and corpora
        ["Recur.LanguageModels"],                    // ILanguageModel and the models, each with its file format
        ["Recur.Decoding"],                          // searches over ILanguageModel
        ["Recur.Tagging", "Recur.Training"],         // the HMM tagger; Trainer, checkpoints, metrics
        ["Recur.Diagnostics"],                       // gradient checks, Jacobians, gradients through time
    ];

    private static readonly Lazy<DependencyGraph> Library = new(() => DependencyGraph.Read(typeof(Tensor).Assembly.Location));

    private static readonly Lazy<DependencyGraph> Reproduce = new(() => DependencyGraph.Read(typeof(Recur.Reproduce.Claims.Reproduction).Assembly.Location));

    [Fact]
    public void Library_EveryFolderHasALayer()
    {
        var unplaced = Library.Value.Namespaces.Where(ns => LayerOf(ns) < 0).ToList();
        Assert.True(unplaced.Count == 0, $"Folders without a layer in LayerTests.Layers: {string.Join(", ", unplaced)}");
    }

    [Fact]
    public void Library_FoldersUseOnlyLowerLayers()
    {
        var graph = Library.Value;
        var wrong = new List<string>();
        foreach (string from in graph.Namespaces)
            foreach (var (to, examples) in graph.Uses(from))
            {
                if (TopFolder(from) == TopFolder(to)) continue;
                if (LayerOf(to) >= LayerOf(from)) wrong.Add($"{from} → {to} (layer {LayerOf(from)} → {LayerOf(to)}), e.g. {examples.First()}");
            }
        Assert.True(wrong.Count == 0, "Folders reaching sideways or upward:\n" + string.Join("\n", wrong));
    }

    [Fact]
    public void Library_FoldersFormNoCycle() => AssertAcyclic(Library.Value);

    [Fact]
    public void Reproduce_FoldersFormNoCycle() => AssertAcyclic(Reproduce.Value);

    [Fact]
    public void Decoding_SeesModelsOnlyThroughTheContract()
    {
        var graph = Library.Value;
        var concrete = graph.Namespaces
            .Where(ns => ns.StartsWith("Recur.Decoding", StringComparison.Ordinal))
            .SelectMany(ns => graph.Uses(ns).Where(u => u.Key.StartsWith("Recur.LanguageModels.", StringComparison.Ordinal)).Select(u => u.Value.First()))
            .ToList();
        Assert.True(concrete.Count == 0, "Decoding uses concrete models (it should see only Recur.LanguageModels' ILanguageModel):\n" + string.Join("\n", concrete));
    }

    [Fact]
    public void LanguageModelContract_UsesNoModel()
    {
        var uses = Library.Value.Uses("Recur.LanguageModels").Where(u => u.Key.StartsWith("Recur.LanguageModels.", StringComparison.Ordinal)).ToList();
        Assert.True(uses.Count == 0, "The contract folder uses a model folder: " + string.Join("; ", uses.Select(u => u.Value.First())));
    }

    [Fact]
    public void Library_NamesNoCommandLineFlag()
    {
        using var module = ModuleDefinition.ReadModule(typeof(Tensor).Assembly.Location);
        var flags = new List<string>();
        foreach (var type in module.GetTypes())
            foreach (var method in type.Methods.Where(m => m.HasBody))
                foreach (var ins in method.Body.Instructions)
                    if (ins.OpCode == OpCodes.Ldstr && ins.Operand is string s && Flag().IsMatch(s))
                        flags.Add($"{type.FullName}.{method.Name}: \"{s}\"");
        Assert.True(flags.Count == 0, "The library speaks the command line (name the option property instead; the CLI maps it):\n" + string.Join("\n", flags));
    }

    [Fact]
    public void Library_KnowsNoConsole()
    {
        using var module = ModuleDefinition.ReadModule(typeof(Tensor).Assembly.Location);
        Assert.DoesNotContain(module.GetTypeReferences(), t => t.FullName == "System.Console");
    }

    private static void AssertAcyclic(DependencyGraph graph)
    {
        // Depth-first search; a grey node reached again closes a cycle.
        var state = new Dictionary<string, int>(StringComparer.Ordinal);
        var path = new List<string>();
        List<string>? cycle = null;
        void Visit(string ns)
        {
            state[ns] = 1;
            path.Add(ns);
            foreach (string next in graph.Uses(ns).Keys)
            {
                if (cycle is not null) return;
                if (state.GetValueOrDefault(next) == 1) cycle = [.. path.Skip(path.IndexOf(next)), next];
                else if (state.GetValueOrDefault(next) == 0) Visit(next);
            }
            path.RemoveAt(path.Count - 1);
            state[ns] = 2;
        }
        foreach (string ns in graph.Namespaces)
            if (cycle is null && state.GetValueOrDefault(ns) == 0) Visit(ns);
        Assert.True(cycle is null, cycle is null ? "" : "Folders in a cycle: " + string.Join(" → ", cycle) + "\n" +
            string.Join("\n", cycle.Zip(cycle.Skip(1), (a, b) => graph.Uses(a)[b].First())));
    }

    private static string TopFolder(string ns)
    {
        string[] parts = ns.Split('.');
        return parts.Length < 2 ? parts[0] : parts[0] + "." + parts[1];
    }

    private static int LayerOf(string ns)
    {
        string top = TopFolder(ns);
        for (int i = 0; i < Layers.Length; i++)
            if (Layers[i].Contains(top)) return i;
        return -1;
    }

    [GeneratedRegex(@"(^|[^\w-])--[a-z][a-z-]+")]
    private static partial Regex Flag();
}
