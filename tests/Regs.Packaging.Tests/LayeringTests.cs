using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using Xunit;

namespace Regs.Packaging.Tests;

/// <summary>
/// The layers of docs/architecture.md, checked on what MSBuild makes of each project file: its
/// evaluated items, with every import (Directory.Build.*, props and targets), property and glob
/// resolved. Which project may reference which, who may compile another folder's sources or
/// generate from another folder's register files. A reference that crosses a layer the wrong way
/// fails here, naming both projects.
/// </summary>
[Trait("Category", "Architecture")]
public sealed class LayeringTests
{
    /// <summary>The layers, lowest first, and the folders (relative to the repository) that hold them.</summary>
    private enum Layer { Generator, RuntimeCore, Definitions, Backends, Drivers, Bridges, Applications, Tests }

    private static Layer LayerOf(string path)
    {
        string p = Relative(Path.Combine(Processes.RepoRoot, path));
        if (p.StartsWith("generator/")) return Layer.Generator;
        if (p.StartsWith("defs/")) return Layer.Definitions;
        if (p.StartsWith("tests/")) return Layer.Tests;
        if (p.StartsWith("drivers/Regs.Demo/") || p.StartsWith("drivers/Regs.BareMetal.Image/")) return Layer.Applications;
        if (p.StartsWith("drivers/Regs.Tap/")) return Layer.Bridges;
        if (p.StartsWith("drivers/")) return Layer.Drivers;
        if (p.StartsWith("runtime/Regs.Runtime/") || p.StartsWith("runtime/Regs.Net/") || p.StartsWith("runtime/Regs.BareMetal.CoreLib/")) return Layer.RuntimeCore;
        if (p.StartsWith("runtime/")) return Layer.Backends;
        throw new InvalidOperationException($"{p} is in no layer: add its folder to docs/architecture.md and to this test");
    }

    /// <summary>What each layer may reference (a project may always reference its own layer, except where noted).</summary>
    private static readonly Dictionary<Layer, Layer[]> Allowed = new()
    {
        [Layer.Generator] = new[] { Layer.Generator },
        [Layer.RuntimeCore] = new[] { Layer.Generator, Layer.RuntimeCore },
        [Layer.Definitions] = new[] { Layer.Generator, Layer.RuntimeCore },
        // Backends and device models never see the generated definitions they would be testing.
        [Layer.Backends] = new[] { Layer.Generator, Layer.RuntimeCore, Layer.Backends },
        // Drivers know the runtime core and the definitions, never a backend.
        [Layer.Drivers] = new[] { Layer.RuntimeCore, Layer.Definitions, Layer.Drivers },
        // A bridge serves a NIC to a host facility (a TAP interface): it knows the drivers' contract
        // and the hosted backends, and is used by applications and tests; never in a bare-metal build.
        [Layer.Bridges] = new[] { Layer.RuntimeCore, Layer.Backends, Layer.Drivers, Layer.Bridges },
        // An application is last: nothing references it (tests run it as a program).
        [Layer.Applications] = new[] { Layer.Generator, Layer.RuntimeCore, Layer.Definitions, Layer.Backends, Layer.Drivers, Layer.Bridges },
        [Layer.Tests] = new[] { Layer.Generator, Layer.RuntimeCore, Layer.Definitions, Layer.Backends, Layer.Drivers, Layer.Bridges, Layer.Tests },
    };

    /// <summary>Projects that compile other folders' sources: the bare-metal builds (what an image contains is its own decision).</summary>
    private const string Image = "drivers/Regs.BareMetal.Image/Regs.BareMetal.Image.csproj", SubsetCheck = "tests/Regs.BareMetal.Check/Regs.BareMetal.Check.csproj";

    /// <summary>Register files the runtime generates for registers it drives itself (PCI header, the bare-metal console's UART): never a device a backend models.</summary>
    private static readonly string[] PlatformRegisterFolders = { "defs/pci/", "defs/uart/" };

    public static IEnumerable<object[]> Projects() => ProjectPaths().Select(p => new object[] { p });

    [Theory, MemberData(nameof(Projects))]
    public void References_follow_the_layers(string project)
    {
        Layer layer = LayerOf(project);
        ProjectItems items = Evaluated(project);
        foreach (string reference in items.ProjectReferences)
        {
            Layer target = LayerOf(reference);
            Assert.True(Allowed[layer].Contains(target),
                $"{project} ({layer}) references {Relative(reference)} ({target}); {layer} may reference only {string.Join(", ", Allowed[layer])}");
        }
        // Analyzers from the repository are the generator only; no assembly of the repository by path.
        foreach (string analyzer in items.Analyzers.Where(IsInRepository))
            Assert.True(LayerOf(analyzer) == Layer.Generator, $"{project} uses {Relative(analyzer)} as an analyzer; only the generator is one");
        foreach (string assembly in items.References.Where(IsInRepository))
            Assert.Fail($"{project} references the assembly {Relative(assembly)} by path; reference its project");
    }

    [Theory, MemberData(nameof(Projects))]
    public void Only_bare_metal_builds_compile_other_folders_sources_and_never_an_applications(string project)
    {
        string folder = Path.GetDirectoryName(Path.Combine(Processes.RepoRoot, project))! + "/";
        var foreign = Evaluated(project).Compile.Where(c => IsInRepository(c) && !c.StartsWith(folder, StringComparison.Ordinal) && !IsBuildOutput(c)).ToList();
        if (foreign.Count == 0) return;
        Assert.True(project is Image or SubsetCheck,
            $"{project} compiles sources of other folders: {string.Join(", ", foreign.Take(5).Select(Relative))}; reference the project instead");
        foreach (string source in foreign)
        {
            Layer owner = LayerOf(source);
            Assert.True(owner is Layer.RuntimeCore or Layer.Backends or Layer.Drivers,
                $"{project} compiles {Relative(source)} ({owner}); only runtime and driver sources go into a bare-metal build");
        }
    }

    [Theory, MemberData(nameof(Projects))]
    public void Runtime_projects_generate_only_the_registers_they_drive(string project)
    {
        Layer layer = LayerOf(project);
        if (layer is not (Layer.RuntimeCore or Layer.Backends or Layer.Drivers)) return;
        foreach (string file in Evaluated(project).AdditionalFiles.Where(f => f.EndsWith(".regs.yaml", StringComparison.Ordinal) && IsInRepository(f)))
            Assert.True(PlatformRegisterFolders.Any(Relative(file).StartsWith),
                $"{project} ({layer}) generates accessors from {Relative(file)}: a backend must not see the definitions it models, and a driver references the definitions' project");
    }

    [Fact]
    public void The_subset_check_compiles_everything_the_image_does()
    {
        static HashSet<string> Foreign(string project)
        {
            string folder = Path.GetDirectoryName(Path.Combine(Processes.RepoRoot, project))! + "/";
            return Evaluated(project).Compile.Where(c => IsInRepository(c) && !c.StartsWith(folder, StringComparison.Ordinal) && !IsBuildOutput(c))
                .Concat(Evaluated(project).AdditionalFiles.Where(f => f.EndsWith(".regs.yaml", StringComparison.Ordinal)))
                .Select(Relative).ToHashSet(StringComparer.Ordinal);
        }
        var missing = Foreign(Image).Except(Foreign(SubsetCheck)).OrderBy(f => f, StringComparer.Ordinal).ToList();
        Assert.True(missing.Count == 0, $"{SubsetCheck} does not compile what the image contains, so the subset check misses: {string.Join(", ", missing)}");
    }

    [Fact]
    public void The_runtime_build_machinery_names_no_driver_or_application()
    {
        var include = new Regex("(Include|Project)=\"[^\"]*drivers[/\\\\]", RegexOptions.CultureInvariant);
        foreach (string file in Directory.EnumerateFiles(Path.Combine(Processes.RepoRoot, "runtime"), "*.*", SearchOption.AllDirectories)
                     .Where(f => !IsBuildOutput(f) && (f.EndsWith(".props") || f.EndsWith(".targets") || f.EndsWith(".csproj"))))
        {
            var mentions = include.Matches(File.ReadAllText(file)).Select(m => m.Value).ToList();
            Assert.True(mentions.Count == 0, $"{Relative(file)} includes or imports driver paths: {string.Join(", ", mentions)}");
        }
    }

    /// <summary>The items of one project after evaluation, as full paths.</summary>
    private sealed record ProjectItems(string[] ProjectReferences, string[] Compile, string[] AdditionalFiles, string[] Analyzers, string[] References);

    private static readonly Lazy<IReadOnlyDictionary<string, ProjectItems>> All = new(EvaluateAll);

    private static ProjectItems Evaluated(string project) => All.Value[project];

    // Every project evaluated once per test run (`dotnet msbuild -getItem`, about a second each,
    // two at a time): what MSBuild itself would build from, imports and globs included.
    private static IReadOnlyDictionary<string, ProjectItems> EvaluateAll()
    {
        var results = new ConcurrentDictionary<string, ProjectItems>(StringComparer.Ordinal);
        Parallel.ForEach(ProjectPaths(), new ParallelOptions { MaxDegreeOfParallelism = 2 }, project =>
        {
            string path = Path.Combine(Processes.RepoRoot, project);
            var args = new List<string> { "msbuild", path, "-nologo", "-p:Configuration=Release",
                "-getItem:ProjectReference", "-getItem:Compile", "-getItem:AdditionalFiles", "-getItem:Analyzer", "-getItem:Reference" };
            // A multi-targeting project's items are those of its inner builds: take the first framework.
            Match frameworks = Regex.Match(File.ReadAllText(path), "<TargetFrameworks>([^;<]+)");
            if (frameworks.Success) args.Add($"-p:TargetFramework={frameworks.Groups[1].Value}");
            ProcessResult result = Processes.Dotnet(Processes.RepoRoot, null, args.ToArray());
            Assert.True(result.ExitCode == 0, result.ToString());
            using var json = JsonDocument.Parse(result.StdOut);
            JsonElement items = json.RootElement.GetProperty("Items");
            string[] Paths(string kind) => items.TryGetProperty(kind, out JsonElement list)
                ? list.EnumerateArray().Select(i => i.GetProperty("FullPath").GetString()!.Replace('\\', '/')).ToArray()
                : Array.Empty<string>();
            results[project] = new ProjectItems(Paths("ProjectReference"), Paths("Compile"), Paths("AdditionalFiles"), Paths("Analyzer"), Paths("Reference"));
        });
        return results;
    }

    private static IEnumerable<string> ProjectPaths()
        => Directory.EnumerateFiles(Processes.RepoRoot, "*.csproj", SearchOption.AllDirectories)
            .Where(p => !IsBuildOutput(p) && !Relative(p).StartsWith("tests/Regs.Packaging.Tests/Consumers/"))
            .Select(Relative)
            .OrderBy(p => p, StringComparer.Ordinal);

    private static bool IsInRepository(string path) => path.StartsWith(Processes.RepoRoot + "/", StringComparison.Ordinal);

    private static bool IsBuildOutput(string path)
    {
        string p = Relative(path);
        return p.Contains("/bin/") || p.Contains("/obj/") || p.StartsWith("artifacts/");
    }

    private static string Relative(string path) => Path.GetRelativePath(Processes.RepoRoot, path).Replace('\\', '/');
}
