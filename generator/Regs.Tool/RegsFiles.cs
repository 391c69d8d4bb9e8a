using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Regs.Language;

namespace Regs.Tool;

/// <summary>Finds and reads register files on disk.</summary>
internal static class RegsFiles
{
    // Build output and VCS folders never hold sources.
    private static readonly HashSet<string> Skipped = new(StringComparer.Ordinal) { "bin", "obj", ".git" };

    /// <summary>
    /// Every <c>*.regs.yaml</c> under <paramref name="path"/> (a file or a folder, recursively), as
    /// (display path, full path). Display paths start with <paramref name="path"/> as written, or are
    /// relative to <paramref name="displayBase"/> when given. Null when the path does not exist.
    /// </summary>
    public static List<(string Display, string Full)>? Find(string path, string workingDirectory, string? displayBase = null)
    {
        string full = Path.GetFullPath(path, workingDirectory);
        string Display(string f) => displayBase != null
            ? Slashes(Path.GetRelativePath(displayBase, f))
            : Slashes(Path.Combine(path, Path.GetRelativePath(full, f)));
        if (File.Exists(full)) return new() { (displayBase != null ? Display(full) : path, full) };
        if (!Directory.Exists(full)) return null;
        var found = new List<string>();
        Walk(full, found);
        found.Sort(StringComparer.Ordinal);
        return found.Select(f => (Display(f), f)).ToList();
    }

    private static void Walk(string dir, List<string> found)
    {
        found.AddRange(Directory.EnumerateFiles(dir, "*" + RegsLanguage.FileSuffix));
        foreach (string sub in Directory.EnumerateDirectories(dir))
            if (!Skipped.Contains(Path.GetFileName(sub))) Walk(sub, found);
    }

    /// <summary>Reads the files found; display paths name them in diagnostics and changes.</summary>
    public static List<(string Path, string Text)> Read(IEnumerable<(string Display, string Full)> files)
        => files.Select(f => (f.Display, File.ReadAllText(f.Full))).ToList();

    private static string Slashes(string p) => p.Replace('\\', '/');
}
