using System.CommandLine;
using Recur.Formats;
using Recur.LanguageModels.Rnn;
using Recur.Training;

namespace Recur.Cli.Commands;

/// <summary>
/// `recur export --checkpoint DIR --onnx FILE` writes the model as an ONNX graph of one decoding
/// step for ONNX Runtime; `--out DIR2 [--dtype f16|bf16]` writes a smaller copy of the
/// checkpoint for generation and evaluation (docs/cli.md, docs/formats.md).
/// </summary>
internal static class ExportCommand
{
    public static Command Create()
    {
        var checkpoint = new Option<DirectoryInfo>("--checkpoint") { Description = "A `recur train` run folder", Required = true }.MustBeRunFolder();
        var onnx = new Option<FileInfo>("--onnx") { Description = "Write the model as an ONNX graph of one decoding step (opset 17, float32) to this file" };
        var output = new Option<DirectoryInfo>("--out") { Description = "Write a copy of the checkpoint (config and weights, no optimizer state) to this new folder, for generate, eval and PyTorch" };
        var dtype = ChoiceOption.Create("--dtype", "With --out: how the weights are stored — f32 as trained, f16 or bf16 at half the size", WeightPrecision.F32);
        var cmd = new Command("export", "Export a trained model: an ONNX graph for ONNX Runtime, or a checkpoint with 16-bit weights.")
        {
            checkpoint, onnx, output, dtype,
        };
        cmd.SetAction(parse =>
        {
            string dir = parse.GetValue(checkpoint)!.FullName;
            string? onnxPath = parse.GetValue(onnx)?.FullName;
            string? outDir = parse.GetValue(output)?.FullName;
            var precision = parse.GetValue(dtype);
            if (onnxPath is null && outDir is null) throw new InputException("--onnx", "say what to write: --onnx FILE, --out DIR, or both");
            if (outDir is null && parse.GetResult(dtype) is { Implicit: false }) throw new InputException("--dtype", "applies to --out: the ONNX graph is written in float32");
            // Every output is checked before the model is loaded or anything is written.
            string source = RunFolder.CheckpointOf(dir);
            if (onnxPath is not null) OutputPaths.MustNotBeAnInput("--onnx", onnxPath, Directory.GetFiles(source));
            if (outDir is not null && Directory.Exists(outDir) && Directory.EnumerateFileSystemEntries(outDir).Any())
                throw new InputException("--out", $"{outDir} is not empty; give a new folder");
            var (model, config) = Checkpoint.LoadModel(source);
            var stdout = parse.InvocationConfiguration.Output;
            if (onnxPath is not null)
            {
                RnnOnnxExport.Write(model, onnxPath, Program.Version);
                stdout.WriteLine($"wrote {onnxPath}: one decoding step of {Describe(config)}, {new FileInfo(onnxPath).Length:N0} bytes");
            }
            if (outDir is not null)
            {
                RunFolder.Publish(outDir, config.Step, folder =>
                {
                    Checkpoint.SaveModel(folder, model, config.Step, precision);
                    CheckpointConfig.Save(folder, config);
                });
                string weights = Path.Combine(outDir, RunFolder.CheckpointName(config.Step), Checkpoint.ModelFile);
                stdout.WriteLine($"wrote {outDir}: {Describe(config)} at step {config.Step}, weights {Choice<WeightPrecision>.Name(precision)} ({new FileInfo(weights).Length:N0} bytes)");
            }
            return ExitCodes.Success;
        });
        return cmd;
    }

    private static string Describe(CheckpointConfig c) =>
        $"{Choice<Nn.Recurrent.CellKind>.Name(c.Model.Cell)}, {c.Model.Layers} × H {c.Model.Hidden}, {c.Tokenizer.Vocabulary.Count:N0} tokens";
}
