namespace Recur.Text;

/// <summary>
/// An ordered set of distinct token strings; a token's id is its position. Immutable.
/// </summary>
public sealed class Vocabulary
{
    private readonly string[] _tokens;
    private readonly Dictionary<string, int> _ids;

    /// <summary>Creates a vocabulary; tokens must be distinct and non-null.</summary>
    public Vocabulary(IEnumerable<string> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        _tokens = tokens.ToArray();
        _ids = new Dictionary<string, int>(_tokens.Length, StringComparer.Ordinal);
        for (int i = 0; i < _tokens.Length; i++)
        {
            if (_tokens[i] is null) throw new ArgumentException("A vocabulary token is null.", nameof(tokens));
            if (!_ids.TryAdd(_tokens[i], i)) throw new ArgumentException($"Token '{_tokens[i]}' appears twice in the vocabulary.", nameof(tokens));
        }
    }

    /// <summary>Number of tokens (N).</summary>
    public int Count => _tokens.Length;

    /// <summary>The token with this id.</summary>
    public string this[int id] => _tokens[id];

    /// <summary>All tokens in id order.</summary>
    public IReadOnlyList<string> Tokens => _tokens;

    /// <summary>The id of <paramref name="token"/>, or −1 when it is not in the vocabulary.</summary>
    public int IndexOf(string token) => _ids.TryGetValue(token, out int id) ? id : -1;

    /// <summary>True when <paramref name="token"/> is in the vocabulary.</summary>
    public bool Contains(string token) => _ids.ContainsKey(token);
}
