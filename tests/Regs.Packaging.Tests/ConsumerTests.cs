using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using Xunit;
using Xunit.Abstractions;

namespace Regs.Packaging.Tests;

/// <summary>
/// Projects outside the repository (no ProjectReference, no Directory.Build.props) that use the
/// packages from the local feed, built and run with the plain .NET CLI.
/// </summary>
[Trait("Category", "Packaging")]
public sealed class ConsumerTests
{
    private static readonly string Consumers = Path.Combine(AppContext.BaseDirectory, "Consumers");
    private readonly ITestOutputHelper _output;

    public ConsumerTests(ITestOutputHelper output) { _output = output; }

    /// <summary>
    /// A driver that uses the definition packages (Regs.Igb, Regs.Virtio; Regs.Runtime comes with
    /// them) over a byte-array backend. It has a *.regs.yaml file of its own as bait: if the
    /// generator reached it through the definition packages, that file would generate code.
    /// </summary>
    [Fact]
    public async Task Definition_packages_drive_registers_without_the_generator()
    {
        LocalFeed feed = await LocalFeed.Get();
        string dir = feed.NewProjectDirectory("definitions-consumer");
        File.Copy(Path.Combine(Consumers, "Definitions", "Program.cs"), Path.Combine(dir, "Program.cs"));
        File.Copy(Path.Combine(Consumers, "Backend", "ByteArrayAccess.cs"), Path.Combine(dir, "ByteArrayAccess.cs"));
        File.WriteAllText(Path.Combine(dir, "bait.regs.yaml"),
            "namespace: Bait\nblocks:\n  - name: Bait\n    registers:\n      - { name: R, offset: 0 }\n");
        File.WriteAllText(Path.Combine(dir, "DefinitionsConsumer.csproj"), Project(
            """<PackageReference Include="Regs.Igb" Version="0.1.0" />""",
            """<PackageReference Include="Regs.Virtio" Version="0.1.0" />"""));

        ProcessResult run = feed.Dotnet(dir, "run", "-c", "Release");
        _output.WriteLine($"dotnet run: {run.Elapsed.TotalSeconds:F1} s");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(new[]
            {
                "igb CTRL=0x00000040 SLU=True",
                "igb MDIC=0x08210000 OP=Read",
                "igb MTA[3]=0xA5A5A5A5",
                "virtio found=True Status=0x03 (ACKNOWLEDGE, DRIVER)",
            },
            Lines(run.StdOut));

        // The packages restored: the definitions and the runtime, from the local feed; no generator.
        using JsonDocument assets = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "obj", "project.assets.json")));
        string[] libraries = assets.RootElement.GetProperty("libraries").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(new[] { "Regs.Igb/0.1.0", "Regs.Runtime/0.1.0", "Regs.Virtio/0.1.0" }, libraries);
        foreach (JsonProperty library in assets.RootElement.GetProperty("libraries").EnumerateObject())
        {
            string[] files = library.Value.GetProperty("files").EnumerateArray().Select(f => f.GetString()!).ToArray();
            Assert.DoesNotContain(files, f => f.StartsWith("analyzers/", StringComparison.Ordinal) || f.StartsWith("build", StringComparison.Ordinal));
            Assert.StartsWith(feed.PackagesDirectory, Path.Combine(feed.PackagesDirectory, library.Value.GetProperty("path").GetString()!));
        }
        // And no analyzer ran: no generated source at all (EmitCompilerGeneratedFiles is on) and
        // no Regs analyzer handed to the compiler.
        Assert.Empty(Directory.GetFiles(Path.Combine(dir, "obj"), "*.g.cs", SearchOption.AllDirectories));
        Assert.False(Directory.Exists(Path.Combine(dir, "obj", "Release", "net10.0", "generated", "Regs.Generator")));
        Assert.DoesNotContain(Analyzers(feed, dir), a => a.StartsWith("Regs.", StringComparison.Ordinal) || a == "YamlDotNet");
    }

    /// <summary>
    /// A project with its own YAML (a 16550 UART) and one PackageReference, Regs.Generator: the
    /// accessors are generated at build time and run; then the same project with a misspelled
    /// key fails to build with the error at the YAML's line and column.
    /// </summary>
    [Fact]
    public async Task Generator_package_generates_from_the_projects_yaml_and_reports_errors_at_the_yaml_position()
    {
        LocalFeed feed = await LocalFeed.Get();
        string dir = feed.NewProjectDirectory("generator-consumer");
        foreach (string f in new[] { "Uart/Program.cs", "Uart/uart16550.regs.yaml", "Backend/ByteArrayAccess.cs" })
            File.Copy(Path.Combine(Consumers, f), Path.Combine(dir, Path.GetFileName(f)));
        File.WriteAllText(Path.Combine(dir, "GeneratorConsumer.csproj"), Project(
            """<PackageReference Include="Regs.Generator" Version="0.1.0" />"""));

        ProcessResult run = feed.Dotnet(dir, "run", "-c", "Release");
        _output.WriteLine($"dotnet run: {run.Elapsed.TotalSeconds:F1} s");
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal(new[]
            {
                "uart COM1=0x3F8 bytes=520007030B600000",
                "uart LCR.WordLength=Bits8 MCR.OUT2=True",
            },
            Lines(run.StdOut));
        Assert.True(File.Exists(Path.Combine(dir, "obj", "Release", "net10.0", "generated", "Regs.Generator",
            "Regs.Generator.RegsGenerator", "Acme.Serial.uart16550.regs.g.cs")));
        using (JsonDocument assets = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "obj", "project.assets.json"))))
        {
            string[] libraries = assets.RootElement.GetProperty("libraries").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToArray();
            Assert.Equal(new[] { "Regs.Generator/0.1.0", "Regs.Runtime/0.1.0" }, libraries);
        }
        string[] analyzers = Analyzers(feed, dir);
        Assert.Equal(new[] { "Regs.Generator", "Regs.Language", "YamlDotNet" },
            analyzers.Where(a => a.StartsWith("Regs.", StringComparison.Ordinal) || a == "YamlDotNet").Order(StringComparer.Ordinal));

        // Line 53 of the copied file is LCR's "        offset: 3".
        string yamlPath = Path.Combine(dir, "uart16550.regs.yaml");
        string[] yaml = File.ReadAllLines(yamlPath);
        Assert.Equal("        offset: 3", yaml[52]);
        Assert.Equal("      - name: LCR", yaml[51]);
        yaml[52] = "        ofset: 3";
        File.WriteAllLines(yamlPath, yaml);

        ProcessResult build = feed.Dotnet(dir, "build", "-c", "Release", "-nologo");
        Assert.NotEqual(0, build.ExitCode);
        string[] regsErrors = Lines(build.StdOut).Where(l => l.Contains(": error REGS", StringComparison.Ordinal))
            .Select(l => l.Trim()).Distinct().Order(StringComparer.Ordinal).ToArray();
        string project = Path.Combine(dir, "GeneratorConsumer.csproj");
        Assert.Equal(new[]
            {
                $"{yamlPath}(52,9): error REGS004: a register needs the key 'offset' [{project}]",
                $"{yamlPath}(53,9): error REGS002: unknown key 'ofset' in a register; did you mean 'offset'? [{project}]",
            },
            regsErrors);
    }

    /// <summary>The file names of the analyzers the compiler gets (the SDK's and the packages').</summary>
    private static string[] Analyzers(LocalFeed feed, string dir)
    {
        ProcessResult r = feed.Dotnet(dir, "msbuild", "-nologo", "-p:Configuration=Release", "-t:ResolveLockFileAnalyzers", "-getItem:Analyzer");
        Assert.True(r.ExitCode == 0, r.ToString());
        using JsonDocument items = JsonDocument.Parse(r.StdOut);
        return items.RootElement.GetProperty("Items").GetProperty("Analyzer").EnumerateArray()
            .Select(a => a.GetProperty("Filename").GetString()!).ToArray();
    }

    private static string Project(params string[] references) => $"""
        <Project Sdk="Microsoft.NET.Sdk">
          <PropertyGroup>
            <OutputType>Exe</OutputType>
            <TargetFramework>net10.0</TargetFramework>
            <Nullable>enable</Nullable>
            <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
            <EmitCompilerGeneratedFiles>true</EmitCompilerGeneratedFiles>
          </PropertyGroup>
          <ItemGroup>
            {string.Join("\n    ", references)}
          </ItemGroup>
        </Project>
        """;

    private static string[] Lines(string text) => text.Split('\n').Select(l => l.TrimEnd('\r')).Where(l => l.Length > 0).ToArray();
}
