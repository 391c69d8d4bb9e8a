using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;

namespace Regs.Docs.Tests;

/// <summary>
/// Debian's chromium, run headless with a bounded time. Installed with apt-get when missing and the
/// tests run as root; otherwise the tests fail naming the package (they are never skipped).
/// </summary>
internal static class Chromium
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);
    private static readonly Lazy<string> Path_ = new(Locate, LazyThreadSafetyMode.ExecutionAndPublication);

    public static string Executable => Path_.Value;

    public sealed record Result(int ExitCode, string Stdout, string Stderr, TimeSpan Elapsed);

    /// <summary>Runs chromium headless on <paramref name="url"/> with extra <paramref name="args"/>; fails on timeout or a non-zero exit.</summary>
    public static Result Run(string url, params string[] args)
    {
        string profile = TestPaths.TempDir("chromium-profile");
        var all = new[] { "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--no-default-browser-check",
            "--disable-extensions", "--disable-background-networking", "--disable-sync", "--hide-scrollbars", "--mute-audio",
            "--user-data-dir=" + profile }.Concat(args).Append(url).ToArray();
        Result r = Exec(Executable, all, Timeout);
        if (r.ExitCode != 0)
            throw new InvalidOperationException($"chromium exited with {r.ExitCode} after {r.Elapsed.TotalSeconds:F1} s:\n{r.Stderr}");
        try { Directory.Delete(profile, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        return r;
    }

    /// <summary>Runs a process with a time limit; on timeout kills it (and only its own process tree) and throws.</summary>
    public static Result Exec(string file, string[] args, TimeSpan timeout)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in args) psi.ArgumentList.Add(a);
        psi.Environment["DEBIAN_FRONTEND"] = "noninteractive";
        var sw = Stopwatch.StartNew();
        using var p = Process.Start(psi) ?? throw new InvalidOperationException("could not start " + file);
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        p.OutputDataReceived += (_, e) => { if (e.Data != null) lock (stdout) stdout.Append(e.Data).Append('\n'); };
        p.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (stderr) stderr.Append(e.Data).Append('\n'); };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        if (!p.WaitForExit((int)timeout.TotalMilliseconds))
        {
            try { p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            p.WaitForExit(10_000);
            throw new TimeoutException($"{Path.GetFileName(file)} did not finish within {timeout.TotalSeconds:F0} s: {string.Join(' ', args)}");
        }
        p.WaitForExit(); // drain the redirected streams
        sw.Stop();
        lock (stdout) lock (stderr) return new Result(p.ExitCode, stdout.ToString(), stderr.ToString(), sw.Elapsed);
    }

    private static string Locate()
    {
        if (Find() is string found) return found;
        if (!IsRoot())
            throw new InvalidOperationException("chromium is not installed and the tests are not running as root: install the Debian package 'chromium' (apt-get install -y chromium).");
        Result r = Exec("apt-get", new[] { "install", "-y", "--no-install-recommends", "chromium" }, TimeSpan.FromMinutes(10));
        if (Find() is string installed) return installed;
        throw new InvalidOperationException($"apt-get install chromium failed (exit {r.ExitCode}); install the Debian package 'chromium':\n{r.Stderr}");
    }

    private static string? Find()
    {
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? "/usr/bin").Split(Path.PathSeparator).Append("/usr/bin"))
            foreach (string name in new[] { "chromium", "chromium-browser" })
            {
                string p = Path.Combine(dir, name);
                if (File.Exists(p)) return p;
            }
        return null;
    }

    private static bool IsRoot()
    {
        try { return Exec("id", new[] { "-u" }, TimeSpan.FromSeconds(10)).Stdout.Trim() == "0"; }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or TimeoutException) { return false; }
    }
}
