using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Text;
using System.Threading.Tasks;

namespace Regs.Tool;

/// <summary>An error the tool reports in one line and exits 3 for: bad usage, missing input.</summary>
public class ToolException(string message) : Exception(message);

/// <summary>Thrown when git fails or a revision cannot be read.</summary>
public sealed class GitException(string message) : ToolException(message);

/// <summary>The few git commands the tool needs, run as processes (no library).</summary>
internal static class Git
{
    /// <summary>Runs git in <paramref name="directory"/>; returns exit code and outputs.</summary>
    public static (int Code, string Out, string Err) Run(string directory, params string[] args)
    {
        var start = new ProcessStartInfo("git")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = new UTF8Encoding(false),
            StandardErrorEncoding = new UTF8Encoding(false),
            UseShellExecute = false,
        };
        foreach (string a in args) start.ArgumentList.Add(a);
        start.Environment["GIT_TERMINAL_PROMPT"] = "0";
        start.Environment["LC_ALL"] = "C";
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new GitException("git could not be started");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new GitException($"git could not be started: {e.Message}");
        }
        using (process)
        {
            // Both streams at once, so that neither fills its pipe and blocks git.
            Task<string> err = process.StandardError.ReadToEndAsync();
            string output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return (process.ExitCode, output, err.Result);
        }
    }

    /// <summary>The top folder of the repository containing <paramref name="directory"/>, or null outside one.</summary>
    public static string? TopLevel(string directory)
    {
        if (!Directory.Exists(directory)) return null;
        try
        {
            var (code, output, _) = Run(directory, "rev-parse", "--show-toplevel");
            return code == 0 ? Path.GetFullPath(output.Trim()) : null;
        }
        catch (GitException)
        {
            return null;
        }
    }

    /// <summary>Whether <paramref name="revision"/> names a commit in the repository at <paramref name="root"/>.</summary>
    public static bool IsRevision(string root, string revision)
        => !revision.StartsWith('-') && Run(root, "rev-parse", "--verify", "--quiet", revision + "^{commit}").Code == 0;

    /// <summary>
    /// The <c>*.regs.yaml</c> files of <paramref name="revision"/> under <paramref name="prefix"/> (relative to the
    /// repository root; null for all), as (repository-relative path, text), in path order.
    /// </summary>
    public static List<(string Path, string Text)> ReadTree(string root, string revision, string? prefix)
    {
        var args = new List<string> { "ls-tree", "-r", "-z", "--full-tree", revision };
        if (prefix != null) { args.Add("--"); args.Add(prefix); }
        var (code, output, error) = Run(root, args.ToArray());
        if (code != 0) throw new GitException($"git ls-tree {revision} failed: {error.Trim()}");
        var files = new List<(string, string)>();
        foreach (string entry in output.Split('\0', StringSplitOptions.RemoveEmptyEntries))
        {
            // "<mode> <type> <object>\t<path>"
            int tab = entry.IndexOf('\t');
            if (tab < 0) continue;
            string[] meta = entry.Substring(0, tab).Split(' ');
            string path = entry.Substring(tab + 1);
            if (meta.Length < 3 || meta[1] != "blob" || !path.EndsWith(Regs.Language.RegsLanguage.FileSuffix, StringComparison.Ordinal))
                continue;
            var (c, text, e) = Run(root, "cat-file", "blob", meta[2]);
            if (c != 0) throw new GitException($"git cat-file {revision}:{path} failed: {e.Trim()}");
            files.Add((path, text));
        }
        files.Sort((a, b) => string.CompareOrdinal(a.Item1, b.Item1));
        return files;
    }
}
