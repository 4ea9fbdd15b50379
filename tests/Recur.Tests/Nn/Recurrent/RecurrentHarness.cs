using Recur.Diagnostics;
using Recur.Nn.Recurrent;
using Recur.Tensors;
using Recur.Tests.Support;

namespace Recur.Tests.Nn.Recurrent;

/// <summary>
/// A stack with seeded inputs, a carried-in initial state and the loss
/// L = Σ out ⊙ W_out + Σ h_T ⊙ W_h + Σ c_T ⊙ W_c with fixed random weights, so that every
/// gradient (input, initial state, each parameter) is nontrivial. In training mode the dropout
/// generator is reset before each forward pass, so every evaluation of L sees the same masks.
/// </summary>
internal sealed class RecurrentHarness
{
    private readonly ulong _dropoutSeed;

    public RecurrentHarness(RecurrentOptions options, int steps, int batch, ulong seed, bool training, float stateScale = 0.5f)
    {
        var rng = new Rng(seed);
        Stack = new RecurrentStack(options, rng) { Training = training };
        Steps = steps;
        Batch = batch;
        Input = Data.Uniform(rng, steps * batch * options.InputSize);
        OutputWeights = Data.Uniform(rng, steps * batch * options.HiddenSize);
        Initial = Stack.CreateState(batch);
        rng.FillUniform(Initial.Hidden.Span, -stateScale, stateScale);
        if (Initial.Cell is not null) rng.FillUniform(Initial.Cell.Span, -stateScale, stateScale);
        FinalWeights = Stack.CreateState(batch);
        rng.FillUniform(FinalWeights.Hidden.Span, -1, 1);
        if (FinalWeights.Cell is not null) rng.FillUniform(FinalWeights.Cell.Span, -1, 1);
        Output = new float[steps * batch * options.HiddenSize];
        Final = Stack.CreateState(batch);
        _dropoutSeed = seed + 1000;
    }

    public RecurrentStack Stack { get; }
    public int Steps { get; }
    public int Batch { get; }
    public float[] Input { get; }
    public float[] OutputWeights { get; }
    public RecurrentState Initial { get; }
    public RecurrentState FinalWeights { get; }
    public float[] Output { get; }
    public RecurrentState Final { get; }

    /// <summary>Runs the forward pass and returns L in double.</summary>
    public double Loss()
    {
        if (Stack.Training) Stack.DropoutRng = new Rng(_dropoutSeed);
        Stack.Forward(Input, Output, Steps, Batch, Initial, Final);
        double loss = Dot(Output, OutputWeights) + Dot(Final.Hidden.Span, FinalWeights.Hidden.Span);
        if (Final.Cell is not null) loss += Dot(Final.Cell.Span, FinalWeights.Cell!.Span);
        return loss;
    }

    /// <summary>Clears the parameter gradients, runs forward and backward; returns ∂L/∂input and ∂L/∂initial state.</summary>
    public (float[] DInput, RecurrentState DInitial) Gradients()
    {
        foreach (var p in Stack.Parameters()) p.Grad.Clear();
        Loss();
        var dInput = new float[Input.Length];
        var dInitial = Stack.CreateState(Batch);
        Stack.Backward(OutputWeights, dInput, FinalWeights, dInitial);
        return (dInput, dInitial);
    }

    /// <summary>Checks every gradient against central differences; one report per tensor.</summary>
    public List<GradientChecker.Report> CheckAll(GradientChecker.Options options)
    {
        var (dInput, dInitial) = Gradients();
        var analytic = Stack.Parameters().Select(p => (p, p.Grad.Span.ToArray())).ToList();
        var reports = new List<GradientChecker.Report>
        {
            GradientChecker.Check("input", Input, dInput, Loss, options),
            GradientChecker.Check("h0", Initial.Hidden.Span, dInitial.Hidden.Span, Loss, options),
        };
        if (Initial.Cell is not null) reports.Add(GradientChecker.Check("c0", Initial.Cell.Span, dInitial.Cell!.Span, Loss, options));
        foreach (var (p, grad) in analytic) reports.Add(GradientChecker.Check(p.Name, p.Value.Span, grad, Loss, options));
        return reports;
    }

    private static double Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += (double)a[i] * b[i];
        return s;
    }
}
