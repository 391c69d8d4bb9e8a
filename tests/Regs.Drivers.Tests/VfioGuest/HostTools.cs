using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;

namespace Regs.Drivers.Tests.VfioGuest;

/// <summary>
/// What the VfioGuest harness needs from the host: the repository, its cache folder
/// (artifacts/vfio-guest, ignored by git), bounded child processes and Debian packages (installed
/// when running as root, else a clear error naming them).
/// </summary>
public static class HostTools
{
    /// <summary>Environment variable that overrides <see cref="CacheDirectory"/>.</summary>
    public const string CacheVariable = "REGS_VFIO_GUEST_CACHE";

    /// <summary>The repository root: the nearest folder above the test assembly holding Regs.sln.</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>Where downloads, the published guest program, initramfs images and serial logs go: $REGS_VFIO_GUEST_CACHE or artifacts/vfio-guest.</summary>
    public static string CacheDirectory
    {
        get
        {
            string dir = Environment.GetEnvironmentVariable(CacheVariable) is { Length: > 0 } set ? set : Path.Combine(RepoRoot, "artifacts", "vfio-guest");
            Directory.CreateDirectory(dir);
            return dir;
        }
    }

    /// <summary>True when this process runs as root (it may then install packages).</summary>
    public static bool IsRoot => Environment.UserName == "root";

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Regs.sln"))) return dir.FullName;
        throw new InvalidOperationException($"no Regs.sln above {AppContext.BaseDirectory}");
    }

    /// <summary>The full path of <paramref name="name"/> on PATH (plus the sbin folders), or null.</summary>
    public static string? Which(string name)
    {
        var dirs = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(new[] { "/usr/local/sbin", "/usr/sbin", "/sbin", "/usr/bin", "/bin" });
        foreach (string dir in dirs)
        {
            string candidate = Path.Combine(dir, name);
            if (File.Exists(candidate)) return candidate;
        }
        return null;
    }

    /// <summary>
    /// Runs <paramref name="file"/> with <paramref name="arguments"/> (stdin closed), waits at most
    /// <paramref name="timeout"/> (then kills it) and returns its exit code with stdout and stderr
    /// interleaved. <paramref name="environment"/> entries with a null value are removed.
    /// </summary>
    public static (int ExitCode, string Output) Run(string file, IEnumerable<string> arguments, TimeSpan timeout,
        string? workingDirectory = null, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var start = new ProcessStartInfo(file)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? RepoRoot,
        };
        foreach (string argument in arguments) start.ArgumentList.Add(argument);
        if (environment is not null)
        {
            foreach (var (key, value) in environment)
            {
                if (value is null) start.Environment.Remove(key);
                else start.Environment[key] = value;
            }
        }
        var output = new StringBuilder();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
        try { process.Start(); }
        catch (System.ComponentModel.Win32Exception e) { throw new InvalidOperationException($"cannot start {file}: {e.Message}", e); }
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(timeout))
        {
            try { process.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            process.WaitForExit(5000);
            lock (output) throw new TimeoutException($"{file} {string.Join(' ', start.ArgumentList)} did not finish within {timeout.TotalSeconds} s; output:\n{Tail(output.ToString())}");
        }
        // Drain the asynchronous readers (bounded: a grandchild holding the pipes must not hang us).
        var drained = new Thread(() => process.WaitForExit()) { IsBackground = true };
        drained.Start();
        drained.Join(TimeSpan.FromSeconds(5));
        lock (output) return (process.ExitCode, output.ToString());
    }

    /// <summary>Like <see cref="Run"/> but throws (with the output) when the exit code is not 0.</summary>
    public static string RunChecked(string file, IEnumerable<string> arguments, TimeSpan timeout,
        string? workingDirectory = null, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var list = arguments.ToList();
        var (code, output) = Run(file, list, timeout, workingDirectory, environment);
        if (code != 0) throw new InvalidOperationException($"{file} {string.Join(' ', list)} exited with {code}:\n{Tail(output)}");
        return output;
    }

    /// <summary>The last <paramref name="max"/> characters of <paramref name="text"/>.</summary>
    public static string Tail(string text, int max = 8000) => text.Length <= max ? text : "...\n" + text[^max..];

    /// <summary>apt-get options shared by every call: wait for a dpkg lock held by someone else instead of failing.</summary>
    private static readonly string[] AptOptions = { "-q", "-o", "DPkg::Lock::Timeout=300", "-o", "Acquire::Retries=3" };

    private static readonly Dictionary<string, string?> AptEnvironment = new() { ["DEBIAN_FRONTEND"] = "noninteractive" };

    /// <summary>
    /// Makes sure every check in <paramref name="present"/> holds, installing <paramref name="packages"/>
    /// with apt-get when one does not and this process is root; otherwise throws naming the packages.
    /// </summary>
    public static void EnsurePackages(string purpose, Func<bool> present, IReadOnlyList<string> packages, string? targetRelease = null)
    {
        if (present()) return;
        string command = $"apt-get install -y {(targetRelease is null ? "" : $"-t {targetRelease} ")}--no-install-recommends {string.Join(' ', packages)}";
        if (!IsRoot) throw new InvalidOperationException($"{purpose} needs the Debian packages {string.Join(", ", packages)}; as root run: {command}");
        var install = new List<string>(AptOptions) { "install", "-y", "--no-install-recommends" };
        if (targetRelease is not null) install.AddRange(new[] { "-t", targetRelease });
        install.AddRange(packages);
        var (code, output) = Run("apt-get", install, TimeSpan.FromMinutes(4), environment: AptEnvironment);
        if (code != 0)
        {
            // Perhaps the package lists are missing or stale: refresh once and try again.
            Run("apt-get", new List<string>(AptOptions) { "update" }, TimeSpan.FromMinutes(2), environment: AptEnvironment);
            (code, output) = Run("apt-get", install, TimeSpan.FromMinutes(4), environment: AptEnvironment);
        }
        if (code != 0 || !present())
            throw new InvalidOperationException($"{purpose} needs the Debian packages {string.Join(", ", packages)}, and `{command}` failed (exit {code}):\n{Tail(output)}");
    }

    /// <summary>Downloads the .deb of <paramref name="package"/> into <paramref name="directory"/> (apt-get download; refreshes the lists once on failure) and returns its path.</summary>
    public static string AptDownload(string package, string directory)
    {
        Directory.CreateDirectory(directory);
        bool Found(out string path)
        {
            path = Directory.GetFiles(directory, package + "_*.deb").OrderBy(p => p, StringComparer.Ordinal).LastOrDefault() ?? "";
            return path.Length != 0;
        }
        if (Found(out string existing)) return existing;
        if (Which("apt-get") is null) throw new InvalidOperationException($"apt-get is missing: the VfioGuest harness downloads the Debian package {package} with it (Debian or Ubuntu host required)");
        var download = new List<string>(AptOptions) { "download", package };
        var (code, output) = Run("apt-get", download, TimeSpan.FromMinutes(3), directory, AptEnvironment);
        if (code != 0 && IsRoot)
        {
            Run("apt-get", new List<string>(AptOptions) { "update" }, TimeSpan.FromMinutes(2), environment: AptEnvironment);
            (code, output) = Run("apt-get", download, TimeSpan.FromMinutes(3), directory, AptEnvironment);
        }
        if (code != 0 || !Found(out string downloaded))
            throw new InvalidOperationException($"`apt-get download {package}` failed (exit {code}); the VfioGuest harness needs it from a Debian mirror:\n{Tail(output)}");
        return downloaded;
    }

    /// <summary>
    /// Holds an exclusive lock on <paramref name="name"/> in the cache folder while it lives, so two
    /// test processes do not fill the cache at once (bounded wait).
    /// </summary>
    public static IDisposable LockCache(string name, TimeSpan timeout)
    {
        string path = Path.Combine(CacheDirectory, name + ".lock");
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try { return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None); }
            catch (IOException) when (DateTime.UtcNow < deadline) { Thread.Sleep(200); }
        }
    }
}
