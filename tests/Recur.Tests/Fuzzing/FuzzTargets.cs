using System.Text;
using System.Text.Json;
using Recur.Decoding;
using Recur.Formats;
using Recur.LanguageModels.Files;
using Recur.LanguageModels.NGrams;
using Recur.Tagging;
using Recur.Text;
using Recur.Training;

namespace Recur.Tests.Fuzzing;

/// <summary>
/// A parser under fuzzing: the folder of its seeds (under Seeds/), and what it does with one
/// input — write it where the parser reads it, parse it, and use the result a little (decode,
/// score, tag) so that values a parser lets through are exercised too.
/// </summary>
internal sealed record FuzzTarget(string Name, string Seeds, Action<FuzzContext, byte[]> Run)
{
    public override string ToString() => Name;
}

/// <summary>A target's working folder, with a corpus and a run folder that the checkpoint targets read.</summary>
internal sealed class FuzzContext
{
    public FuzzContext(string work, string seeds)
    {
        Work = work;
        Corpus = Path.Combine(work, "corpus.txt");
        File.Copy(Path.Combine(seeds, "text", "shakespeare.txt"), Corpus, overwrite: true);
        Run = Path.Combine(work, "run");
        CheckpointFolder = Path.Combine(Run, "checkpoint-4");
        Directory.CreateDirectory(CheckpointFolder);
        foreach (string file in Directory.GetFiles(Path.Combine(seeds, "checkpoint")))
            File.Copy(file, Path.Combine(CheckpointFolder, Path.GetFileName(file)), overwrite: true);
        File.WriteAllText(Path.Combine(CheckpointFolder, Checkpoint.ConfigFile), WithCorpus(File.ReadAllBytes(Path.Combine(seeds, "checkpoint", Checkpoint.ConfigFile))));
        File.Copy(Path.Combine(seeds, "run", RunFolder.LatestFile), Path.Combine(Run, RunFolder.LatestFile), overwrite: true);
        Pristine = Directory.GetFiles(CheckpointFolder).ToDictionary(f => Path.GetFileName(f), File.ReadAllBytes);
    }

    public string Work { get; }
    public string Corpus { get; }
    public string Run { get; }
    public string CheckpointFolder { get; }

    /// <summary>The checkpoint's files as seeded, restored before each input.</summary>
    public Dictionary<string, byte[]> Pristine { get; }

    /// <summary>config.json with its corpus placeholder replaced by this context's corpus.</summary>
    public string WithCorpus(byte[] config) =>
        Encoding.UTF8.GetString(config).Replace("\"@CORPUS@\"", JsonSerializer.Serialize(Corpus), StringComparison.Ordinal);

    /// <summary>Writes <paramref name="bytes"/> to a file of the working folder and returns its path.</summary>
    public string Input(string name, byte[] bytes)
    {
        string path = Path.Combine(Work, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>Restores the run folder, then replaces one of the checkpoint's files with <paramref name="bytes"/>.</summary>
    public void Replace(string file, byte[] bytes)
    {
        foreach (var (name, content) in Pristine) File.WriteAllBytes(Path.Combine(CheckpointFolder, name), content);
        File.WriteAllText(Path.Combine(Run, RunFolder.LatestFile), "checkpoint-4\n");
        File.WriteAllBytes(Path.Combine(CheckpointFolder, file), bytes);
    }
}

internal static class FuzzTargets
{
    private static readonly string[][] Sentences = [["the", "cat", "sat"], ["a", "dog", "zzz", "the"], []];

    public static readonly FuzzTarget[] All =
    [
        new("text", "text", (c, input) =>
        {
            string path = c.Input("corpus-in.txt", input);
            TextFile.Read(path);
            var kind = (TokenizerKind)(input.Length % 3);
            TrainingData.FromFile(path, new TokenizerOptions { Kind = kind, BpeMerges = 20 });
        }),
        new("sentences", "sentences", (c, input) =>
        {
            string path = c.Input("sentences.txt", input);
            var sentences = SentenceCorpus.Read(path);
            KneserNeyTrainer.Train(sentences, new KneserNeyOptions { Order = 3, DiscountFallback = new KneserNeyDiscount(0.5, 1, 1.5) }, path);
        }),
        new("arpa-strict", "arpa", (c, input) => Score(NGramModel.Load(c.Input("model.arpa", input)))),
        new("arpa-lenient", "arpa", (c, input) => Score(NGramModel.Load(c.Input("model.arpa", input), new ArpaReadOptions { Lenient = true, Warning = _ => { } }))),
        new("markov-json", "markov", (c, input) => Decode(c.Input("markov.json", input))),
        new("tree-json", "tree", (c, input) => Decode(c.Input("tree.json", input))),
        new("tagger", "tagger", (c, input) =>
        {
            var tagger = HmmTagger.Load(c.Input("model.tagger", input));
            string[] words = ["The", "jury", "said", "zorbs", "."];
            new TagDecoder(tagger).Tag(words, new int[words.Length]);
        }),
        new("brown", "brown", (c, input) =>
        {
            var sentences = TaggedCorpus.Read(c.Input("brown.txt", input));
            HmmTagger.Train(sentences);
        }),
        new("config-json", "checkpoint/config.json", (c, input) =>
        {
            c.Replace(Checkpoint.ConfigFile, input);
            Checkpoint.LoadModel(c.Run);
        }),
        new("model-safetensors", "checkpoint/model.safetensors", (c, input) =>
        {
            c.Replace(Checkpoint.ModelFile, input);
            Checkpoint.LoadModel(c.Run);
        }),
        new("optimizer-safetensors", "checkpoint/optimizer.safetensors", (c, input) =>
        {
            c.Replace(Checkpoint.OptimizerFile, input);
            Trainer.Resume(c.Run, steps: 6, threads: 1);
        }),
        new("metrics-jsonl", "metrics", (c, input) =>
        {
            string path = c.Input("metrics.jsonl", input);
            MetricsLog.ReadLosses(path);
            using (new MetricsLog(path, keepThroughStep: 2)) { }
            MetricsLog.ReadLosses(path);
        }),
        new("moses-nbest", "nbest", (c, input) =>
        {
            using var lines = new TextLines(c.Input("nbest.txt", input));
            while (lines.Next() is { } line) MosesNBestEntry.Parse(line, "nbest.txt", lines.Number);
        }),
        new("run-latest", "run", (c, input) =>
        {
            c.Replace(Checkpoint.ConfigFile, Encoding.UTF8.GetBytes(c.WithCorpus(c.Pristine[Checkpoint.ConfigFile])));
            File.WriteAllBytes(Path.Combine(c.Run, RunFolder.LatestFile), input);
            RunFolder.CheckpointOf(c.Run);
        }),
    ];

    private static void Score(NGramModel model)
    {
        foreach (var sentence in Sentences) model.SentenceLog10Probability(sentence);
        BeamSearch.Decode(model, new BeamSearchOptions { Width = 2, MaxLength = 6 });
    }

    private static void Decode(string path)
    {
        var model = LanguageModelFiles.Load(path);
        Greedy.Decode(model, new GreedyOptions { MaxLength = 8 });
        BeamSearch.Decode(model, new BeamSearchOptions { Width = 3, MaxLength = 8 });
        if (model is Recur.LanguageModels.IFiniteContextModel finite) Viterbi.Decode(finite, new ViterbiOptions { MaxLength = 6 });
        BestFirst.Search(model, new BestFirstOptions { MaxLength = 6, MaxNodes = 10_000 });
    }
}
