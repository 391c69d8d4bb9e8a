using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Regs.Drivers.Tests.VfioGuest;

/// <summary>
/// A program that runs inside the guest: a project published with NativeAOT as one static
/// linux-x64 executable (lld; the project file sets PublishAot and StaticExecutable) and cached
/// in <see cref="HostTools.CacheDirectory"/>/NAME-HASH by a hash of its inputs: every file of the
/// project and of the projects it references (transitively, without bin/obj), plus
/// Directory.Build.props and global.json. Needs clang and lld (installed with apt-get when running
/// as root). Two are published: <see cref="Guest"/> (the checks) and <see cref="Demo"/> (the
/// README's demo, which the guest runs in its VFIO mode).
/// </summary>
public sealed class GuestProgram
{
    /// <summary>tests/Regs.VfioGuest, the guest's checks, as /regs-guest.</summary>
    public static readonly GuestProgramProject Guest = new("tests/Regs.VfioGuest/Regs.VfioGuest.csproj", "regs-guest", "regs-guest");
    /// <summary>drivers/Regs.Demo, the README's demo, as /regs-demo.</summary>
    public static readonly GuestProgramProject Demo = new("drivers/Regs.Demo/Regs.Demo.csproj", "Regs.Demo", "regs-demo");
    /// <summary>Debian packages the NativeAOT static link needs.</summary>
    public static readonly IReadOnlyList<string> Packages = new[] { "clang", "lld", "libc6-dev", "zlib1g-dev" };

    private GuestProgram(GuestProgramProject project, string path, bool fromCache)
    {
        Project = project;
        Path = path;
        FromCache = fromCache;
    }

    /// <summary>Which program this is.</summary>
    public GuestProgramProject Project { get; }

    /// <summary>The published static executable.</summary>
    public string Path { get; }
    /// <summary>True when the executable came from the cache (no publish).</summary>
    public bool FromCache { get; }

    /// <summary>The cached executable of <paramref name="program"/> for the current inputs, or a fresh `dotnet publish` of it.</summary>
    public static GuestProgram Publish(GuestProgramProject program, Action<string>? log = null)
    {
        log ??= _ => { };
        string project = System.IO.Path.Combine(HostTools.RepoRoot, program.ProjectPath);
        if (!File.Exists(project)) throw new InvalidOperationException($"the project {project} is missing");
        string hash = ComputeInputHash(project);
        string dir = System.IO.Path.Combine(HostTools.CacheDirectory, $"{program.GuestName}-{hash}");
        string exe = System.IO.Path.Combine(dir, program.GuestName);
        // One lock for all: two publishes at once would build the same referenced projects.
        using var cacheLock = HostTools.LockCache("guest-programs", TimeSpan.FromMinutes(6));
        if (File.Exists(exe))
        {
            log($"{program.GuestName}: cached {exe}");
            return new GuestProgram(program, exe, true);
        }

        HostTools.EnsurePackages("publishing the guest program with NativeAOT (static, lld)",
            () => HostTools.Which("clang") is not null && HostTools.Which("ld.lld") is not null && File.Exists("/usr/lib/x86_64-linux-gnu/libc.a"),
            Packages);

        string staging = dir + ".tmp-" + Environment.ProcessId;
        if (Directory.Exists(staging)) Directory.Delete(staging, true);
        var clock = Stopwatch.StartNew();
        var arguments = new List<string>
        {
            "publish", project, "-c", "Release", "-r", "linux-x64", "-o", staging, "-nologo",
            // PublishAot and StaticExecutable come from the project file: as global properties they
            // would reach the netstandard2.0 generator too (NETSDK1207).
            "-p:LinkerFlavor=lld",
            // No build servers: they would outlive the test and hold its output pipes.
            "--disable-build-servers", "-p:UseSharedCompilation=false", "-nodeReuse:false",
        };
        var (code, output) = HostTools.Run(Dotnet(), arguments, TimeSpan.FromMinutes(6), environment: DotnetEnvironment());
        var elapsed = clock.Elapsed;
        string built = System.IO.Path.Combine(staging, program.AssemblyName);
        if (code != 0 || !File.Exists(built))
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, true);
            throw new InvalidOperationException($"dotnet publish of {program.ProjectPath} failed (exit {code}) after {elapsed.TotalSeconds:F0} s:\n{HostTools.Tail(output)}");
        }
        // The executable under its guest name (the .dbg symbols stay for debugging a crash).
        if (program.AssemblyName != program.GuestName) File.Move(built, System.IO.Path.Combine(staging, program.GuestName));
        Prune(program);
        if (Directory.Exists(dir)) Directory.Delete(dir, true);
        Directory.Move(staging, dir);
        log($"{program.GuestName}: published {exe} ({new FileInfo(exe).Length / 1024} KiB) in {elapsed.TotalSeconds:F1} s");
        return new GuestProgram(program, exe, false);
    }

    /// <summary>The dotnet that runs this test (dotnet test sets DOTNET_HOST_PATH), else the one on PATH.</summary>
    private static string Dotnet()
    {
        string? host = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(host) && File.Exists(host)) return host;
        return HostTools.Which("dotnet") ?? throw new InvalidOperationException("dotnet is not on PATH (needed to publish the guest program)");
    }

    // The test host's MSBuild variables would point the child build at the wrong SDK pieces.
    private static Dictionary<string, string?> DotnetEnvironment()
    {
        var environment = new Dictionary<string, string?>
        {
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["DOTNET_NOLOGO"] = "1",
            ["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1",
            ["MSBUILDNOINPROCNODE"] = null,
        };
        foreach (string key in Environment.GetEnvironmentVariables().Keys.Cast<string>())
        {
            if (key.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase) || key.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase))
                environment[key] = null;
        }
        return environment;
    }

    private static void Prune(GuestProgramProject program)
    {
        foreach (var old in new DirectoryInfo(HostTools.CacheDirectory).GetDirectories(program.GuestName + "-*").OrderByDescending(d => d.LastWriteTimeUtc).Skip(3))
        {
            try { old.Delete(true); } catch (IOException) { }
        }
    }

    /// <summary>
    /// SHA-256 (first 16 hex digits) over the relative paths and contents of every input file:
    /// the project's folder, every source folder it can reach (defs, generator, runtime, drivers:
    /// project references, linked sources, YAML and build props alike) and the folder of every
    /// project it references, transitively (the guest's checks use tests/Regs.Testing.Traffic),
    /// plus Directory.Build.props and global.json.
    /// </summary>
    public static string ComputeInputHash(string project)
    {
        var folders = new SortedSet<string>(StringComparer.Ordinal) { System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(project))! };
        foreach (string source in new[] { "defs", "generator", "runtime", "drivers" })
            folders.Add(System.IO.Path.Combine(HostTools.RepoRoot, source));
        folders.UnionWith(ReferencedProjectFolders(project, new HashSet<string>(StringComparer.Ordinal)));

        var files = new SortedSet<string>(StringComparer.Ordinal);
        foreach (string folder in folders)
        {
            foreach (string file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
            {
                string relative = System.IO.Path.GetRelativePath(folder, file).Replace('\\', '/');
                if (relative.StartsWith("bin/", StringComparison.Ordinal) || relative.StartsWith("obj/", StringComparison.Ordinal) || relative.Contains("/bin/") || relative.Contains("/obj/")) continue;
                files.Add(file);
            }
        }
        foreach (string shared in new[] { "Directory.Build.props", "Directory.Build.targets", "Directory.Packages.props", "global.json", "NuGet.config", "nuget.config" })
        {
            string file = System.IO.Path.Combine(HostTools.RepoRoot, shared);
            if (File.Exists(file)) files.Add(file);
        }

        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (string file in files)
        {
            sha.AppendData(Encoding.UTF8.GetBytes(System.IO.Path.GetRelativePath(HostTools.RepoRoot, file) + "\n"));
            sha.AppendData(File.ReadAllBytes(file));
        }
        return Convert.ToHexString(sha.GetHashAndReset())[..16].ToLowerInvariant();
    }

    // The folders of the projects `project` references, and of theirs (references through MSBuild
    // properties come from props files, which lie in the source folders anyway).
    private static IEnumerable<string> ReferencedProjectFolders(string project, HashSet<string> seen)
    {
        string folder = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(project))!;
        foreach (Match reference in Regex.Matches(File.ReadAllText(project), "<ProjectReference\\s+Include=\"([^\"$]+)\""))
        {
            string referenced = System.IO.Path.GetFullPath(System.IO.Path.Combine(folder, reference.Groups[1].Value.Replace('\\', '/')));
            if (!File.Exists(referenced) || !seen.Add(referenced)) continue;
            yield return System.IO.Path.GetDirectoryName(referenced)!;
            foreach (string deeper in ReferencedProjectFolders(referenced, seen)) yield return deeper;
        }
    }
}

/// <summary>A project published for the guest.</summary>
/// <param name="ProjectPath">The project, relative to the repository root.</param>
/// <param name="AssemblyName">The executable publish writes (the project's AssemblyName).</param>
/// <param name="GuestName">Its name in the guest's root folder.</param>
public sealed record GuestProgramProject(string ProjectPath, string AssemblyName, string GuestName);
