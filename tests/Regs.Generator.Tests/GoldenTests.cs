using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using Microsoft.CodeAnalysis;
using Regs.Language;
using Regs.Language.Reading;
using Xunit;

namespace Regs.Generator.Tests;

/// <summary>
/// The generated C# for every shipped map and for the test device, compared with checked-in
/// expectations (Golden/*.g.cs). A map is generated together with the other maps of its folder,
/// because shipped files use each other's types; the golden is that one file's source. After an
/// intended change to the emitter, regenerate them with REGS_UPDATE_GOLDEN=1 dotnet test and
/// review the diff like any other code.
/// </summary>
[Trait("Category", "Generator")]
public sealed class GoldenTests
{
    [Theory]
    [InlineData("tests/Regs.Generator.Tests/Yaml/testdevice.regs.yaml", "testdevice.g.cs")]
    [InlineData("defs/igb/igb.regs.yaml", "igb.g.cs")]
    [InlineData("defs/igb/igb-phy.regs.yaml", "igb-phy.g.cs")]
    [InlineData("defs/igb/igb-descriptors.regs.yaml", "igb-descriptors.g.cs")]
    [InlineData("defs/virtio/virtio-features.regs.yaml", "virtio-features.g.cs")]
    [InlineData("defs/virtio/virtio-mmio.regs.yaml", "virtio-mmio.g.cs")]
    [InlineData("defs/virtio/virtio-pci.regs.yaml", "virtio-pci.g.cs")]
    [InlineData("defs/virtio/virtio-net.regs.yaml", "virtio-net.g.cs")]
    [InlineData("defs/virtio/virtio-ring.regs.yaml", "virtio-ring.g.cs")]
    [InlineData("defs/pci/pci.regs.yaml", "pci.g.cs")]
    [InlineData("defs/uart/uart16550.regs.yaml", "uart16550.g.cs")]
    public void GeneratedSourceMatchesGolden(string input, string golden)
    {
        string path = Path.Combine(TestPaths.Root, input);
        string name = Path.GetFileName(path);
        var folder = Directory.GetFiles(Path.GetDirectoryName(path)!, "*" + RegsLanguage.FileSuffix)
            .OrderBy(f => f, StringComparer.Ordinal)
            .Select(f => ("/src/" + Path.GetFileName(f), File.ReadAllText(f)))
            .ToArray();
        var result = GeneratorHarness.Run(folder);
        Assert.Empty(result.GeneratorDiagnostics);
        Assert.Empty(result.CompileDiagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning && !AlsoInTheRuntime(d)));
        string actual = Assert.Single(result.Run.Results.SelectMany(r => r.GeneratedSources),
            s => s.HintName.EndsWith("." + name.Substring(0, name.Length - RegsLanguage.FileSuffix.Length) + ".regs.g.cs", StringComparison.Ordinal))
            .SourceText.ToString();
        string goldenPath = Path.Combine(TestPaths.Tests, "Golden", golden);
        if (Environment.GetEnvironmentVariable("REGS_UPDATE_GOLDEN") == "1")
            File.WriteAllText(goldenPath, actual);
        Assert.Equal(File.ReadAllText(goldenPath), actual);
    }

    /// <summary>
    /// The harness compiles against Regs.Runtime, which already contains the types generated from
    /// defs/pci; generating them again here conflicts with those (CS0436), and only with those.
    /// </summary>
    private static bool AlsoInTheRuntime(Diagnostic d)
        => d.Id == "CS0436" && d.GetMessage(System.Globalization.CultureInfo.InvariantCulture).Contains("imported type", StringComparison.Ordinal)
           && d.GetMessage(System.Globalization.CultureInfo.InvariantCulture).Contains("in 'Regs.Runtime, Version=", StringComparison.Ordinal);

    [Fact]
    public void SchemaOffersExactlyTheKeysTheParserAccepts()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(TestPaths.Defs, "regs.schema.json")));
        JsonElement defs = doc.RootElement.GetProperty("$defs");
        string[] Keys(JsonElement o) => o.GetProperty("properties").EnumerateObject().Select(p => p.Name).OrderBy(n => n).ToArray();
        string[] Sorted(string[] k) => k.OrderBy(n => n).ToArray();
        Assert.Equal(Sorted(LanguageKeys.File), Keys(doc.RootElement));
        Assert.Equal(Sorted(LanguageKeys.Opcode), Keys(defs.GetProperty("port").GetProperty("properties").GetProperty("opcode")));
        var kinds = new (string Def, string[] Keys)[]
        {
            ("enum", LanguageKeys.Enum), ("enumValue", LanguageKeys.EnumValue), ("flags", LanguageKeys.Flags),
            ("flagBit", LanguageKeys.FlagBit), ("block", LanguageKeys.Block), ("constant", LanguageKeys.Constant),
            ("register", LanguageKeys.Register), ("field", LanguageKeys.Field), ("array", LanguageKeys.Array),
            ("window", LanguageKeys.Window), ("group", LanguageKeys.Group), ("port", LanguageKeys.Port),
            ("layout", LanguageKeys.Layout), ("view", LanguageKeys.View), ("member", LanguageKeys.Member),
        };
        foreach (var (def, keys) in kinds)
            Assert.True(Sorted(keys).SequenceEqual(Keys(defs.GetProperty(def))), $"schema '{def}' differs from LanguageKeys");
    }

    [Fact]
    public void EveryShippedFileReferencesTheSchema()
    {
        foreach (string f in Directory.GetFiles(TestPaths.Defs, "*.regs.yaml", SearchOption.AllDirectories))
            Assert.StartsWith("# yaml-language-server: $schema=../regs.schema.json", File.ReadAllText(f));
    }
}
