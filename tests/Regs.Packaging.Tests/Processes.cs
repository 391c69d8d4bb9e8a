using System;
using System.Collections;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Text;
using System.Threading;

namespace Regs.Packaging.Tests;

/// <summary>The result of one child process.</summary>
public sealed record ProcessResult(string Command, int ExitCode, string StdOut, string StdErr, TimeSpan Elapsed)
{
    /// <summary>Both streams, for assertion messages.</summary>
    public string Output => StdOut + StdErr;

    /// <summary>A readable summary for a failed assertion.</summary>
    public override string ToString() => $"`{Command}` exited {ExitCode} after {Elapsed.TotalSeconds:F1} s\n{StdOut}\n{StdErr}";
}

/// <summary>
/// Runs dotnet and git as child processes with a clean environment: the MSBuild variables that
/// `dotnet test` puts into the test host are removed (they would point a nested build at the
/// test run's MSBuild), node reuse is off (no build nodes outlive a test), and NuGet's global
/// packages folder is the test run's own, so packages of the local feed never mix with the
/// user's cache.
/// </summary>
public static class Processes
{
    /// <summary>Runs <paramref name="fileName"/> with <paramref name="args"/> in <paramref name="workingDirectory"/>.</summary>
    public static ProcessResult Run(string fileName, IEnumerable<string> args, string workingDirectory,
        IDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (string a in args) start.ArgumentList.Add(a);
        foreach (DictionaryEntry e in Environment.GetEnvironmentVariables())
        {
            string key = (string)e.Key;
            if (key.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase)
                || key.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)
                || key.StartsWith("TESTINGPLATFORM", StringComparison.OrdinalIgnoreCase)
                || key.Equals("DOTNET_HOST_PATH", StringComparison.OrdinalIgnoreCase))
                start.Environment.Remove(key);
        }
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        start.Environment["DOTNET_CLI_WORKLOAD_UPDATE_NOTIFY_DISABLE"] = "1";
        start.Environment["NO_COLOR"] = "1";
        if (environment != null)
            foreach (var (k, v) in environment) start.Environment[k] = v;

        string command = fileName + " " + string.Join(" ", args);
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        using var outDone = new ManualResetEventSlim();
        using var errDone = new ManualResetEventSlim();
        var watch = Stopwatch.StartNew();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data == null) outDone.Set(); else lock (stdout) stdout.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data == null) errDone.Set(); else lock (stderr) stderr.AppendLine(e.Data); };
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(timeout ?? TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(5000);
            throw new TimeoutException($"`{command}` did not finish within {(timeout ?? TimeSpan.FromMinutes(5)).TotalSeconds} s:\n{stdout}\n{stderr}");
        }
        // A grandchild that kept the pipes open (a compiler server) must not hold the test: the
        // process itself has exited, so give the readers a moment and go on.
        outDone.Wait(TimeSpan.FromSeconds(5));
        errDone.Wait(TimeSpan.FromSeconds(5));
        watch.Stop();
        string o, e2;
        lock (stdout) o = stdout.ToString();
        lock (stderr) e2 = stderr.ToString();
        return new ProcessResult(command, process.ExitCode, o, e2, watch.Elapsed);
    }

    /// <summary>Runs the .NET CLI.</summary>
    public static ProcessResult Dotnet(string workingDirectory, IDictionary<string, string>? environment, params string[] args)
        => Run("dotnet", args, workingDirectory, environment);

    /// <summary>The repository root (the folder holding Regs.sln) above the test assembly.</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Regs.sln"))) return dir.FullName;
        throw new InvalidOperationException("Regs.sln not found above " + AppContext.BaseDirectory);
    }
}
