using Recur.Formats;
using Recur.Kernels;
using Recur.Nn.Recurrent;
using Recur.Tensors;
using Recur.Tests.Support;

namespace Recur.Tests.Nn.Recurrent;

/// <summary>
/// Parity with PyTorch (tools/golden/recurrent.py): nn.RNN (tanh, ReLU), nn.LSTM and nn.GRU with
/// one and two layers and initial states, plus the pre-activation and layer-normalized variants
/// from the script's autograd reference. Weights are set by their PyTorch names; outputs, final
/// states and every gradient must match the float64 reference within 1e-4 relative, 1e-6
/// absolute (1e-5 with layer norm: its 1/σ amplifies float32 cancellation in small gradient
/// entries, and PyTorch's own float32 run misses 1e-6 on rnn_ln_tanh_l2 by 2.6e-5). Each case
/// also runs with SIMD forced off.
/// </summary>
public class RecurrentGoldenTests
{
    private const double Rtol = 1e-4;

    private static readonly string[] Names =
    [
        "rnn_tanh_l1", "rnn_tanh_l2", "rnn_relu_l1", "rnn_relu_l2", "lstm_l1", "lstm_l2", "gru_l1", "gru_l2",
        "rnn_pre_sigmoid_l2", "rnn_ln_tanh_l2", "rnn_pre_ln_relu_l2", "lstm_ln_l2", "gru_ln_l2",
    ];

    public static TheoryData<string, bool> Cases()
    {
        var data = new TheoryData<string, bool>();
        foreach (string name in Names)
        {
            data.Add(name, true);
            data.Add(name, false);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Stack_PyTorchGolden_MatchesOutputsStatesAndGradients(string name, bool simd)
    {
        using var _ = simd ? (IDisposable?)null : Simd.ForceScalar();
        var file = Safetensors.Load(Path.Combine(AppContext.BaseDirectory, "Golden", "recurrent", name + ".safetensors"));
        var meta = file.Metadata;
        int steps = int.Parse(meta["steps"]), batch = int.Parse(meta["batch"]);
        var options = new RecurrentOptions(Enum.Parse<CellKind>(meta["cell"], ignoreCase: true), int.Parse(meta["input"]), int.Parse(meta["hidden"]))
        {
            Layers = int.Parse(meta["layers"]),
            Activation = Enum.Parse<Activation>(meta["activation"], ignoreCase: true),
            Form = Enum.Parse<ElmanForm>(meta["form"], ignoreCase: true),
            LayerNorm = meta["layer_norm"] == "1",
        };
        var stack = new RecurrentStack(options, new Rng(1));
        double atol = options.LayerNorm ? 1e-5 : 1e-6;

        // Every parameter comes from the file by its PyTorch name and shape, and every stored
        // parameter is used.
        int stored = file.Names.Count(n => n.Contains("_l") && !n.StartsWith("grad.", StringComparison.Ordinal));
        Assert.Equal(stored, stack.Parameters().Count());
        foreach (var p in stack.Parameters())
        {
            Assert.Equal(file.ShapeOf(p.Name), p.Shape.ToArray());
            file.GetFloat32(p.Name).CopyTo(p.Value.Span);
        }

        var initial = stack.CreateState(batch);
        file.GetFloat32("h0").CopyTo(initial.Hidden.Span);
        if (initial.Cell is not null) file.GetFloat32("c0").CopyTo(initial.Cell.Span);
        var final = stack.CreateState(batch);
        var output = new float[steps * batch * options.HiddenSize];
        stack.Forward(file.GetFloat32("x"), output, steps, batch, initial, final);
        AssertClose.All(file.GetFloat32("out"), output, Rtol, atol, "out");
        AssertClose.All(file.GetFloat32("h_n"), final.Hidden.Span, Rtol, atol, "h_n");
        if (final.Cell is not null) AssertClose.All(file.GetFloat32("c_n"), final.Cell.Span, Rtol, atol, "c_n");

        var dFinal = stack.CreateState(batch);
        file.GetFloat32("w_hn").CopyTo(dFinal.Hidden.Span);
        if (dFinal.Cell is not null) file.GetFloat32("w_cn").CopyTo(dFinal.Cell.Span);
        var dInitial = stack.CreateState(batch);
        var dInput = new float[steps * batch * options.InputSize];
        stack.Backward(file.GetFloat32("w_out"), dInput, dFinal, dInitial);
        AssertClose.All(file.GetFloat32("grad.x"), dInput, Rtol, atol, "grad.x");
        AssertClose.All(file.GetFloat32("grad.h0"), dInitial.Hidden.Span, Rtol, atol, "grad.h0");
        if (dInitial.Cell is not null) AssertClose.All(file.GetFloat32("grad.c0"), dInitial.Cell.Span, Rtol, atol, "grad.c0");
        foreach (var p in stack.Parameters())
            AssertClose.All(file.GetFloat32("grad." + p.Name), p.Grad.Span, Rtol, atol, "grad." + p.Name);
    }
}
