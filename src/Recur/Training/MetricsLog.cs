using System.Globalization;
using System.Text.Json.Nodes;
using Recur.Formats;

namespace Recur.Training;

/// <summary>
/// metrics.jsonl: one JSON object per line, appended as training goes — {"step","train_loss",
/// "lr","grad_norm","tokens_per_s"} per step, {"step","val_loss","val_ppl"} per validation.
/// Appends are flushed at every checkpoint; resuming first drops lines past the checkpoint's
/// step, so a resumed run's log reads as if it had never stopped.
/// </summary>
public sealed class MetricsLog : IDisposable
{
    private readonly StreamWriter _writer;

    /// <summary>Opens (or creates) the log, keeping only lines with step ≤ <paramref name="keepThroughStep"/> (all when null).</summary>
    public MetricsLog(string path, long? keepThroughStep)
    {
        Path = path;
        if (keepThroughStep is { } keep && File.Exists(path))
        {
            var kept = File.ReadAllLines(path).Where(line => StepOf(line) is { } s && s <= keep).ToArray();
            AtomicFile.WriteText(path, kept.Length == 0 ? "" : string.Join('\n', kept) + "\n");
        }
        else if (keepThroughStep is null && File.Exists(path))
        {
            File.Delete(path);
        }
        _writer = new StreamWriter(path, append: true, new System.Text.UTF8Encoding(false));
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>Appends one record.</summary>
    public void Write(JsonObject record) => _writer.WriteLine(record.ToJsonString());

    /// <summary>Pushes buffered records to disk.</summary>
    public void Flush() => _writer.Flush();

    public void Dispose() => _writer.Dispose();

    /// <summary>Reads (step, train_loss) and (step, val_loss) series from a log, for plots.</summary>
    public static (List<(double Step, double Loss)> Train, List<(double Step, double Loss)> Validation) ReadLosses(string path)
    {
        var train = new List<(double, double)>();
        var validation = new List<(double, double)>();
        if (!File.Exists(path)) return (train, validation);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            if (JsonNode.Parse(line) is not JsonObject o || o["step"] is null) continue;
            double step = o["step"]!.GetValue<double>();
            if (o["train_loss"] is { } t) train.Add((step, t.GetValue<double>()));
            if (o["val_loss"] is { } v) validation.Add((step, v.GetValue<double>()));
        }
        return (train, validation);
    }

    private static long? StepOf(string line)
    {
        int i = line.IndexOf("\"step\":", StringComparison.Ordinal);
        if (i < 0) return null;
        int start = i + 7, end = start;
        while (end < line.Length && (char.IsDigit(line[end]) || line[end] == '-')) end++;
        return long.TryParse(line.AsSpan(start, end - start), NumberStyles.Integer, CultureInfo.InvariantCulture, out long s) ? s : null;
    }
}
