using Recur.Formats;
using Recur.Tensors;

namespace Recur.Optim;

// N: scalar parameters in the store; G: parameter groups.

/// <summary>
/// The part every optimizer shares: parameter groups over a <see cref="ParameterStore"/>, the
/// step count, the learning-rate schedule, clipping with a skip on non-finite gradients, and
/// state save/load. The concrete optimizers are <see cref="Sgd"/> and <see cref="Adam"/>.
/// </summary>
/// <remarks>
/// Per training step: <c>ClipAndStep(maxNorm)</c> (or <c>Step()</c>), then <c>ZeroGrad()</c>.
/// State lives in flat arrays aligned element by element with <see cref="ParameterStore.Values"/>;
/// a step walks each group's contiguous runs of the store with one fused SIMD loop and
/// allocates nothing. Parameters that are in no group are not updated (frozen).
/// </remarks>
public abstract class Optimizer
{
    private const string Format = "recur.optimizer.v1";

    private readonly ParameterGroup[] _groups;
    private readonly (int Offset, int Length)[][] _runs; // per group: maximal contiguous runs of the store

    private protected Optimizer(ParameterStore store, IOptimizerOptions options, IEnumerable<ParameterGroup>? groups)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Store = store;
        var index = new Dictionary<Parameter, int>(ReferenceEqualityComparer.Instance);
        for (int i = 0; i < store.Parameters.Count; i++) index[store.Parameters[i]] = i;
        var seen = new HashSet<Parameter>(ReferenceEqualityComparer.Instance);
        var resolved = new List<ParameterGroup>();
        var runs = new List<(int, int)[]>();
        foreach (var group in groups ?? ParameterGroup.ByKind(store, options.RegularizedKinds))
        {
            ArgumentNullException.ThrowIfNull(group);
            ArgumentNullException.ThrowIfNull(group.Parameters, nameof(groups));
            double lr = group.LearningRate ?? options.LearningRate;
            if (!(lr >= 0 && double.IsFinite(lr)))
                throw new ArgumentOutOfRangeException(nameof(groups), lr, "A group's learning rate must be finite and ≥ 0.");
            var members = new List<(int Offset, int Length)>();
            foreach (var p in group.Parameters)
            {
                if (!index.TryGetValue(p, out int i)) throw new ArgumentException($"Parameter '{p.Name}' is not in the optimizer's store.", nameof(groups));
                if (!seen.Add(p)) throw new ArgumentException($"Parameter '{p.Name}' is in more than one group.", nameof(groups));
                if (p.Length > 0) members.Add((store.OffsetOf(i), p.Length));
            }
            resolved.Add(group with { LearningRate = lr, Regularization = group.Regularization ?? options.Regularization });
            runs.Add(MergeRuns(members));
        }
        _groups = [.. resolved];
        _runs = [.. runs];
    }

    /// <summary>The parameters this optimizer updates.</summary>
    public ParameterStore Store { get; }

    /// <summary>The groups, with every learning rate and regularization filled in.</summary>
    public IReadOnlyList<ParameterGroup> Groups => _groups;

    /// <summary>The schedule that sets each group's rate η_t from its base rate; constant by default.</summary>
    public LearningRateSchedule Schedule
    {
        get;
        set => field = value ?? throw new ArgumentNullException(nameof(value));
    } = new LearningRateSchedule.Constant();

    /// <summary>Steps taken (t after t steps); Adam's bias correction and the schedule follow it. Saved with the state.</summary>
    public long StepCount { get; private set; }

    /// <summary>Steps <see cref="ClipAndStep"/> skipped because the gradient norm was not finite. Saved with the state.</summary>
    public long SkippedSteps { get; private set; }

    /// <summary>The rate η_t the next step will use for group <paramref name="group"/>.</summary>
    public double LearningRate(int group = 0) => Schedule.LearningRate(StepCount, _groups[group].LearningRate!.Value);

    /// <summary>
    /// One update of every group from the gradients in <see cref="ParameterStore.Grads"/>, at the
    /// rate the schedule gives for step <see cref="StepCount"/>; then StepCount grows by one.
    /// </summary>
    public void Step()
    {
        BeginStep(StepCount + 1);
        for (int g = 0; g < _groups.Length; g++)
        {
            double baseRate = _groups[g].LearningRate!.Value;
            double lr = Schedule.LearningRate(StepCount, baseRate);
            float l2 = 0, decay = 1;
            switch (_groups[g].Regularization)
            {
                case Regularization.L2 r:
                    l2 = (float)(2 * r.Gamma); // ∇ γ‖θ‖² = 2γθ (docs/theory.md 3.2)
                    break;
                case Regularization.DecoupledWeightDecay d:
                    // AdamW: θ ← (1 − s·λ)θ with s = η_t (PyTorch) or η_t/η_0 (Loshchilov & Hutter, Alg. 2).
                    double scale = d.ScaleBySchedule ? (baseRate > 0 ? lr / baseRate : 1) : lr;
                    decay = (float)(1 - scale * d.Lambda);
                    break;
            }
            foreach (var (offset, length) in _runs[g]) Update(offset, length, lr, l2, decay);
        }
        StepCount++;
    }

    /// <summary>
    /// Clips the gradients to global L2 norm <paramref name="maxNorm"/> (as
    /// <see cref="GradientClipping.ClipByNorm"/>) and steps; when the norm is NaN or infinite it
    /// skips the step instead, leaving parameters, state and StepCount untouched, and counts it in
    /// <see cref="SkippedSteps"/>. Pass +∞ to check without clipping. Gradients are not cleared.
    /// </summary>
    public StepReport ClipAndStep(double maxNorm)
    {
        double norm = GradientClipping.ClipByNorm(Store.Grads, maxNorm);
        if (!double.IsFinite(norm))
        {
            SkippedSteps++;
            return new StepReport(norm, Skipped: true);
        }
        Step();
        return new StepReport(norm, Skipped: false);
    }

    /// <summary>Clears every gradient in the store.</summary>
    public void ZeroGrad() => Store.ZeroGrad();

    /// <summary>Writes the state (step counts and buffers) to a safetensors file, atomically.</summary>
    public void Save(string path)
    {
        var file = new Safetensors();
        WriteState(file);
        file.Save(path);
    }

    /// <summary>Restores the state written by <see cref="Save"/>; the file must come from the same optimizer and parameters.</summary>
    public void Load(string path) => ReadState(Safetensors.Load(path), path);

    /// <summary>
    /// Adds the state to <paramref name="file"/>: tensors <c>step</c> and <c>skipped_steps</c>
    /// (I64), the optimizer's buffers (F32, N values each, aligned with the store) and metadata
    /// naming the optimizer and the parameter layout. Hyper-parameters are not state: a resumed
    /// run passes the same options to the constructor.
    /// </summary>
    public void WriteState(Safetensors file)
    {
        ArgumentNullException.ThrowIfNull(file);
        file.Metadata["format"] = Format;
        file.Metadata["optimizer"] = Name;
        file.Metadata["parameters"] = Layout();
        file.Add("step", [StepCount], 1);
        file.Add("skipped_steps", [SkippedSteps], 1);
        foreach (var (name, buffer) in StateBuffers()) file.Add(name, buffer, buffer.Length);
    }

    /// <summary>
    /// Restores the state from <paramref name="file"/> (<paramref name="source"/> names it in
    /// errors). Everything is checked before anything changes; a mismatch throws
    /// <see cref="InputException"/>.
    /// </summary>
    public void ReadState(Safetensors file, string source)
    {
        ArgumentNullException.ThrowIfNull(file);
        if (!file.Metadata.TryGetValue("format", out string? format) || format != Format)
            throw new InputException(source, "not a Recur optimizer state (its format metadata is missing or unknown)");
        string saved = file.Metadata.TryGetValue("optimizer", out string? o) ? o : "?";
        if (saved != Name)
            throw new InputException(source, $"holds {saved} state but this run uses {Name}; resume with the optimizer it was saved with");
        if (!file.Metadata.TryGetValue("parameters", out string? layout) || layout != Layout())
            throw new InputException(source, "was saved for different parameters (names or sizes differ); resume with the model it was saved with");
        long step = ReadCount(file, "step", source), skipped = ReadCount(file, "skipped_steps", source);
        var buffers = StateBuffers();
        var values = new float[buffers.Length][];
        for (int i = 0; i < buffers.Length; i++)
        {
            var (name, buffer) = buffers[i];
            if (!file.Contains(name) || file.DTypeOf(name) != "F32")
                throw new InputException(source, $"has no F32 tensor '{name}', which this {Name} configuration needs (was it saved with other options?)");
            values[i] = file.GetFloat32(name);
            if (values[i].Length != buffer.Length)
                throw new InputException(source, $"tensor '{name}' has {values[i].Length} values, expected {buffer.Length}");
        }
        for (int i = 0; i < buffers.Length; i++) values[i].CopyTo(buffers[i].Buffer, 0);
        StepCount = step;
        SkippedSteps = skipped;
    }

    /// <summary>The optimizer's name in state files: "sgd" or "adam".</summary>
    private protected abstract string Name { get; }

    /// <summary>Called once before step number <paramref name="t"/> (1 for the first step).</summary>
    private protected abstract void BeginStep(long t);

    /// <summary>
    /// Updates store elements [offset, offset + length) at rate <paramref name="learningRate"/>,
    /// with the group's regularization folded into <paramref name="l2"/> (g ← g + l2·θ) and
    /// <paramref name="decay"/> (θ ← decay·θ); exactly one of them is not neutral.
    /// </summary>
    private protected abstract void Update(int offset, int length, double learningRate, float l2, float decay);

    /// <summary>The state buffers, by file name; each has N elements aligned with the store.</summary>
    private protected abstract (string Name, float[] Buffer)[] StateBuffers();

    private string Layout() => string.Join(";", Store.Parameters.Select(p => $"{p.Name}:{p.Length}"));

    private static long ReadCount(Safetensors file, string name, string source)
    {
        if (!file.Contains(name) || file.DTypeOf(name) != "I64" || file.GetInt64(name) is not [long value] || value < 0)
            throw new InputException(source, $"has no valid I64 tensor '{name}' (one count ≥ 0)");
        return value;
    }

    private static (int, int)[] MergeRuns(List<(int Offset, int Length)> members)
    {
        members.Sort((a, b) => a.Offset.CompareTo(b.Offset));
        var runs = new List<(int Offset, int Length)>();
        foreach (var m in members)
        {
            if (runs.Count > 0 && runs[^1].Offset + runs[^1].Length == m.Offset) runs[^1] = (runs[^1].Offset, runs[^1].Length + m.Length);
            else runs.Add(m);
        }
        return [.. runs];
    }
}
