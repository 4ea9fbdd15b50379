using Recur.LanguageModels.Rnn;
using TorchSharp;
using TorchSharp.Modules;

namespace Recur.Bench;

// Dimension glossary: T steps, B batch, V vocabulary, E embedding, H hidden, L layers.

/// <summary>
/// The TorchSharp twin of an <see cref="RnnLanguageModel"/> with an LSTM: nn.Embedding →
/// nn.LSTM → nn.Linear, trained with torch.optim.Adam and clip_grad_norm_ exactly as Recur's
/// trainer does, carrying the detached state across batches. It starts from a copy of the
/// Recur model's weights (same names), so both sides train the same network.
/// </summary>
internal sealed class LanguageModelPeer : IDisposable
{
    private readonly Embedding _embedding;
    private readonly LSTM _lstm;
    private readonly Linear _head;
    private readonly torch.optim.Optimizer _optimizer;
    private readonly List<TorchSharp.Modules.Parameter> _parameters = [];
    private torch.Tensor? _h, _c;
    private readonly int _layers, _hidden, _vocabulary;

    public LanguageModelPeer(RnnLanguageModel model, double learningRate)
    {
        var o = model.Options;
        _layers = o.Layers;
        _hidden = o.Hidden;
        _vocabulary = model.Vocabulary.Count;
        _embedding = torch.nn.Embedding(_vocabulary, o.Embedding);
        _lstm = torch.nn.LSTM(o.Embedding, o.Hidden, numLayers: o.Layers);
        _head = torch.nn.Linear(o.Hidden, _vocabulary);
        var recur = model.Parameters().ToDictionary(p => p.Name);
        using (torch.no_grad())
        {
            foreach (var (name, p) in _embedding.named_parameters()) Copy(recur["embedding." + name], p);
            foreach (var (name, p) in _lstm.named_parameters()) Copy(recur["rnn." + name], p);
            foreach (var (name, p) in _head.named_parameters()) Copy(recur["head." + name], p);
        }
        _parameters.AddRange(_embedding.parameters());
        _parameters.AddRange(_lstm.parameters());
        _parameters.AddRange(_head.parameters());
        _optimizer = torch.optim.Adam(_parameters, lr: learningRate);
    }

    private static void Copy(Recur.Tensors.Parameter from, torch.Tensor to)
    {
        var values = from.Value.Span.ToArray();
        to.copy_(torch.tensor(values, to.shape));
    }

    /// <summary>Starts the carried state from zeros (an epoch start).</summary>
    public void ResetState(int batch)
    {
        _h?.Dispose();
        _c?.Dispose();
        _h = torch.zeros(_layers, batch, _hidden);
        _c = torch.zeros(_layers, batch, _hidden);
    }

    /// <summary>One training step on (T, B) inputs and targets; returns the mean loss.</summary>
    public double TrainStep(int[] inputs, int[] targets, int steps, int batch, double learningRate, double clipNorm)
    {
        using var scope = torch.NewDisposeScope();
        foreach (var g in _optimizer.ParamGroups) g.LearningRate = learningRate;
        var x = torch.tensor(Array.ConvertAll(inputs, i => (long)i), [steps, batch]);
        var y = torch.tensor(Array.ConvertAll(targets, i => (long)i), [steps * batch]);
        var (output, h, c) = _lstm.forward(_embedding.forward(x), (_h!, _c!));
        var logits = _head.forward(output.view(steps * batch, _hidden));
        var loss = torch.nn.functional.cross_entropy(logits, y);
        _optimizer.zero_grad();
        loss.backward();
        torch.nn.utils.clip_grad_norm_(_parameters, clipNorm);
        _optimizer.step();
        _h!.Dispose();
        _c!.Dispose();
        _h = h.detach().MoveToOuterDisposeScope();
        _c = c.detach().MoveToOuterDisposeScope();
        return loss.item<float>();
    }

    /// <summary>The mean loss over (T, B) windows in evaluation mode, carrying the state.</summary>
    public double Loss(int[] inputs, int[] targets, int steps, int batch)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var x = torch.tensor(Array.ConvertAll(inputs, i => (long)i), [steps, batch]);
        var y = torch.tensor(Array.ConvertAll(targets, i => (long)i), [steps * batch]);
        var (output, h, c) = _lstm.forward(_embedding.forward(x), (_h!, _c!));
        var loss = torch.nn.functional.cross_entropy(_head.forward(output.view(steps * batch, _hidden)), y);
        _h!.Dispose();
        _c!.Dispose();
        _h = h.MoveToOuterDisposeScope();
        _c = c.MoveToOuterDisposeScope();
        return loss.item<float>();
    }

    /// <summary>One decoding step for B rows: tokens in, log-probabilities (B, V) out, state carried.</summary>
    public void DecodeStep(torch.Tensor tokens)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var (output, h, c) = _lstm.forward(_embedding.forward(tokens), (_h!, _c!));
        torch.nn.functional.log_softmax(_head.forward(output), -1);
        _h!.Dispose();
        _c!.Dispose();
        _h = h.MoveToOuterDisposeScope();
        _c = c.MoveToOuterDisposeScope();
    }

    public void Eval()
    {
        _embedding.eval();
        _lstm.eval();
        _head.eval();
    }

    public void Dispose()
    {
        _h?.Dispose();
        _c?.Dispose();
        _embedding.Dispose();
        _lstm.Dispose();
        _head.Dispose();
    }
}
