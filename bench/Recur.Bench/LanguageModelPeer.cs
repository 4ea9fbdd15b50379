using Recur.LanguageModels.Rnn;
using Recur.Nn.Output;
using TorchSharp;
using TorchSharp.Modules;

namespace Recur.Bench;

// Dimension glossary: T steps, B batch, V vocabulary, E embedding, H hidden, L layers.

/// <summary>
/// The TorchSharp twin of an <see cref="RnnLanguageModel"/> with an LSTM: nn.Embedding →
/// nn.LSTM → nn.Linear (or an adaptive softmax), trained with torch.optim.Adam and
/// clip_grad_norm_ exactly as Recur's trainer does, carrying the detached state across batches.
/// It starts from a copy of the Recur model's weights (same names), so both sides train the
/// same network. TorchSharp 0.107 has no nn.AdaptiveLogSoftmaxWithLoss, so the adaptive head is
/// built from its modules and operations exactly as PyTorch's Python implementation does
/// (a bias-free head, per cluster two bias-free linears, rows selected by target mask).
/// </summary>
internal sealed class LanguageModelPeer : IDisposable
{
    private readonly Embedding _embedding;
    private readonly LSTM _lstm;
    private readonly Linear _head;
    private readonly Sequential[] _tails = [];
    private readonly int[] _bounds = [];   // adaptive: cutoffs then V
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
        var recur = model.NamedTensors().ToDictionary(p => p.Name, p => p.Tensor);
        if (model.Head is AdaptiveSoftmax adaptive)
        {
            _bounds = [.. adaptive.Cutoffs, _vocabulary];
            int clusters = _bounds.Length - 1;
            _head = torch.nn.Linear(o.Hidden, _bounds[0] + clusters, hasBias: false);
            _tails = new Sequential[clusters];
            for (int c = 0; c < clusters; c++)
            {
                int projected = AdaptiveSoftmax.ProjectedSize(o.Hidden, o.CutoffDivisor, c);
                _tails[c] = torch.nn.Sequential(torch.nn.Linear(o.Hidden, projected, hasBias: false), torch.nn.Linear(projected, _bounds[c + 1] - _bounds[c], hasBias: false));
            }
        }
        else
        {
            _head = torch.nn.Linear(o.Hidden, _vocabulary);
        }
        using (torch.no_grad())
        {
            foreach (var (name, p) in _embedding.named_parameters()) Copy(recur["embedding." + name], p);
            foreach (var (name, p) in _lstm.named_parameters()) Copy(recur["rnn." + name], p);
            string headPrefix = _tails.Length > 0 ? "head.head." : "head.";
            foreach (var (name, p) in _head.named_parameters()) Copy(recur[headPrefix + name], p);
            for (int c = 0; c < _tails.Length; c++)
                foreach (var (name, p) in _tails[c].named_parameters()) Copy(recur[$"head.tail.{c}.{name}"], p);
        }
        _parameters.AddRange(_embedding.parameters());
        _parameters.AddRange(_lstm.parameters());
        _parameters.AddRange(_head.parameters());
        foreach (var tail in _tails) _parameters.AddRange(tail.parameters());
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
        var loss = Loss(output.view(steps * batch, _hidden), y);
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
        var loss = Loss(output.view(steps * batch, _hidden), y);
        _h!.Dispose();
        _c!.Dispose();
        _h = h.MoveToOuterDisposeScope();
        _c = c.MoveToOuterDisposeScope();
        return loss.item<float>();
    }

    // The mean cross-entropy of the output layer: a full softmax, or the adaptive softmax as
    // torch/nn/modules/adaptive.py computes it (head log-probability of the target or of its
    // cluster, plus the cluster's own log-probability for the rows whose target is in it).
    private torch.Tensor Loss(torch.Tensor hidden, torch.Tensor targets)
    {
        if (_tails.Length == 0) return torch.nn.functional.cross_entropy(_head.forward(hidden), targets);
        int shortlist = _bounds[0];
        var output = torch.zeros(targets.shape[0]);
        var gather = targets.clone();
        for (int c = 0; c < _tails.Length; c++)
        {
            var mask = targets.ge(_bounds[c]).logical_and(targets.lt(_bounds[c + 1]));
            var rows = mask.nonzero().squeeze(1);
            if (rows.numel() == 0) continue;
            var relative = targets.index_select(0, rows) - _bounds[c];
            var clusterLogProbs = torch.nn.functional.log_softmax(_tails[c].forward(hidden.index_select(0, rows)), 1);
            output.index_copy_(0, rows, clusterLogProbs.gather(1, relative.unsqueeze(1)).squeeze(1));
            gather.index_fill_(0, rows, shortlist + c);
        }
        var headLogProbs = torch.nn.functional.log_softmax(_head.forward(hidden), 1);
        output = output + headLogProbs.gather(1, gather.unsqueeze(1)).squeeze(1);
        return -output.mean();
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
        foreach (var tail in _tails) tail.eval();
    }

    public void Dispose()
    {
        _h?.Dispose();
        _c?.Dispose();
        _embedding.Dispose();
        _lstm.Dispose();
        _head.Dispose();
        foreach (var tail in _tails) tail.Dispose();
    }
}
