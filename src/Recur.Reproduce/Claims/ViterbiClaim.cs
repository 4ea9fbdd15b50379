using Recur.Decoding;
using Recur.LanguageModels;
using Recur.Tensors;

namespace Recur.Reproduce.Claims;

// N: vocabulary size; T: sequence length.

/// <summary>
/// docs/theory.md 2.2: Viterbi equals exhaustive search on Markov models; time O(T·N²); memory
/// O(N²) + O(T·N) (the back-pointers — "O(N²) total" is wrong); probability space underflows;
/// it needs the Markov property.
/// </summary>
public static class ViterbiClaim
{
    /// <summary>The check.</summary>
    public static ClaimResult Check(ReproduceOptions options)
    {
        var (agree, identical, trials) = AgainstExhaustive(options.Quick ? 60 : 200);
        var memory = BackPointerMemory(options);
        var underflow = Underflow();
        var (higherOrderAgree, higherOrderTrials, contexts) = HigherOrder(options.Quick ? 10 : 30);
        var nonMarkov = NonMarkovianModels.Measure();
        var timing = Timing(options);

        // Each extra step costs at least its N back-pointers (4 bytes each), whatever else is allocated once.
        double perStep = (memory.Bytes[^1] - memory.Bytes[^2]) / (memory.Steps[^1] - memory.Steps[^2]);
        bool memoryPass = memory.Slope > 0.9 && perStep >= 4.0 * memory.N;
        bool underflowPass = underflow.Float64Step is >= 100 and <= 1500 && underflow.Float32Step * 4 <= underflow.Float64Step
            && double.IsFinite(underflow.LogSpaceScore) && underflow.AgreementBeforeUnderflow <= 1e-9;
        bool pass = agree == trials && memoryPass && underflowPass && higherOrderAgree == higherOrderTrials && nonMarkov.TreeOneSided > 0 && nonMarkov.Lstm > 1e-3 && !nonMarkov.EitherIsFiniteContext;

        string measured = string.Join("\n",
            Show.Text($"a–d: Viterbi = exhaustive search in log-probability (bit for bit) on {agree} of {trials} random Markov models (N ≤ 6, T ≤ 7), the same sequence in {identical} (the others are exact ties, re-scored equal)"),
            Show.Text($"e, memory: bytes allocated by one decode at N = {memory.N}: {string.Join(", ", memory.Steps.Select((t, i) => Show.Text($"{Show.Count(memory.Bytes[i])} at T = {Show.Count(t)}")))}; slope against T {Show.Fixed(memory.Slope, 3)}, {Show.Fixed(perStep, 1)} bytes per extra step (its N back-pointers alone: {4 * memory.N}); back-pointers T·N·4 bytes = {Show.Count(4.0 * memory.Steps[^1] * memory.N)} at the largest T, P itself N²·8 = {Show.Count(8.0 * memory.N * memory.N)}"),
            Show.Text($"e, underflow: max_j δ_t(j) in probability space first reaches 0 at t = {underflow.Float32Step} in float32 and t = {underflow.Float64Step} in float64 (N = {underflow.N}); in log space the best score at T = {underflow.LongSteps} is {Show.Fixed(underflow.LogSpaceScore, 1)} nats; before underflow the two agree to {Show.Sci(underflow.AgreementBeforeUnderflow)}"),
            Show.Text($"f: order-3 Kneser-Ney models decoded by Viterbi over their contexts = exhaustive search on {higherOrderAgree} of {higherOrderTrials} (at most {contexts} context states visited); not Markov: after \"the red\" and \"a red\" the worked tree allows {nonMarkov.TreeOneSided} tokens after one and not the other (and differs by up to {Show.Fixed(nonMarkov.TreeLargestFinite, 2)} nats on the rest), a random LSTM after \"ab\" and \"cb\" differs by up to {Show.Sci(nonMarkov.Lstm)} nats; neither is an IFiniteContextModel, so Viterbi does not accept them"));
        return new ClaimResult("2.2", "Viterbi decoding of Markov models",
            "δ_t(j) = max_i P[i,j] δ_{t−1}(i) with back-pointers a_t(j) finds the most probable sequence of a Markov model exactly in O(T·N²) time; memory is O(N²) for P plus O(T·N) for the back-pointers; work in log space; Viterbi needs the Markov property.",
            measured,
            "a–d: all agree; e: memory grows ∝ T (log-log slope > 0.9, at least N·4 bytes per extra step); float64 underflows after a few hundred steps (100 … 1500), float32 at least 4× sooner, log space stays finite and agrees before; f: state expansion agrees, non-Markov models differ after equal last tokens",
            pass)
        {
            Correction = Show.Text($"\"O(N²) total\" memory would stay at about {Show.Count(8.0 * memory.N * memory.N)} bytes for every T; measured, one decode at T = {Show.Count(memory.Steps[^1])} allocates {Show.Count(memory.Bytes[^1])} bytes and grows linearly with T (slope {Show.Fixed(memory.Slope, 3)}): the back-pointers a_t cannot be dropped once T > N."),
            Notes =
            [
                Show.Text($"run time (best of several runs on a shared machine; not gated), fitted over the three largest sizes: slope of log time against log N at T = {timing.FixedT}: {Show.Fixed(timing.NFit.Slope, 2)} (T·N² predicts 2); against log T at N = {timing.FixedN}: {Show.Fixed(timing.TFit.Slope, 2)} (predicts 1)"),
            ],
            Figures =
            [
                Measurements.ScalingFigure("2.2-viterbi-vs-N", Show.Text($"Viterbi, T = {timing.FixedT}: time against N"), "N (vocabulary)", timing.Ns, timing.TimeByN, timing.NFit),
                Measurements.ScalingFigure("2.2-viterbi-vs-T", Show.Text($"Viterbi, N = {timing.FixedN}: time against T"), "T (positions)", timing.Ts, timing.TimeByT, timing.TFit),
                new ClaimFigure("2.2-viterbi-memory", Show.Text($"Viterbi memory, N = {memory.N}: bytes allocated against T"), "T (positions)", "bytes", [
                    new ClaimSeries("allocated by one decode", Array.ConvertAll(memory.Steps, t => (double)t), memory.Bytes, SeriesStyle.Markers),
                    new ClaimSeries("back-pointers T·N·4", Array.ConvertAll(memory.Steps, t => (double)t), Array.ConvertAll(memory.Steps, t => 4.0 * t * memory.N), SeriesStyle.Dashed),
                    new ClaimSeries("\"O(N²) total\": P alone, N²·8", Array.ConvertAll(memory.Steps, t => (double)t), Array.ConvertAll(memory.Steps, _ => 8.0 * memory.N * memory.N), SeriesStyle.Dashed),
                ], LogX: true, LogY: true),
                new ClaimFigure("2.2-underflow", Show.Text($"log10 of the best path's probability, N = {underflow.N}"), "t", "log10 max_j δ_t(j)", [
                    new ClaimSeries("probability space, float32", underflow.Steps, underflow.Float32),
                    new ClaimSeries("probability space, float64", underflow.Steps, underflow.Float64),
                    new ClaimSeries("log space (Viterbi)", underflow.LogSteps, underflow.LogSpace, SeriesStyle.Dashed),
                    LastBeforeUnderflow(underflow),
                ]),
            ],
        };
    }

    // a–d: random models with ends, zeros and lost mass; ties are re-scored.
    private static (int Agree, int Identical, int Trials) AgainstExhaustive(int trials)
    {
        var rng = new Rng(22);
        int agree = 0, identical = 0;
        for (int trial = 0; trial < trials; trial++)
        {
            int n = 2 + rng.NextInt(5), t = 1 + rng.NextInt(7);
            var m = ClaimModels.RandomMarkov(rng, n, withEnd: rng.NextInt(2) == 0);
            var exhaustive = Exhaustive.Search(m, new ExhaustiveOptions { MaxLength = t }).Best;
            var viterbi = Viterbi.Decode(m, new ViterbiOptions { MaxLength = t }).Best;
            if (SameAnswer(m, exhaustive, viterbi, t, out bool same)) agree++;
            if (same) identical++;
        }
        return (agree, identical, trials);
    }

    /// <summary>The same log-probability bit for bit, and a sequence that truly scores it (the same one, or an exact tie).</summary>
    internal static bool SameAnswer(ILanguageModel model, DecodedSequence? expected, DecodedSequence? actual, int maxLength, out bool identical)
    {
        identical = false;
        if (expected is null || actual is null) return expected is null && actual is null;
        identical = expected.Tokens.AsSpan().SequenceEqual(actual.Tokens);
        return actual.LogProbability == expected.LogProbability
            && SequenceScore.LogProbability(model, actual.Tokens, maxLength) == actual.LogProbability;
    }

    private sealed record MemoryResult(int N, int[] Steps, double[] Bytes, double Slope);

    // e: bytes one decode allocates as T grows at fixed N.
    private static MemoryResult BackPointerMemory(ReproduceOptions options)
    {
        const int n = 16;
        int[] steps = options.Quick ? [250, 1000, 4000] : [250, 1000, 4000, 16000];
        var m = ClaimModels.RandomMarkov(new Rng(23), n, withEnd: false, sparsity: 0);
        var bytes = steps.Select(t => (double)Measurements.AllocatedBytes(() => Viterbi.Decode(m, new ViterbiOptions { MaxLength = t }))).ToArray();
        return new MemoryResult(n, steps, bytes, Measurements.LogLogFit(Array.ConvertAll(steps, t => (double)t), bytes).Slope);
    }

    // The last finite point of each probability-space curve (none when a curve never reaches 0).
    private static ClaimSeries LastBeforeUnderflow(UnderflowResult u)
    {
        var x = new List<double>();
        var y = new List<double>();
        foreach (var (step, curve) in new[] { (u.Float32Step, u.Float32), (u.Float64Step, u.Float64) })
            if (step >= 2)
            {
                x.Add(step - 1);
                y.Add(curve[step - 2]);
            }
        return new ClaimSeries(Show.Text($"last step before 0: float32 t = {u.Float32Step - 1}, float64 t = {u.Float64Step - 1}"), [.. x], [.. y], SeriesStyle.Markers);
    }

    private sealed record UnderflowResult(int N, double[] Steps, double[] Float32, double[] Float64, int Float32Step, int Float64Step,
        double[] LogSteps, double[] LogSpace, int LongSteps, double LogSpaceScore, double AgreementBeforeUnderflow);

    // e: δ_t(j) = max_i P[i, j] δ_{t−1}(i) in probability space, float32 and float64, against log-space Viterbi.
    private static UnderflowResult Underflow()
    {
        const int n = 20, steps = 1200;
        var m = ClaimModels.RandomMarkov(new Rng(24), n, withEnd: false, sparsity: 0);
        var lp = m.LogProbabilities;
        var d64 = new double[n];
        var d32 = new float[n];
        for (int j = 0; j < n; j++)
        {
            d64[j] = Math.Exp(lp[m.BeginToken * n + j]);
            d32[j] = MathF.Exp(lp[m.BeginToken * n + j]);
        }
        var next64 = new double[n];
        var next32 = new float[n];
        var xs = new double[steps];
        var log32 = new double[steps];
        var log64 = new double[steps];
        int under32 = -1, under64 = -1;
        for (int t = 1; t <= steps; t++)
        {
            if (t > 1)
            {
                for (int j = 0; j < n; j++)
                {
                    double b64 = 0;
                    float b32 = 0;
                    for (int i = 0; i < n; i++)
                    {
                        b64 = Math.Max(b64, Math.Exp(lp[i * n + j]) * d64[i]);
                        b32 = MathF.Max(b32, MathF.Exp(lp[i * n + j]) * d32[i]);
                    }
                    next64[j] = b64;
                    next32[j] = b32;
                }
                (d64, next64) = (next64, d64);
                (d32, next32) = (next32, d32);
            }
            double max64 = d64.Max(), max32 = d32.Max();
            xs[t - 1] = t;
            log64[t - 1] = max64 > 0 ? Math.Log10(max64) : double.NegativeInfinity;
            log32[t - 1] = max32 > 0 ? Math.Log10(max32) : double.NegativeInfinity;
            if (max64 == 0 && under64 < 0) under64 = t;
            if (max32 == 0 && under32 < 0) under32 = t;
        }
        // The log-space answer at a few lengths, and at a length far past both underflows.
        var logSteps = new List<double>();
        var logSpace = new List<double>();
        for (int t = 25; t <= steps; t += 25)
        {
            logSteps.Add(t);
            logSpace.Add(Viterbi.Decode(m, new ViterbiOptions { MaxLength = t }).Best!.LogProbability / Math.Log(10));
        }
        int longSteps = 2 * Math.Max(under64, 1);
        double longScore = Viterbi.Decode(m, new ViterbiOptions { MaxLength = longSteps }).Best!.LogProbability;
        // Before float64 underflows, probability space and log space are the same number.
        int check = Math.Max(1, (under64 > 0 ? under64 : steps) - 50);
        double logAtCheck = Viterbi.Decode(m, new ViterbiOptions { MaxLength = check }).Best!.LogProbability / Math.Log(10);
        double agreement = Math.Abs(logAtCheck - log64[check - 1]) / Math.Abs(logAtCheck);
        return new UnderflowResult(n, xs, log32, log64, under32, under64, [.. logSteps], [.. logSpace], longSteps, longScore, agreement);
    }

    // f: a second-order model is first order on its contexts: Viterbi over them equals exhaustive search.
    private static (int Agree, int Trials, long MaxContexts) HigherOrder(int trials)
    {
        var rng = new Rng(25);
        int agree = 0;
        long contexts = 0;
        for (int trial = 0; trial < trials; trial++)
        {
            var model = ClaimModels.RandomNGram(rng, order: 3);
            int t = 2 + rng.NextInt(4);
            var exhaustive = Exhaustive.Search(model, new ExhaustiveOptions { MaxLength = t }).Best;
            var viterbi = Viterbi.Decode(model, new ViterbiOptions { MaxLength = t });
            contexts = Math.Max(contexts, viterbi.Expanded);
            if (SameAnswer(model, exhaustive, viterbi.Best, t, out _)) agree++;
        }
        return (agree, trials, contexts);
    }

    private sealed record TimingResult(int FixedT, int FixedN, double[] Ns, double[] TimeByN, (double Slope, double Intercept) NFit,
        double[] Ts, double[] TimeByT, (double Slope, double Intercept) TFit);

    // e: run time against N and T (N² stays below the size at which Viterbi splits work across threads).
    private static TimingResult Timing(ReproduceOptions options)
    {
        int fixedT = options.Quick ? 64 : 256, fixedN = options.Quick ? 32 : 64, reps = options.Repetitions(5);
        // Multiples of 64 (the kernel's column block), all below the size at which columns are split across threads.
        int[] ns = options.Quick ? [64, 128, 192] : [64, 128, 192, 256, 320];
        int[] ts = options.Quick ? [64, 128, 256, 512] : [256, 512, 1024, 2048, 4096];
        double Time(int n, int t)
        {
            var m = ClaimModels.RandomMarkov(new Rng((ulong)n), n, withEnd: false, sparsity: 0);
            var o = new ViterbiOptions { MaxLength = t };
            return Measurements.BestSeconds(() => Viterbi.Decode(m, o), reps);
        }
        var xn = ns.Select(n => (double)n).ToArray();
        var xt = ts.Select(t => (double)t).ToArray();
        var byN = Measurements.Sweep(ns.Length, i => Time(ns[i], fixedT), options.Passes);
        var byT = Measurements.Sweep(ts.Length, i => Time(fixedN, ts[i]), options.Passes);
        return new TimingResult(fixedT, fixedN, xn, byN, Measurements.LogLogFit(xn, byN, last: 3), xt, byT, Measurements.LogLogFit(xt, byT, last: 3));
    }
}
