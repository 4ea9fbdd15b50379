using Recur.LanguageModels;

namespace Recur.Decoding;

// N: vocabulary size; S: states (token, context) reached; T: depth explored.

/// <summary>
/// State expansion (docs/theory.md 2.2f): turns a finite-context language model — an order-k
/// n-gram model with (k−1)-token contexts, a first-order Markov model — into a first-order
/// chain over the (token, context) pairs it actually reaches from the begin token within T
/// tokens, so that <see cref="SparseViterbi"/> decodes it exactly. Only contexts the model
/// holds and reaches with non-zero probability become states (never all N^(k−1)). A state's
/// label is its last token; the end token, when the model has one, becomes one absorbing
/// state (self-loop at log 1), as in <see cref="DenseViterbi"/>.
/// <para>
/// Cost: one model step per edge. Memory: the graph, plus the model state and next-token
/// distribution of each state until it is expanded (breadth-first, so the frontier's). Exceeding <c>maxStates</c> throws an <see cref="InputException"/>.
/// </para>
/// </summary>
public static class ContextGraph
{
    /// <summary>The chain over the (token, context) states reached within <paramref name="depth"/> tokens.</summary>
    public static TransitionGraph Build(IFiniteContextModel model, int depth, int maxStates = 100_000) =>
        Build(new TimedModel(model), depth, maxStates);

    internal static TransitionGraph Build(TimedModel timed, int depth, int maxStates)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(depth, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxStates, 1);
        var model = (IFiniteContextModel)timed.Model;
        int n = model.Vocabulary.Count, end = model.EndToken;
        var ids = new Dictionary<int[], int>(new SequenceComparer());
        var labels = new List<int>();
        var depths = new List<int>();
        var states = new List<LanguageModelState?>();
        var pending = new Dictionary<int, float[]>();    // next-token distributions not yet expanded
        var start = new List<float>();
        var (from, to, weights) = (new List<int>(), new List<int>(), new List<float>());
        int endState = -1;
        var scratch = new int[1];

        var root = model.CreateState(1);
        var rootDist = new float[n];
        scratch[0] = model.BeginToken;
        timed.Step(root, scratch, rootDist);
        var firstEdges = Expand(root, rootDist, 1);
        foreach (var (child, lp) in firstEdges) SetStart(child, lp);

        for (int s = 0; s < labels.Count; s++)
        {
            if (s == endState || depths[s] >= depth) continue;
            var dist = pending[s];
            pending.Remove(s);
            foreach (var (child, lp) in Expand(states[s]!, dist, depths[s] + 1)) AddEdge(s, child, lp);
            states[s] = null;
        }
        if (endState >= 0) AddEdge(endState, endState, 0f);
        while (start.Count < labels.Count) start.Add(float.NegativeInfinity);
        return new TransitionGraph(labels.ToArray(), n, start.ToArray(), from.ToArray(), to.ToArray(), weights.ToArray());

        // The children of a state, one model step each; new (token, context) pairs become states.
        List<(int Child, float LogProb)> Expand(LanguageModelState parent, float[] dist, int childDepth)
        {
            var edges = new List<(int, float)>();
            for (int w = 0; w < n; w++)
            {
                if (float.IsNegativeInfinity(dist[w])) continue;
                edges.Add((w == end ? EndState(childDepth) : Child(parent, w, childDepth), dist[w]));
            }
            return edges;
        }

        int Child(LanguageModelState parent, int token, int childDepth)
        {
            var state = model.CreateState(1);
            var childDist = new float[n];
            timed.Gather(parent, [0], state);
            scratch[0] = token;
            timed.Step(state, scratch, childDist);
            int[] key = [token, .. model.Context(state, 0)];
            if (ids.TryGetValue(key, out int existing)) return existing;
            int id = NewState(token, childDepth, state);
            ids[key] = id;
            pending[id] = childDist;
            return id;
        }

        int EndState(int childDepth) => endState >= 0 ? endState : endState = NewState(end, childDepth, null);

        int NewState(int label, int stateDepth, LanguageModelState? state)
        {
            if (labels.Count >= maxStates)
                throw new InputException("viterbi", $"the model reaches more than {maxStates} (token, context) states within {depth} tokens; use a shorter length, beam search or exact search");
            labels.Add(label);
            depths.Add(stateDepth);
            states.Add(state);
            return labels.Count - 1;
        }

        void SetStart(int state, float lp)
        {
            while (start.Count <= state) start.Add(float.NegativeInfinity);
            start[state] = lp;
        }

        void AddEdge(int a, int b, float lp)
        {
            from.Add(a);
            to.Add(b);
            weights.Add(lp);
        }
    }

    private sealed class SequenceComparer : IEqualityComparer<int[]>
    {
        public bool Equals(int[]? x, int[]? y) => x.AsSpan().SequenceEqual(y);

        public int GetHashCode(int[] key)
        {
            var h = new HashCode();
            foreach (int v in key) h.Add(v);
            return h.ToHashCode();
        }
    }
}
