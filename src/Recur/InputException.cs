namespace Recur;

/// <summary>
/// Thrown when something given to Recur — a file, a line of it, an option's value — cannot be
/// used. <see cref="Subject"/> names it (a path with its line, an option); the message says
/// what is wrong and, where it helps, what to do instead. The command-line tool reports it as
/// <c>error: subject: reason</c> with exit code 2.
/// </summary>
public class InputException : Exception
{
    public InputException(string subject, string reason, Exception? inner = null)
        : base(reason, inner)
    {
        Subject = subject;
    }

    /// <summary>What was wrong: a file (with line), an option or a value.</summary>
    public string Subject { get; }
}
