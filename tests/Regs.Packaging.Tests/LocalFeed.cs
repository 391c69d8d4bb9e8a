using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace Regs.Packaging.Tests;

/// <summary>
/// One `dotnet pack Regs.sln -c Release -o FEED` per test run, shared by every test (the first
/// one to ask packs; the others wait), and the place outside the repository where the consumer
/// projects live: a temporary folder with NuGet.config files of its own (the feed for Regs.*,
/// nuget.org, which this machine reaches through its mirror, for anything else) and its own
/// global packages folder, so the 0.1.0 packages of this run never come from an earlier run's cache.
/// Set REGS_PACKAGING_KEEP=1 to keep the folder (its path is in the test output).
/// </summary>
public sealed class LocalFeed
{
    /// <summary>The library packages `dotnet pack Regs.sln` must produce, and nothing else.</summary>
    public static readonly string[] ExpectedPackages =
    {
        "Regs.Runtime", "Regs.Runtime.Hosted", "Regs.Runtime.Models", "Regs.Runtime.Qtest", "Regs.Runtime.Vfio",
        "Regs.Generator", "Regs.Igb", "Regs.Virtio", "Regs.Net", "Regs.Nic", "Regs.Probes", "Regs.Drivers.Igb", "Regs.Drivers.Virtio",
        "Regs.Tool",
    };

    /// <summary>The version every package has (Directory.Build.props).</summary>
    public const string Version = "0.1.0";

    private static readonly Lazy<Task<LocalFeed>> s_feed = new(() => Task.Run(Create), LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly SemaphoreSlim s_repoBuild = new(1, 1);

    private LocalFeed(string root)
    {
        Root = root;
        FeedDirectory = Path.Combine(root, "feed");
        PackagesDirectory = Path.Combine(root, "packages");
        ConsumersDirectory = Path.Combine(root, "consumers");
        ToolsDirectory = Path.Combine(root, "tools");
        Directory.CreateDirectory(FeedDirectory);
        Directory.CreateDirectory(PackagesDirectory);
        // DOTNET_CLI_HOME: the CLI's local-tool resolver cache (~/.dotnet/toolResolverCache) maps a
        // tool version to a path in the package folder it was installed from; a shared one goes
        // stale when an earlier run's folder is deleted, and `dotnet regs` then refuses to run.
        Environment = new Dictionary<string, string>
        {
            ["NUGET_PACKAGES"] = PackagesDirectory,
            ["DOTNET_CLI_HOME"] = Path.Combine(root, "cli-home"),
            ["DOTNET_NOLOGO"] = "1",
            ["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1",
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
        };
    }

    /// <summary>The temporary folder: NuGet.config, feed/, packages/ and the consumer projects.</summary>
    public string Root { get; }

    /// <summary>The folder feed the packages are packed into.</summary>
    public string FeedDirectory { get; }

    /// <summary>Where the consumer projects live (NuGet.config: the feed for Regs.*, nuget.org for the rest).</summary>
    public string ConsumersDirectory { get; }

    /// <summary>Where the tool fixture lives (NuGet.config: nuget.org; the feed comes with --add-source).</summary>
    public string ToolsDirectory { get; }

    /// <summary>This run's global packages folder.</summary>
    public string PackagesDirectory { get; }

    /// <summary>Environment for every child process of the tests.</summary>
    public IDictionary<string, string> Environment { get; }

    /// <summary>The pack of the solution.</summary>
    public ProcessResult Pack { get; private set; } = null!;

    /// <summary>The feed, packed on first use.</summary>
    public static Task<LocalFeed> Get() => s_feed.Value;

    /// <summary>A fresh folder for one consumer project (or, with <paramref name="tool"/>, the tool fixture).</summary>
    public string NewProjectDirectory(string name, bool tool = false)
    {
        string dir = Path.Combine(tool ? ToolsDirectory : ConsumersDirectory, name);
        if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        Directory.CreateDirectory(dir);
        return dir;
    }

    /// <summary>Runs the .NET CLI in <paramref name="directory"/> with this feed's environment.</summary>
    public ProcessResult Dotnet(string directory, params string[] args) => Processes.Dotnet(directory, Environment, args);

    private static void WriteNuGetConfig(string directory, LocalFeed feed, string sources)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "NuGet.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <config>
                <add key="globalPackagesFolder" value="{feed.PackagesDirectory}" />
              </config>
              <packageSources>
                <clear />
            {sources}</configuration>
            """);
    }

    private static async Task<LocalFeed> Create()
    {
        string root = Path.Combine(Path.GetTempPath(), "regs-packaging-" + Guid.NewGuid().ToString("N")[..8]);
        var feed = new LocalFeed(root);
        if (System.Environment.GetEnvironmentVariable("REGS_PACKAGING_KEEP") != "1")
            AppDomain.CurrentDomain.ProcessExit += (_, _) => { try { Directory.Delete(root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { } };
        // Consumers: Regs.* only from the local feed (package source mapping), everything else
        // from nuget.org, which this machine reaches through its mirror.
        WriteNuGetConfig(feed.ConsumersDirectory, feed, $"""
                <add key="regs-local" value="{feed.FeedDirectory}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" protocolVersion="3" />
              </packageSources>
              <packageSourceMapping>
                <packageSource key="regs-local"><package pattern="Regs.*" /></packageSource>
                <packageSource key="nuget.org"><package pattern="*" /></packageSource>
              </packageSourceMapping>
            """);
        // Tools: `dotnet tool install --add-source FEED` refuses to run under source mapping, so
        // the tool folder has nuget.org only and gets the feed on the command line.
        WriteNuGetConfig(feed.ToolsDirectory, feed, """
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" protocolVersion="3" />
              </packageSources>
            """);
        await s_repoBuild.WaitAsync();
        try
        {
            // The repository restores as it always does (its own NuGet settings and cache); only
            // the consumers use this run's packages folder.
            feed.Pack = Processes.Dotnet(Processes.RepoRoot, null,
                "pack", "Regs.sln", "-c", "Release", "-o", feed.FeedDirectory, "-nologo");
        }
        finally { s_repoBuild.Release(); }
        Assert.True(feed.Pack.ExitCode == 0, feed.Pack.ToString());
        return feed;
    }
}
