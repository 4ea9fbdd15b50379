using Recur.Tests.Support;

namespace Recur.Tests.Examples;

/// <summary>
/// The C# programs in examples/ are built with the tests (project references) and run here as a
/// person runs them, each printing what its header comment promises.
/// </summary>
[Collection(nameof(ExampleProgramCollection))]
public sealed class ExampleProgramTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void HmmViterbi_FindsHealthyHealthyFever()
    {
        string output = Run("HmmViterbi");
        Assert.Contains("best path: Healthy Healthy Fever  p = 0.01512", output);
        Assert.Contains("p(symptoms) over all paths = 0.03628", output);
    }

    [Fact]
    public void BeamSearchArpa_ListsTheMostProbableSentences()
    {
        string output = Run("BeamSearchArpa", Path.Combine(SharedData.RepositoryRoot(), "examples", "tiny.arpa"));
        Assert.Contains("order 2, 5 words", output);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        Assert.EndsWith("(the empty sentence: <s> </s>)", lines[1].TrimEnd());   // p(</s> | <s>) = 10^-0.7782
        Assert.Contains("-0.7782", lines[1]);
        Assert.EndsWith(" a b", lines[3].TrimEnd());
    }

    [Fact]
    public void NGramScoring_TrainsWritesAndScoresATrigramModel()
    {
        string arpa = Path.Combine(_dir.Path, "scenes3.arpa");
        string output = Run("NGramScoring", arpa);
        Assert.True(File.Exists(arpa));
        Assert.Matches(@"held-out perplexity \d+\.\d{3} over \d+ tokens \(0 unknown words\)", output);
        Assert.Contains("(not a sentence of the grammar)", output);
    }

    [Fact]
    public void TrainAndGenerate_TrainsThenWritesText()
    {
        string output = Run("TrainAndGenerate", "40");
        Assert.Contains("step 40/40", output);
        Assert.Matches(@"validation loss \d\.\d{3} nats/char; the corpus entropy is \d\.\d{3}", output);
        Assert.Contains("beam 4:  the ", output);
        Assert.Equal(2, output.Split('\n').Count(l => l.StartsWith("sampled: the ", StringComparison.Ordinal)));
    }

    // Runs the example's entry point in this process with standard output captured.
    private static string Run(string example, params string[] args) => ExampleRunner.Run(example, args).Out;
}

/// <summary>Examples write to the console, which is process-wide: they run one at a time, apart from other tests.</summary>
[CollectionDefinition(nameof(ExampleProgramCollection), DisableParallelization = true)]
public class ExampleProgramCollection;
