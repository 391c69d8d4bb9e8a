using System;
using System.Diagnostics;
using System.IO;

namespace Regs.Tool.Tests;

/// <summary>A scratch folder, deleted afterwards.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "regs-tool-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    /// <summary>Writes <paramref name="text"/> to a path relative to the folder, creating folders.</summary>
    public string Write(string relative, string text)
    {
        string full = System.IO.Path.Combine(Path, relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllText(full, text);
        return full;
    }

    public void Delete(string relative) => File.Delete(System.IO.Path.Combine(Path, relative));

    public void Dispose()
    {
        try
        {
            // git makes its objects read-only.
            foreach (string f in Directory.EnumerateFiles(Path, "*", SearchOption.AllDirectories)) File.SetAttributes(f, FileAttributes.Normal);
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}

/// <summary>A git repository in a scratch folder, committing as a fixed test identity.</summary>
internal sealed class GitRepo : IDisposable
{
    private readonly TempDir _dir = new();

    public GitRepo()
    {
        Git("init", "-q", "-b", "main");
    }

    public string Path => _dir.Path;

    public string Write(string relative, string text) => _dir.Write(relative, text);
    public void Delete(string relative) => _dir.Delete(relative);

    /// <summary>Stages everything and commits it.</summary>
    public void Commit(string message)
    {
        Git("add", "-A");
        Git("commit", "-q", "-m", message);
    }

    public string Git(params string[] args)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = Path, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in new[] { "-c", "user.name=Regs Test", "-c", "user.email=test@example.invalid", "-c", "commit.gpgsign=false" })
            start.ArgumentList.Add(a);
        foreach (string a in args) start.ArgumentList.Add(a);
        using Process p = Process.Start(start)!;
        string err = p.StandardError.ReadToEndAsync().Result;
        string output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) throw new InvalidOperationException($"git {string.Join(' ', args)}: {err}");
        return output;
    }

    public void Dispose() => _dir.Dispose();
}

/// <summary>Runs the tool in-process and captures what it prints.</summary>
internal static class Tool
{
    public sealed record Result(int Code, string Out, string Err)
    {
        public string[] OutLines => Out.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    public static Result Run(string workingDirectory, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = RegsTool.Run(args, stdout, stderr, workingDirectory);
        return new Result(code, stdout.ToString().Replace("\r\n", "\n"), stderr.ToString().Replace("\r\n", "\n"));
    }
}

/// <summary>Where the repository is, found from the test assembly's folder.</summary>
internal static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        for (string? dir = AppContext.BaseDirectory; dir != null; dir = System.IO.Path.GetDirectoryName(dir))
            if (File.Exists(System.IO.Path.Combine(dir, "Regs.sln"))) return dir;
        throw new InvalidOperationException("Regs.sln not found above " + AppContext.BaseDirectory);
    }
}
