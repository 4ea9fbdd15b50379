namespace Recur.Cli;

/// <summary>
/// An output is never one of the command's inputs: `ngram train --corpus c.txt --out c.txt`
/// would replace the corpus with the model it was being read for. Paths are compared after
/// resolving symbolic links, so a link to an input counts as the input.
/// </summary>
internal static class OutputPaths
{
    /// <summary>Throws an <see cref="InputException"/> naming <paramref name="flag"/> when <paramref name="output"/> is one of <paramref name="inputs"/>.</summary>
    public static void MustNotBeAnInput(string flag, string output, IEnumerable<string> inputs)
    {
        string target = Resolve(output);
        foreach (string input in inputs)
            if (input != Recur.Formats.InputFile.StandardInputPath && string.Equals(Resolve(input), target, OperatingSystem.IsLinux() ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase))
                throw new InputException(flag, $"{output} is also an input of this command; writing it would destroy {input}: give another file name");
    }

    private static string Resolve(string path)
    {
        string full = Path.GetFullPath(path);
        try
        {
            return new FileInfo(full).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? full;
        }
        catch (IOException)
        {
            return full;
        }
    }
}
