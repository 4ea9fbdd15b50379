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

    /// <summary>
    /// Opens (or creates) the log, keeping only records with step ≤ <paramref name="keepThroughStep"/>
    /// (none when null). Lines that are not a JSON object with an integer step — torn by a kill,
    /// or edited by hand — are dropped, so that appends start on a clean line.
    /// </summary>
    public MetricsLog(string path, long? keepThroughStep)
    {
        Path = path;
        if (keepThroughStep is { } keep && File.Exists(path))
        {
            var kept = File.ReadLines(path).Where(line => Parse(line) is { } o && StepOf(o) is { } s && s <= keep).ToArray();
            AtomicFile.WriteText(path, kept.Length == 0 ? "" : string.Join('\n', kept) + "\n");
        }
        else if (keepThroughStep is null && File.Exists(path))
        {
            File.Delete(path);
        }
        _writer = new StreamWriter(path, append: true, new System.Text.UTF8Encoding(false));
    }

    /// <summary>A number for a record: null where JSON has no number (NaN, ±∞).</summary>
    public static JsonNode? Number(double value) => double.IsFinite(value) ? JsonValue.Create(value) : null;

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
            if (Parse(line) is not { } o || StepOf(o) is not { } step) continue;
            if (NumberOf(o["train_loss"]) is { } t) train.Add((step, t));
            if (NumberOf(o["val_loss"]) is { } v) validation.Add((step, v));
        }
        return (train, validation);
    }

    // A line as a JSON object, or null when it is not one (a torn or damaged line).
    private static JsonObject? Parse(string line)
    {
        try
        {
            return JsonNode.Parse(line, documentOptions: ModelJson.NoDuplicateKeys) as JsonObject;
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException or ArgumentException)
        {
            return null;
        }
    }

    // A whole-number step (5 or 5.0), or null.
    private static long? StepOf(JsonObject o) =>
        NumberOf(o["step"]) is { } d && d == Math.Floor(d) && Math.Abs(d) < 1e18 ? (long)d : null;

    private static double? NumberOf(JsonNode? node)
    {
        if (node is not JsonValue v) return null;
        try
        {
            return v.TryGetValue(out double d) && double.IsFinite(d) ? d : null;
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException)
        {
            return null;
        }
    }
}
