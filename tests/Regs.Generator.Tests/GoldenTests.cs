using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using Regs.Language.Reading;
using Xunit;

namespace Regs.Generator.Tests;

/// <summary>
/// The generated C# for representative inputs, compared with checked-in expectations
/// (Golden/*.g.cs). After an intended change to the emitter, regenerate them with
/// REGS_UPDATE_GOLDEN=1 dotnet test and review the diff like any other code.
/// </summary>
[Trait("Category", "Generator")]
public sealed class GoldenTests
{
    [Theory]
    [InlineData("tests/Regs.Generator.Tests/Yaml/testdevice.regs.yaml", "testdevice.g.cs")]
    [InlineData("defs/virtio/virtio-ring.regs.yaml", "virtio-ring.g.cs")]
    public void GeneratedSourceMatchesGolden(string input, string golden)
    {
        string path = Path.Combine(TestPaths.Root, input);
        var result = GeneratorHarness.Run(("/src/" + Path.GetFileName(path), File.ReadAllText(path)));
        Assert.Empty(result.GeneratorDiagnostics);
        Assert.Empty(result.CompileDiagnostics.Where(d => d.Severity >= Microsoft.CodeAnalysis.DiagnosticSeverity.Warning));
        string actual = Assert.Single(result.Sources);
        string goldenPath = Path.Combine(TestPaths.Tests, "Golden", golden);
        if (Environment.GetEnvironmentVariable("REGS_UPDATE_GOLDEN") == "1")
            File.WriteAllText(goldenPath, actual);
        Assert.Equal(File.ReadAllText(goldenPath), actual);
    }

    [Fact]
    public void SchemaOffersExactlyTheKeysTheParserAccepts()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(TestPaths.Defs, "regs.schema.json")));
        JsonElement defs = doc.RootElement.GetProperty("$defs");
        string[] Keys(JsonElement o) => o.GetProperty("properties").EnumerateObject().Select(p => p.Name).OrderBy(n => n).ToArray();
        string[] Sorted(string[] k) => k.OrderBy(n => n).ToArray();
        Assert.Equal(Sorted(LanguageKeys.File), Keys(doc.RootElement));
        Assert.Equal(Sorted(LanguageKeys.Enum), Keys(defs.GetProperty("enum")));
        Assert.Equal(Sorted(LanguageKeys.EnumValue), Keys(defs.GetProperty("enumValue")));
        Assert.Equal(Sorted(LanguageKeys.Flags), Keys(defs.GetProperty("flags")));
        Assert.Equal(Sorted(LanguageKeys.FlagBit), Keys(defs.GetProperty("flagBit")));
        Assert.Equal(Sorted(LanguageKeys.Block), Keys(defs.GetProperty("block")));
        Assert.Equal(Sorted(LanguageKeys.Constant), Keys(defs.GetProperty("constant")));
        Assert.Equal(Sorted(LanguageKeys.Register), Keys(defs.GetProperty("register")));
        Assert.Equal(Sorted(LanguageKeys.Field), Keys(defs.GetProperty("field")));
        Assert.Equal(Sorted(LanguageKeys.Array), Keys(defs.GetProperty("array")));
        Assert.Equal(Sorted(LanguageKeys.Window), Keys(defs.GetProperty("window")));
        Assert.Equal(Sorted(LanguageKeys.Group), Keys(defs.GetProperty("group")));
        Assert.Equal(Sorted(LanguageKeys.Port), Keys(defs.GetProperty("port")));
        Assert.Equal(Sorted(LanguageKeys.Opcode), Keys(defs.GetProperty("port").GetProperty("properties").GetProperty("opcode")));
        Assert.Equal(Sorted(LanguageKeys.Layout), Keys(defs.GetProperty("layout")));
        Assert.Equal(Sorted(LanguageKeys.View), Keys(defs.GetProperty("view")));
        Assert.Equal(Sorted(LanguageKeys.Member), Keys(defs.GetProperty("member")));
    }

    [Fact]
    public void EveryShippedFileReferencesTheSchema()
    {
        foreach (string f in Directory.GetFiles(TestPaths.Defs, "*.regs.yaml", SearchOption.AllDirectories))
            Assert.StartsWith("# yaml-language-server: $schema=../regs.schema.json", File.ReadAllText(f));
    }
}
