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
        int h = layer.HiddenSize, s = RecurrentJacobian.StateSize(layer), v = model.Vocabulary.Count;
        var head = model.Head.Weight.Value.Span;   // (V, H)
        var bias = model.Head.Bias!.Value.Span;    // (V)
        var mean = new double[window + 1];
        var min = new double[window + 1];
        var max = new double[window + 1];
        Array.Fill(min, double.PositiveInfinity);
        double loss = 0;
        var g = new double[s];                     // ∂ℓ_T/∂s_t as a row vector
        var next = new double[s];
        var jacobian = new double[s * s];
        var logits = new double[v];
        for (int b = 0; b < rows; b++)
        {
            loss += LastLossGradient(layer.Hidden(window).Slice(b * h, h), head, bias, targets[(window - 1) * rows + b], logits, g.AsSpan(0, h));
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
        var steps = new int[window + 1];
        for (int k = 0; k <= window; k++) steps[k] = window - k;
        return new GradientsThroughTime(steps, mean, min, max, loss / rows, rows, model.Rnn.Layers.Count - 1);
    }

    // ℓ = −log softmax(head·h + bias)[target]; writes ∂ℓ/∂h = headᵀ(p − onehot) and returns ℓ.
    private static double LastLossGradient(ReadOnlySpan<float> hidden, ReadOnlySpan<float> head, ReadOnlySpan<float> bias, int target,
        double[] logits, Span<double> dHidden)
    {
        int v = bias.Length, h = hidden.Length;
        double maxLogit = double.NegativeInfinity;
        for (int i = 0; i < v; i++)
        {
            double z = bias[i];
            for (int k = 0; k < h; k++) z += head[i * h + k] * (double)hidden[k];
            logits[i] = z;
            maxLogit = Math.Max(maxLogit, z);
        }
        double sum = 0;
        for (int i = 0; i < v; i++) sum += Math.Exp(logits[i] - maxLogit);
        double logSum = maxLogit + Math.Log(sum);   // log Σ e^z, with the max subtracted first
        dHidden.Clear();
        for (int i = 0; i < v; i++)
        {
            double d = Math.Exp(logits[i] - logSum) - (i == target ? 1 : 0);
            for (int k = 0; k < h; k++) dHidden[k] += d * head[i * h + k];
        }
        return logSum - logits[target];
    }
}
