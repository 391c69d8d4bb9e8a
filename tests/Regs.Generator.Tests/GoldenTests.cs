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
