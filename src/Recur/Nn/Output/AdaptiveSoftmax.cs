using Recur.Kernels;
using Recur.Tensors;

namespace Recur.Nn.Output;

// N rows, H input features, V tokens; S = shortlist + clusters (the head's outputs);
// cluster c holds tokens [lo_c, hi_c), o_c = hi_c − lo_c of them, projected to h_c = ⌊H / d^(c+1)⌋.

/// <summary>
/// Exact adaptive softmax (Grave et al. 2017, "Efficient softmax approximation for GPUs"), as
/// PyTorch's nn.AdaptiveLogSoftmaxWithLoss: tokens are ids ordered by frequency; the head is
/// a softmax over the shortlist [0, cutoffs[0]) and one entry per tail cluster; cluster c is a
/// softmax over its tokens [cutoffs[c], cutoffs[c+1]) after a projection of the input to
/// ⌊H / d^(c+1)⌋ features (d = 4 by default). ln p(w) = ln p_head(w) in the shortlist, and
/// ln p_head(cluster c) + ln p_c(w) in cluster c, so rows are normalized exactly. Training computes
/// a cluster only for the rows whose target falls in it, so most of the V-way cost of a full
/// softmax over rare words disappears. Parameters under PyTorch's names: <c>head.head.weight</c>
/// (S, H) (and <c>head.head.bias</c> with a head bias), <c>head.tail.c.0.weight</c> (h_c, H),
/// <c>head.tail.c.1.weight</c> (o_c, h_c), each initialized as nn.Linear.
/// </summary>
public sealed class AdaptiveSoftmax : OutputLayer
{
    private readonly int _inputSize, _outputSize, _shortlist;
    private readonly int[] _bounds;   // cutoffs then V: cluster c is [_bounds[c], _bounds[c + 1])
    private readonly Parameter _headWeight;
    private readonly Parameter? _headBias;
    private readonly Parameter[] _down, _up;   // per cluster: (h_c, H) and (o_c, h_c)
    private readonly Cluster[] _clusters;
    private Tensor? _input, _inputGrad;   // (N, H)
    private float[]? _headLogits, _headLse, _headGrad;   // (N, S), (N), (N, S)
    private int[]? _gather;   // (N): the head entry of each row's target
    private int _rows;

    /// <param name="inputSize">H.</param>
    /// <param name="outputSize">V.</param>
    /// <param name="cutoffs">Strictly increasing ids in [1, V − 1] where clusters start: the shortlist is [0, cutoffs[0]).</param>
    /// <param name="rng">Draws the initial weights.</param>
    /// <param name="divValue">d: cluster c is projected to ⌊H / d^(c+1)⌋ features.</param>
    /// <param name="headBias">Give the head a bias (PyTorch's head_bias, off by default).</param>
    /// <param name="prefix">Name prefix: "head" gives "head.head.weight", "head.tail.0.0.weight", ….</param>
    public AdaptiveSoftmax(int inputSize, int outputSize, IReadOnlyList<int> cutoffs, Rng rng, double divValue = 4.0, bool headBias = false, string prefix = "head")
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(inputSize, 1);
        ArgumentNullException.ThrowIfNull(cutoffs);
        ArgumentNullException.ThrowIfNull(rng);
        CheckCutoffs(cutoffs, outputSize);
        if (!(divValue >= 1 && double.IsFinite(divValue))) throw new ArgumentOutOfRangeException(nameof(divValue), divValue, "The projection divisor must be at least 1.");
        _inputSize = inputSize;
        _outputSize = outputSize;
        _shortlist = cutoffs[0];
        _bounds = [.. cutoffs, outputSize];
        int clusters = cutoffs.Count, headSize = _shortlist + clusters;
        _headWeight = NewWeight(LayerBuffers.Name(prefix, "head.weight"), headSize, inputSize, rng);
        if (headBias)
        {
            _headBias = new Parameter(LayerBuffers.Name(prefix, "head.bias"), new Shape(headSize), ParameterKind.Bias);
            Fill(_headBias, inputSize, rng);
        }
        _down = new Parameter[clusters];
        _up = new Parameter[clusters];
        _clusters = new Cluster[clusters];
        for (int c = 0; c < clusters; c++)
        {
            int projected = ProjectedSize(inputSize, divValue, c);
            if (projected < 1) throw new ArgumentOutOfRangeException(nameof(divValue), divValue, $"Cluster {c} would be projected to ⌊{inputSize} / {divValue}^{c + 1}⌋ = 0 features; use fewer clusters or a smaller divisor.");
            _down[c] = NewWeight(LayerBuffers.Name(prefix, $"tail.{c}.0.weight"), projected, inputSize, rng);
            _up[c] = NewWeight(LayerBuffers.Name(prefix, $"tail.{c}.1.weight"), _bounds[c + 1] - _bounds[c], projected, rng);
            _clusters[c] = new Cluster(projected, _bounds[c + 1] - _bounds[c]);
        }
    }

    /// <summary>Where the clusters start (the shortlist is [0, Cutoffs[0])).</summary>
    public IReadOnlyList<int> Cutoffs => _bounds[..^1];

    /// <inheritdoc/>
    public override int InputSize => _inputSize;

    /// <inheritdoc/>
    public override int OutputSize => _outputSize;

    private int HeadSize => _shortlist + _clusters.Length;

    /// <summary>⌊H / d^(c+1)⌋, the features cluster c is projected to (PyTorch's int(in_features // div_value ** (i + 1))).</summary>
    public static int ProjectedSize(int inputSize, double divValue, int cluster) => (int)Math.Floor(inputSize / Math.Pow(divValue, cluster + 1));

    /// <summary>Throws an ArgumentException unless <paramref name="cutoffs"/> are strictly increasing ids in [1, V − 1].</summary>
    public static void CheckCutoffs(IReadOnlyList<int> cutoffs, int outputSize)
    {
        ArgumentNullException.ThrowIfNull(cutoffs);
        if (cutoffs.Count == 0) throw new ArgumentException("An adaptive softmax needs at least one cutoff.", nameof(cutoffs));
        for (int i = 0; i < cutoffs.Count; i++)
        {
            if (cutoffs[i] < 1 || cutoffs[i] > outputSize - 1)
                throw new ArgumentException($"Cutoff {cutoffs[i]} is outside [1, {outputSize - 1}] for a vocabulary of {outputSize}.", nameof(cutoffs));
            if (i > 0 && cutoffs[i] <= cutoffs[i - 1])
                throw new ArgumentException($"Cutoffs must increase strictly; {cutoffs[i]} follows {cutoffs[i - 1]}.", nameof(cutoffs));
        }
    }

    /// <inheritdoc/>
    public override IEnumerable<Parameter> Parameters()
    {
        yield return _headWeight;
        if (_headBias is not null) yield return _headBias;
        for (int c = 0; c < _clusters.Length; c++)
        {
            yield return _down[c];
            yield return _up[c];
        }
    }

    /// <inheritdoc/>
    public override double Forward(Tensor input, ReadOnlySpan<int> targets)
    {
        ArgumentNullException.ThrowIfNull(input);
        int n = targets.Length;
        CheckRows(input.Length, n);
        CheckTargets(targets);
        _input = input;
        _rows = n;
        var x = input.Span;
        double total = HeadForward(x, targets, n);
        for (int c = 0; c < _clusters.Length; c++) total += ClusterForward(c, x, targets, n);
        return n == 0 ? double.NaN : total / n;
    }

    /// <inheritdoc/>
    public override Tensor Backward()
    {
        var input = _input ?? throw new InvalidOperationException("AdaptiveSoftmax: Backward was called before Forward.");
        int n = _rows, s = HeadSize, h = _inputSize;
        float scale = n == 0 ? 0f : 1f / n;
        var x = input.Span;
        var dx = LayerBuffers.Like(ref _inputGrad, input.Shape).Span;
        var dHead = LayerBuffers.AtLeast(ref _headGrad, n * s).AsSpan(0, n * s);   // (N, S)
        SoftmaxGradient(_headLogits!, _headLse!, _gather!, dHead, n, s, scale);
        Gemm.Multiply(dHead, _headWeight.Value.Span, dx, n, h, s);
        Gemm.Multiply(dHead, x, _headWeight.Grad.Span, s, h, n, transposeA: true, beta: 1f);
        if (_headBias is not null) Elementwise.AddColumnSums(dHead, _headBias.Grad.Span);
        for (int c = 0; c < _clusters.Length; c++) ClusterBackward(c, dx, scale);
        return _inputGrad!;
    }

    /// <inheritdoc/>
    public override void LogProbabilities(ReadOnlySpan<float> input, Span<float> destination, int rows)
    {
        int v = _outputSize, s = HeadSize, h = _inputSize;
        CheckRows(input.Length, rows);
        if (destination.Length < (long)rows * v) throw new ArgumentException($"The destination needs {rows} rows × {v} tokens.", nameof(destination));
        var head = LayerBuffers.AtLeast(ref _headLogits, rows * s).AsSpan(0, rows * s);   // (rows, S)
        HeadLogits(input, head, rows);
        for (int r = 0; r < rows; r++)
        {
            var row = head.Slice(r * s, s);
            Softmax.LogForward(row, row);
            row[.._shortlist].CopyTo(destination.Slice(r * v, _shortlist));
        }
        for (int c = 0; c < _clusters.Length; c++)
        {
            var k = _clusters[c];
            int o = k.Outputs, lo = _bounds[c];
            var projected = k.Projected(rows);   // (rows, h_c)
            var logits = k.Logits(rows);         // (rows, o_c)
            Gemm.Multiply(input, _down[c].Value.Span, projected, rows, k.Features, h, transposeB: true);
            Gemm.Multiply(projected, _up[c].Value.Span, logits, rows, o, k.Features, transposeB: true);
            for (int r = 0; r < rows; r++)
            {
                var z = logits.Slice(r * o, o);
                var target = destination.Slice(r * v + lo, o);
                Softmax.LogForward(z, target);
                Elementwise.AddScalar(head[r * s + _shortlist + c], target);
            }
        }
    }

    /// <inheritdoc/>
    public override void TargetLogProbabilities(ReadOnlySpan<float> input, ReadOnlySpan<int> targets, Span<float> destination)
    {
        int n = targets.Length, s = HeadSize;
        CheckRows(input.Length, n);
        CheckTargets(targets);
        if (destination.Length < n) throw new ArgumentException($"The destination needs {n} values.", nameof(destination));
        HeadForward(input, targets, n);
        for (int r = 0; r < n; r++) destination[r] = _headLogits![r * s + _gather![r]] - _headLse![r];
        for (int c = 0; c < _clusters.Length; c++)
        {
            ClusterForward(c, input, targets, n);
            var k = _clusters[c];
            for (int i = 0; i < k.Count; i++)
                destination[k.Rows[i]] += k.LogitsOf[i * k.Outputs + k.Targets[i]] - k.Lse[i];
        }
    }

    // The head's logits and log-sum-exp for every row, and the head entry of each target;
    // returns Σ_r −ln p_head(entry_r).
    private double HeadForward(ReadOnlySpan<float> x, ReadOnlySpan<int> targets, int n)
    {
        int s = HeadSize;
        var logits = LayerBuffers.AtLeast(ref _headLogits, n * s).AsSpan(0, n * s);   // (N, S)
        var lse = LayerBuffers.AtLeast(ref _headLse, n);
        var gather = LayerBuffers.AtLeast(ref _gather, n);
        HeadLogits(x, logits, n);
        double total = 0;
        for (int r = 0; r < n; r++)
        {
            int t = targets[r];
            gather[r] = t < _shortlist ? t : _shortlist + ClusterOf(t);
            var row = logits.Slice(r * s, s);
            lse[r] = Softmax.LogSumExp(row);
            total += (double)lse[r] - row[gather[r]];
        }
        return total;
    }

    private void HeadLogits(ReadOnlySpan<float> x, Span<float> logits, int rows)
    {
        Gemm.Multiply(x, _headWeight.Value.Span, logits, rows, HeadSize, _inputSize, transposeB: true);
        if (_headBias is not null) Elementwise.AddRowVector(_headBias.Value.Span, logits);
    }

    // Cluster c over the rows whose target it holds: gathers their inputs, projects them, and
    // keeps the logits and log-sum-exps; returns Σ −ln p_c(target) over those rows.
    private double ClusterForward(int c, ReadOnlySpan<float> x, ReadOnlySpan<int> targets, int n)
    {
        var k = _clusters[c];
        int lo = _bounds[c], hi = _bounds[c + 1], h = _inputSize;
        k.Count = 0;
        for (int r = 0; r < n; r++)
            if (targets[r] >= lo && targets[r] < hi) k.Add(r, targets[r] - lo);
        if (k.Count == 0) return 0;
        int m = k.Count, o = k.Outputs;
        var gathered = k.Inputs(m, h);   // (m, H)
        for (int i = 0; i < m; i++) x.Slice(k.Rows[i] * h, h).CopyTo(gathered.Slice(i * h, h));
        var projected = k.Projected(m);
        var logits = k.Logits(m);
        Gemm.Multiply(gathered, _down[c].Value.Span, projected, m, k.Features, h, transposeB: true);
        Gemm.Multiply(projected, _up[c].Value.Span, logits, m, o, k.Features, transposeB: true);
        double total = 0;
        for (int i = 0; i < m; i++)
        {
            var z = logits.Slice(i * o, o);
            k.Lse[i] = Softmax.LogSumExp(z);
            total += (double)k.Lse[i] - z[k.Targets[i]];
        }
        return total;
    }

    // Through cluster c: its two weights' gradients, and its rows' input gradients added into dx.
    private void ClusterBackward(int c, Span<float> dx, float scale)
    {
        var k = _clusters[c];
        int m = k.Count, o = k.Outputs, f = k.Features, h = _inputSize;
        if (m == 0) return;
        var dz = k.LogitGradient(m);   // (m, o_c)
        SoftmaxGradient(k.LogitsOf, k.Lse, k.Targets, dz, m, o, scale);
        var dp = k.ProjectedGradient(m);   // (m, h_c)
        var dxc = k.InputGradient(m, h);   // (m, H)
        Gemm.Multiply(dz, k.ProjectedOf, _up[c].Grad.Span, o, f, m, transposeA: true, beta: 1f);
        Gemm.Multiply(dz, _up[c].Value.Span, dp, m, f, o);
        Gemm.Multiply(dp, k.InputsOf, _down[c].Grad.Span, f, h, m, transposeA: true, beta: 1f);
        Gemm.Multiply(dp, _down[c].Value.Span, dxc, m, h, f);
        for (int i = 0; i < m; i++) Elementwise.AddTo(dxc.Slice(i * h, h), dx.Slice(k.Rows[i] * h, h));
    }

    // d = (softmax(z_r) − onehot(t_r))·scale for each of n rows of width w, from the kept log-sum-exps.
    private static void SoftmaxGradient(ReadOnlySpan<float> logits, ReadOnlySpan<float> lse, ReadOnlySpan<int> targets, Span<float> d, int n, int w, float scale)
    {
        for (int r = 0; r < n; r++)
        {
            var dr = d.Slice(r * w, w);
            Elementwise.AddScalar(-lse[r], logits.Slice(r * w, w), dr);
            Elementwise.Exp(dr);
            dr[targets[r]] -= 1f;
            Elementwise.Scale(scale, dr);
        }
    }

    private int ClusterOf(int token)
    {
        int c = 0;
        while (token >= _bounds[c + 1]) c++;
        return c;
    }

    private static Parameter NewWeight(string name, int rows, int columns, Rng rng)
    {
        var p = new Parameter(name, new Shape(rows, columns), ParameterKind.Weight);
        Fill(p, columns, rng);
        return p;
    }

    // nn.Linear's initialization: U(−1/√in, 1/√in).
    private static void Fill(Parameter p, int inFeatures, Rng rng)
    {
        float bound = (float)(1 / Math.Sqrt(inFeatures));
        rng.FillUniform(p.Value.Span, -bound, bound);
    }

    // One tail cluster's rows in the current batch and its buffers, grown as needed.
    private sealed class Cluster(int features, int outputs)
    {
        private float[]? _inputs, _projected, _logits, _dLogits, _dProjected, _dInputs;

        public int Features { get; } = features;   // h_c
        public int Outputs { get; } = outputs;     // o_c
        public int Count;                          // m: rows whose target is in the cluster
        public int[] Rows = [], Targets = [];      // (m): the row, and the target's index within the cluster
        public float[] Lse = [];                   // (m)

        public float[] InputsOf => _inputs ?? [];
        public float[] ProjectedOf => _projected ?? [];
        public float[] LogitsOf => _logits ?? [];

        public void Add(int row, int target)
        {
            if (Count == Rows.Length)
            {
                int grown = Math.Max(16, 2 * Count);
                Array.Resize(ref Rows, grown);
                Array.Resize(ref Targets, grown);
                Array.Resize(ref Lse, grown);
            }
            Rows[Count] = row;
            Targets[Count] = target;
            Count++;
        }

        public Span<float> Inputs(int m, int h) => LayerBuffers.AtLeast(ref _inputs, m * h).AsSpan(0, m * h);
        public Span<float> Projected(int m) => LayerBuffers.AtLeast(ref _projected, m * Features).AsSpan(0, m * Features);
        public Span<float> Logits(int m) => LayerBuffers.AtLeast(ref _logits, m * Outputs).AsSpan(0, m * Outputs);
        public Span<float> LogitGradient(int m) => LayerBuffers.AtLeast(ref _dLogits, m * Outputs).AsSpan(0, m * Outputs);
        public Span<float> ProjectedGradient(int m) => LayerBuffers.AtLeast(ref _dProjected, m * Features).AsSpan(0, m * Features);
        public Span<float> InputGradient(int m, int h) => LayerBuffers.AtLeast(ref _dInputs, m * h).AsSpan(0, m * h);
    }
}
