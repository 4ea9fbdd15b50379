using Recur.LanguageModels;

namespace Recur.Decoding;

// N: vocabulary size; T: the length limit; K: sequences returned.

/// <summary>
/// Exact search for any language model: uniform-cost (best-first) search over prefixes,
/// a priority queue ordered by log-probability. Every token has log-probability ≤ 0, so a
/// prefix never scores above its own prefixes; hence the first complete sequence popped (one
/// ending in the end token, or of T tokens) is the most probable, the second popped the second
/// most probable, and so on (Dijkstra 1959). This is the exact search Viterbi cannot do for
/// models that are not Markov (docs/theory.md 2.2f, 2.4a: "the green rectangle", −8.2).
/// <para>
/// Cost: one model step per prefix expanded; memory one model state per expanded prefix plus
/// the queue. Budgets: <see cref="BestFirstOptions.MaxNodes"/> queued prefixes, then an
/// <see cref="InputException"/>. Tie rule: of equal log-probabilities, the prefix queued first
/// is popped first. Without a minimum length the best sequence is often the empty one
/// (Stahlberg &amp; Byrne 2019). <see cref="DecodeResult.Expanded"/> counts prefixes expanded.
/// </para>
/// </summary>
public static class BestFirst
{
    /// <summary>Token scores allowed per unit of <see cref="BestFirstOptions.MaxNodes"/>.</summary>
    private const double ScoredPerNode = 64;

    /// <summary>The K most probable complete sequences, best first.</summary>
    public static DecodeResult Search(ILanguageModel model, BestFirstOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var o = options ?? new BestFirstOptions();
        SearchLimits.Check("BestFirstOptions.MaxLength", $"the length T = {o.MaxLength:N0} + vocabulary N = {model.Vocabulary.Count:N0}", (double)o.MaxLength + model.Vocabulary.Count);
        var timed = new TimedModel(model);
        double bound = double.NegativeInfinity;
        long greedyExpanded = 0;
        if (o.GreedyBound && o.Count == 1)
            bound = Greedy.Run(timed, o.MaxLength, o.MinLength, out greedyExpanded)?.LogProbability ?? double.NegativeInfinity;

        int n = model.Vocabulary.Count, end = model.EndToken;
        var nodes = new List<Node>();
        var states = new List<LanguageModelState>();      // states[node.State] has read the node's prefix
        var queue = new PriorityQueue<int, (double Score, int Id)>(Comparer<(double Score, int Id)>.Create(
            static (a, b) => a.Score != b.Score ? b.Score.CompareTo(a.Score) : a.Id.CompareTo(b.Id)));
        var dist = new float[n];
        var found = new List<DecodedSequence>();
        int[] one = [model.BeginToken];

        nodes.Add(new Node(-1, model.BeginToken, 0f, 0.0, 0, -1));
        long expanded = 0;
        int current = 0;
        while (true)
        {
            // Expand `current`: read its last token after its parent's state.
            var node = nodes[current];
            var state = model.CreateState(1);
            if (node.Parent >= 0) timed.Gather(states[nodes[node.Parent].State], [0], state);
            one[0] = node.Token;
            timed.Step(state, one, dist);
            expanded++;
            // Every expansion scores N tokens, queued or not: the budget bounds that work too,
            // so that a model with a huge vocabulary and few live tokens cannot run for minutes.
            if ((double)expanded * n > ScoredPerNode * (double)o.MaxNodes)
                throw new InputException("exact search", $"gave up after scoring {(double)expanded * n:N0} tokens ({expanded} prefixes expanded over a vocabulary of {n:N0}) without finishing; raise the node budget, lower the length limit, or use beam search");
            nodes[current] = node with { State = states.Count };
            states.Add(state);
            for (int w = 0; w < n; w++)
            {
                if (w == end && node.Length < o.MinLength) continue;
                double score = node.Score + dist[w];
                if (!(score > double.NegativeInfinity) || score < bound) continue;
                if (nodes.Count >= o.MaxNodes)
                    throw new InputException("exact search", $"gave up after queuing {o.MaxNodes} prefixes ({expanded} expanded) without finishing; raise the node budget, lower the length limit, or use beam search");
                queue.Enqueue(nodes.Count, (score, nodes.Count));
                nodes.Add(new Node(current, w, dist[w], score, node.Length + 1, -1));
            }

            // Pop until a prefix needs expanding; complete ones are answers, best first.
            while (true)
            {
                if (!queue.TryDequeue(out current, out _)) return timed.Result(found, expanded + greedyExpanded);
                var c = nodes[current];
                if (c.Token != end && c.Length < o.MaxLength) break;
                found.Add(Sequence(nodes, current));
                if (found.Count == o.Count) return timed.Result(found, expanded + greedyExpanded);
            }
        }
    }

    private static DecodedSequence Sequence(List<Node> nodes, int leaf)
    {
        int length = nodes[leaf].Length;
        var tokens = new int[length];
        var logProbs = new float[length];
        for (int at = leaf; nodes[at].Parent >= 0; at = nodes[at].Parent)
        {
            tokens[nodes[at].Length - 1] = nodes[at].Token;
            logProbs[nodes[at].Length - 1] = nodes[at].LogProb;
        }
        return DecodedSequence.FromTokens(tokens, logProbs);
    }

    // One queued prefix: its parent, last token and its log-probability, the prefix's
    // log-probability, its length, and its model state once expanded (−1 before).
    private readonly record struct Node(int Parent, int Token, float LogProb, double Score, int Length, int State);
}
