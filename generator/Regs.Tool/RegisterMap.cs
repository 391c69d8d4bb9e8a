using System;
using System.Collections.Generic;
using System.IO;

namespace Regs.Tool;

/// <summary>One side of a diff: the register files of a folder, a file, a git revision or the working tree.</summary>
internal sealed record RegisterMap(string Label, List<(string Path, string Text)> Files)
{
    /// <summary>
    /// Resolves a command-line argument: an existing file or folder wins; otherwise a git revision of the
    /// repository around <paramref name="workingDirectory"/>, restricted to <paramref name="prefix"/>.
    /// </summary>
    public static RegisterMap Resolve(string arg, string workingDirectory, string? prefix)
    {
        if (RegsFiles.Find(arg, workingDirectory) is { } files)
            return new RegisterMap(arg, RegsFiles.Read(files));
        string root = Git.TopLevel(workingDirectory)
            ?? throw new ToolException($"'{arg}' is neither a file nor a folder, and {workingDirectory} is not in a git repository");
        if (!Git.IsRevision(root, arg))
            throw new ToolException($"'{arg}' is neither a file, a folder nor a git revision");
        return new RegisterMap(arg, Git.ReadTree(root, arg, prefix));
    }

    /// <summary>The working tree of the repository around <paramref name="workingDirectory"/>, under <paramref name="prefix"/>.</summary>
    public static RegisterMap WorkingTree(string workingDirectory, string? prefix)
    {
        string root = Git.TopLevel(workingDirectory)
            ?? throw new ToolException($"NEW is omitted, so OLD is compared with the working tree, but {workingDirectory} is not in a git repository");
        string dir = prefix == null ? root : Path.Combine(root, prefix);
        var files = RegsFiles.Find(dir, root, displayBase: root) ?? new List<(string, string)>();
        return new RegisterMap("working tree", RegsFiles.Read(files));
    }

    /// <summary>A <c>--path</c> value as a repository-relative prefix without slashes at the ends; null for none.</summary>
    public static string? NormalizePrefix(string? prefix)
    {
        if (prefix == null) return null;
        string p = prefix.Trim().Replace('\\', '/');
        while (p.StartsWith("./", StringComparison.Ordinal)) p = p.Substring(2);
        p = p.Trim('/');
        return p.Length == 0 || p == "." ? null : p;
    }
}
