using Recur.LanguageModels.Markov;
using Recur.Text;

namespace Recur.LanguageModels.PrefixTrees;

// N: vocabulary size; M: tree nodes (the root, after the begin token, is node 0).

/// <summary>One branch of a prefix tree: a token, its conditional log-probability given the path to it, and what may follow.</summary>
public sealed record TreeBranch(string Token, double LogProbability, IReadOnlyList<TreeBranch> Children);

/// <summary>
/// A prefix-tree language model (docs/theory.md 2.4): each node lists its possible continuations
/// with conditional log-probabilities; continuations not listed have probability 0. Its state
/// is the whole prefix, so it is not Markov and Viterbi does not apply (docs/theory.md 2.4a).
/// <para>
/// Sequence end is explicit: a node without children is followed by the end token with
/// probability 1 (log 0), so decoders see the end like any other token. A branch named after
/// the end token (childless) ends the sequence with its own probability, which lets an inner
/// node end too. The vocabulary is the begin token, then the branch tokens in depth-first
/// order of first appearance, then the end token.
/// </para>
/// </summary>
public sealed class PrefixTreeModel : ILanguageModel
{
    /// <summary>The end token's name when none is given.</summary>
    public const string DefaultEndToken = "</s>";

    private const int Empty = -2; // a row that has read nothing
    private const int Dead = -1;  // a row that read a token of probability 0

    private readonly int[] _childStart;    // (M + 1): node m's children are [start[m], start[m+1])
    private readonly int[] _childToken;    // (E) token of each edge, ascending within a node
    private readonly int[] _childNode;     // child node of each edge; −1 for an end edge
    private readonly float[] _childLogProb;

    /// <summary>
    /// Builds the tree below the begin token. Throws <see cref="ArgumentException"/> naming the
    /// path of the first bad branch: an empty or repeated token, the begin token as a branch,
    /// a NaN, positive or infinite log-probability, children whose probabilities sum above 1
    /// (tolerance 1e-6), or an end branch with children.
    /// </summary>
    public PrefixTreeModel(string beginToken, IReadOnlyList<TreeBranch> children, string endToken = DefaultEndToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(beginToken);
        ArgumentException.ThrowIfNullOrEmpty(endToken);
        ArgumentNullException.ThrowIfNull(children);
        if (beginToken == endToken) throw new ArgumentException($"The end token '{endToken}' must differ from the begin token.", nameof(endToken));
        var tokens = new List<string> { beginToken };
        var ids = new Dictionary<string, int>(StringComparer.Ordinal) { [beginToken] = 0 };
        var nodes = new List<IReadOnlyList<TreeBranch>> { children };
        var paths = new List<string> { beginToken };
        for (int m = 0; m < nodes.Count; m++) Check(nodes[m], paths[m], beginToken, endToken, tokens, ids, nodes, paths);
        ids[endToken] = tokens.Count;
        tokens.Add(endToken);
        Vocabulary = new Vocabulary(tokens);
        BeginToken = 0;
        EndToken = tokens.Count - 1;
        (_childStart, _childToken, _childNode, _childLogProb) = Flatten(nodes, ids, endToken);
        LongestSequence = Longest();
    }

    /// <inheritdoc/>
    public Vocabulary Vocabulary { get; }

    /// <inheritdoc/>
    public int BeginToken { get; }

    /// <inheritdoc/>
    public int EndToken { get; }

    /// <summary>Number of nodes (the root after the begin token, and one per branch that is not an end branch).</summary>
    public int NodeCount => _childStart.Length - 1;

    /// <summary>The most tokens any sequence of the tree has, its end token included: a length limit that cuts nothing.</summary>
    public int LongestSequence { get; }

    /// <inheritdoc/>
    public LanguageModelState CreateState(int batch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        var state = new State(batch);
        state.Node.AsSpan().Fill(Empty);
        return state;
    }

    /// <inheritdoc/>
    public void Step(LanguageModelState state, ReadOnlySpan<int> tokens, Span<float> logProbs)
    {
        var s = Own(state);
        int n = Vocabulary.Count, batch = s.Batch;
        ProtocolChecks.Step(batch, tokens, logProbs.Length, n);
        for (int r = 0; r < batch; r++)
        {
            int token = tokens[r];
            int node = s.Node[r];
            s.Node[r] = node == Empty ? (token == BeginToken ? 0 : Dead) : node == Dead ? Dead : Child(node, token);
            var row = logProbs.Slice(r * n, n);
            row.Fill(float.NegativeInfinity);
            node = s.Node[r];
            if (node < 0) continue;
            for (int e = _childStart[node]; e < _childStart[node + 1]; e++) row[_childToken[e]] = _childLogProb[e];
        }
    }

    /// <inheritdoc/>
    public void Gather(LanguageModelState source, ReadOnlySpan<int> rows, LanguageModelState destination)
    {
        var from = Own(source);
        var to = Own(destination);
        ProtocolChecks.Gather(from, rows, to);
        for (int r = 0; r < rows.Length; r++) to.Node[r] = from.Node[rows[r]];
    }

    // The node reached from `node` by `token`; reading the end token (or anything unlisted) leads nowhere.
    private int Child(int node, int token)
    {
        int lo = _childStart[node], hi = _childStart[node + 1] - 1;
        while (lo <= hi)
        {
            int mid = (lo + hi) >>> 1;
            int t = _childToken[mid];
            if (t == token) return _childNode[mid] >= 0 ? _childNode[mid] : Dead;
            if (t < token) lo = mid + 1;
            else hi = mid - 1;
        }
        return Dead;
    }

    private State Own(LanguageModelState state) =>
        state as State ?? throw new ArgumentException("The state was not created by this prefix tree.", nameof(state));

    // Children are numbered after their parents, so one pass in node order sets every depth.
    private int Longest()
    {
        var depth = new int[NodeCount];
        int longest = 0;
        for (int node = 0; node < NodeCount; node++)
            for (int e = _childStart[node]; e < _childStart[node + 1]; e++)
            {
                if (_childNode[e] >= 0) depth[_childNode[e]] = depth[node] + 1;
                else longest = Math.Max(longest, depth[node] + 1);
            }
        return longest;
    }

    // Validates one node's branches and queues its inner children (breadth-first over nodes,
    // but tokens are numbered in the order branches are met).
    private static void Check(IReadOnlyList<TreeBranch> branches, string path, string begin, string end,
        List<string> tokens, Dictionary<string, int> ids, List<IReadOnlyList<TreeBranch>> nodes, List<string> paths)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        double sum = 0;
        foreach (var b in branches)
        {
            if (b is null) throw new ArgumentException($"{path}: a branch is null.");
            if (string.IsNullOrEmpty(b.Token)) throw new ArgumentException($"{path}: a branch has an empty token.");
            string at = $"{path} → {b.Token}";
            if (!seen.Add(b.Token)) throw new ArgumentException($"{at}: the token appears twice among the children.");
            if (b.Token == begin) throw new ArgumentException($"{at}: the begin token is never predicted.");
            double lp = b.LogProbability;
            if (double.IsNaN(lp)) throw new ArgumentException($"{at}: the log-probability is NaN.");
            if (lp > 0) throw new ArgumentException($"{at}: the log-probability {lp} is positive; log-probabilities must be ≤ 0.");
            if (!double.IsFinite(lp)) throw new ArgumentException($"{at}: the log-probability is −∞; leave the branch out instead.");
            if (float.IsNegativeInfinity((float)lp)) throw new ArgumentException($"{at}: the log-probability {lp} is below the float range; leave the branch out instead.");
            sum += Math.Exp(lp);
            var kids = b.Children ?? [];
            if (b.Token == end)
            {
                if (kids.Count > 0) throw new ArgumentException($"{at}: the end token cannot have children.");
                continue;
            }
            if (!ids.ContainsKey(b.Token))
            {
                ids[b.Token] = tokens.Count;
                tokens.Add(b.Token);
            }
            nodes.Add(kids);
            paths.Add(at);
        }
        if (sum > 1 + MarkovModel.RowSumTolerance)
            throw new ArgumentException($"{path}: the children's probabilities sum to {sum:R} > 1 (tolerance {MarkovModel.RowSumTolerance}).");
    }

    // Lays the nodes out as edge lists sorted by token. Node numbers follow the order Check
    // queued them: node m's inner children get the next numbers, in branch order.
    private static (int[], int[], int[], float[]) Flatten(List<IReadOnlyList<TreeBranch>> nodes, Dictionary<string, int> ids, string end)
    {
        var start = new int[nodes.Count + 1];
        var edges = new List<(int Token, int Child, float LogProb)>();
        int next = 1;
        for (int node = 0; node < nodes.Count; node++)
        {
            start[node] = edges.Count;
            var kids = nodes[node];
            // A leaf ends the sequence: the end token with probability 1.
            if (kids.Count == 0) edges.Add((ids[end], -1, 0f));
            foreach (var b in kids) edges.Add((ids[b.Token], b.Token == end ? -1 : next++, (float)b.LogProbability));
            edges.Sort(start[node], edges.Count - start[node], Comparer<(int Token, int Child, float LogProb)>.Create((x, y) => x.Token.CompareTo(y.Token)));
        }
        start[nodes.Count] = edges.Count;
        var token = new int[edges.Count];
        var child = new int[edges.Count];
        var logProb = new float[edges.Count];
        for (int e = 0; e < edges.Count; e++) (token[e], child[e], logProb[e]) = edges[e];
        return (start, token, child, logProb);
    }

    private sealed class State(int batch) : LanguageModelState
    {
        public readonly int[] Node = new int[batch]; // (B): each row's node; −2 empty, −1 dead

        public override int Batch => Node.Length;
    }
}
