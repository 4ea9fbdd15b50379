using System.Numerics.Tensors;
using Recur.LanguageModels.Rnn;
using Recur.Text;

namespace Recur.Diagnostics;

// Dimension glossary: T steps in the window, B rows (streams), H hidden units, V vocabulary,
// S state size of the top layer (H; 2H for the LSTM's (h, c)).

/// <summary>
/// How far back the loss of a trained language model reaches (docs/theory.md 1.2 on a real model):
/// for the loss ℓ_T = −log p(w_{T+1} | w_{≤T}) at the last position of a validation window,
/// the norm ‖∂ℓ_T/∂h_t‖ for t = T … 0, where h_t is the top recurrent layer's state. The
/// gradient is carried back by the exact per-step Jacobians of <see cref="RecurrentJacobian"/>
/// (a row vector times J_t, the LSTM's through (h, c)), so it equals what BPTT computes for
/// that loss. Each of the B rows is a stream of the validation text with its own ℓ_T; the
/// figures are means over rows.
/// </summary>
/// <param name="Steps">t = T, T − 1, …, 0.</param>
/// <param name="MeanNorm">Mean over rows of ‖∂ℓ_T/∂h_t‖, in the order of <paramref name="Steps"/>.</param>
/// <param name="MinNorm">Smallest row's norm per t.</param>
/// <param name="MaxNorm">Largest row's norm per t.</param>
/// <param name="MeanLoss">Mean ℓ_T over rows (nats).</param>
/// <param name="Rows">B.</param>
/// <param name="Layer">Index of the top layer whose states are measured.</param>
public sealed record GradientsThroughTime(int[] Steps, double[] MeanNorm, double[] MinNorm, double[] MaxNorm, double MeanLoss, int Rows, int Layer)
{
    /// <summary>
    /// Measures <paramref name="model"/> (put in evaluation mode, then restored) on
    /// <paramref name="tokens"/> cut into <paramref name="rows"/> streams: the first window of
    /// <paramref name="window"/> tokens warms the state up, as in training, and the second is
    /// measured (the first alone when the text is too short for two).
    /// </summary>
    public static GradientsThroughTime Measure(RnnLanguageModel model, int[] tokens, int window, int rows)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        var batches = new StreamBatches(tokens, rows, window);
        var inputs = new int[rows * window];
        var targets = new int[rows * window];
        var state = model.Rnn.CreateState(rows);
        bool training = model.Training;
        model.Training = false;
        try
        {
            for (int k = 0; k < Math.Min(2, batches.Count); k++)
            {
                batches.Fill(k, inputs, targets);
                model.Forward(inputs, targets, window, rows, state);
            }
        }
        finally
        {
            model.Training = training;
        }
        var layer = model.Rnn.Layers[^1];
        int h = layer.HiddenSize, s = RecurrentJacobian.StateSize(layer);
        var mean = new double[window + 1];
        var min = new double[window + 1];
        var max = new double[window + 1];
        Array.Fill(min, double.PositiveInfinity);
        double loss = 0;
        var g = new double[s];                     // ∂ℓ_T/∂s_t as a row vector
        var next = new double[s];
        var jacobian = new double[s * s];
        var headInput = Recur.Tensors.Tensor.Zeros(1, h);   // one row of the last layer's output
        // The output layer's backward pass adds into the model's gradients: keep them as they were.
        var saved = model.Parameters().Select(p => p.Grad.Span.ToArray()).ToArray();
        for (int b = 0; b < rows; b++)
        {
            layer.Hidden(window).Slice(b * h, h).CopyTo(headInput.Span);
            loss += model.Head.Forward(headInput, [targets[(window - 1) * rows + b]]);
            var dHidden = model.Head.Backward().Span;
            for (int k = 0; k < h; k++) g[k] = dHidden[k];
            g.AsSpan(h).Clear();
            for (int t = window; t >= 0; t--)
            {
                double norm = TensorPrimitives.Norm<double>(g.AsSpan(0, h));
                int k = window - t;
                mean[k] += norm / rows;
                min[k] = Math.Min(min[k], norm);
                max[k] = Math.Max(max[k], norm);
                if (t == 0) break;
                RecurrentJacobian.Step(layer, t, b, jacobian);
                // g ← g·J_t: ∂ℓ/∂s_{t−1}[k] = Σ_j ∂ℓ/∂s_t[j]·J_t[j, k].
                Array.Clear(next);
                for (int j = 0; j < s; j++)
                    if (g[j] != 0) TensorPrimitives.MultiplyAdd(jacobian.AsSpan(j * s, s), g[j], next, next);
                (g, next) = (next, g);
            }
        }
        int index = 0;
        foreach (var p in model.Parameters()) saved[index++].CopyTo(p.Grad.Span);
        var steps = new int[window + 1];
        for (int k = 0; k <= window; k++) steps[k] = window - k;
        return new GradientsThroughTime(steps, mean, min, max, loss / rows, rows, model.Rnn.Layers.Count - 1);
    }
}
