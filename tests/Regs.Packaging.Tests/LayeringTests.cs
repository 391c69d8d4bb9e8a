using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Xml.Linq;
using Xunit;

namespace Regs.Packaging.Tests;

/// <summary>
/// The layers of docs/architecture.md, read from the project files themselves: which project may
/// reference which, and who may compile another folder's sources. A reference that crosses a
/// layer the wrong way fails here, naming both projects.
/// </summary>
[Trait("Category", "Architecture")]
public sealed class LayeringTests
{
    /// <summary>The layers, lowest first, and the folders (relative to the repository) that hold them.</summary>
    private enum Layer { Generator, RuntimeCore, Definitions, Backends, Drivers, Applications, Tests }

    private static Layer LayerOf(string project)
    {
        string p = Relative(project);
        if (p.StartsWith("generator/")) return Layer.Generator;
        if (p.StartsWith("defs/")) return Layer.Definitions;
        if (p.StartsWith("tests/")) return Layer.Tests;
        if (p.StartsWith("drivers/Regs.Demo/") || p.StartsWith("drivers/Regs.BareMetal.Image/")) return Layer.Applications;
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
        // An application is last: nothing references it (tests run it as a program).
        [Layer.Applications] = new[] { Layer.Generator, Layer.RuntimeCore, Layer.Definitions, Layer.Backends, Layer.Drivers },
        [Layer.Tests] = new[] { Layer.Generator, Layer.RuntimeCore, Layer.Definitions, Layer.Backends, Layer.Drivers, Layer.Tests },
    };

    public static IEnumerable<object[]> Projects()
        => Directory.EnumerateFiles(Processes.RepoRoot, "*.csproj", SearchOption.AllDirectories)
            .Where(p => !IsBuildOutput(p) && !Relative(p).StartsWith("tests/Regs.Packaging.Tests/Consumers/"))
            .Select(p => new object[] { Relative(p) })
            .OrderBy(p => (string)p[0], StringComparer.Ordinal);

    [Theory, MemberData(nameof(Projects))]
    public void References_follow_the_layers(string project)
    {
        string path = Path.Combine(Processes.RepoRoot, project);
        Layer layer = LayerOf(path);
        foreach (string reference in Includes(path, "ProjectReference"))
        {
            Layer target = LayerOf(reference);
            Assert.True(Allowed[layer].Contains(target),
                $"{project} ({layer}) references {Relative(reference)} ({target}); {layer} may reference only {string.Join(", ", Allowed[layer])}");
        }
    }

    [Theory, MemberData(nameof(Projects))]
    public void Only_bare_metal_builds_compile_other_folders_sources_and_never_an_applications(string project)
    {
        string path = Path.Combine(Processes.RepoRoot, project);
        string folder = Path.GetDirectoryName(path)! + Path.DirectorySeparatorChar;
        var foreign = Includes(path, "Compile").Where(c => !c.StartsWith(folder, StringComparison.Ordinal)).ToList();
        if (foreign.Count == 0) return;
        // Compiling the same sources against the bare-metal core library is how an image is made
        // (and how the subset is checked); what goes in is that project's own decision.
        Assert.True(project is "drivers/Regs.BareMetal.Image/Regs.BareMetal.Image.csproj" or "tests/Regs.BareMetal.Check/Regs.BareMetal.Check.csproj",
            $"{project} compiles sources of other folders: {string.Join(", ", foreign.Select(Relative))}; reference the project instead");
        foreach (string source in foreign)
        {
            Layer owner = LayerOf(source);
            Assert.True(owner is Layer.RuntimeCore or Layer.Backends or Layer.Drivers,
                $"{project} compiles {Relative(source)} ({owner}); only runtime and driver sources go into a bare-metal build");
        }
    }

    [Fact]
    public void The_runtime_build_machinery_names_no_driver_or_application()
    {
        foreach (string file in Directory.EnumerateFiles(Path.Combine(Processes.RepoRoot, "runtime"), "*.*", SearchOption.AllDirectories)
                     .Where(f => !IsBuildOutput(f) && (f.EndsWith(".props") || f.EndsWith(".targets") || f.EndsWith(".csproj"))))
        {
            var mentions = XDocument.Load(file).Descendants()
                .SelectMany(e => e.Attributes().Where(a => a.Name.LocalName is "Include" or "Project"))
                .Where(a => a.Value.Contains("drivers/", StringComparison.Ordinal) || a.Value.Contains("drivers\\", StringComparison.Ordinal))
                .Select(a => a.Value).ToList();
            Assert.True(mentions.Count == 0, $"{Relative(file)} includes or imports driver paths: {string.Join(", ", mentions)}");
        }
    }

    // Item paths of kind `item` in a project file, resolved against its folder ($(...) properties
    // that name the repository root are resolved; globs are cut at the first wildcard).
    private static IEnumerable<string> Includes(string project, string item)
    {
        string folder = Path.GetDirectoryName(project)!;
        foreach (XElement e in XDocument.Load(project).Descendants().Where(e => e.Name.LocalName == item))
        {
            string? include = e.Attribute("Include")?.Value;
            if (string.IsNullOrEmpty(include)) continue;
            foreach (string one in include.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                string value = one.Replace("$(_RegsRoot)", Processes.RepoRoot + "/").Replace('\\', '/');
                if (value.StartsWith("$(", StringComparison.Ordinal) || value.StartsWith("@(", StringComparison.Ordinal)) continue;
                int wildcard = value.IndexOfAny(new[] { '*', '?' });
                if (wildcard >= 0) value = value.Substring(0, wildcard);
                yield return Path.GetFullPath(Path.Combine(folder, value));
            }
        }
    }

    private static bool IsBuildOutput(string path)
    {
        string p = Relative(path);
        return p.Contains("/bin/") || p.Contains("/obj/") || p.StartsWith("artifacts/");
    }

    private static string Relative(string path) => Path.GetRelativePath(Processes.RepoRoot, path).Replace('\\', '/');
}
