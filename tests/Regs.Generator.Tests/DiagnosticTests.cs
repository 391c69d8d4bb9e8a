using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Regs.Language;
using Xunit;

namespace Regs.Generator.Tests;

/// <summary>One case per diagnostic: its ID at the exact line and column.</summary>
[Trait("Category", "Generator")]
public sealed class DiagnosticTests
{
    private const string Head = "namespace: T\nblocks:\n  - name: B\n    registers:\n";

    /// <summary>Each case marks with ⟪ the exact place its diagnostic must point at.</summary>
    public static TheoryData<string, string> Cases => new()
    {
        // YAML syntax: an unclosed flow mapping (reported where the parser gives up).
        { "namespace: T\nblocks: [ { name: B\n⟪", "REGS001" },
        // Unknown key (a typo).
        { Head + "      - { name: R, ⟪ofset: 4 }\n", "REGS002" },
        // Wrong value type.
        { Head + "      - { name: R, offset: ⟪four }\n", "REGS003" },
        // Missing required key: the mapping that lacks it.
        { Head + "      - ⟪{ name: R }\n", "REGS004" },
        // Duplicate register name: the second one.
        { Head + "      - { name: R, offset: 0 }\n      - { name: ⟪R, offset: 4 }\n", "REGS005" },
        // A C# keyword as a name.
        { Head + "      - { name: ⟪class, offset: 0 }\n", "REGS006" },
        // Overlapping fields: the later field's bits.
        { Head + "      - { name: R, offset: 0, fields: [ { name: A, bits: \"3:0\" }, { name: C, bits: ⟪\"4:2\" } ] }\n", "REGS007" },
        // Field outside the register width.
        { Head + "      - { name: R, offset: 0, width: 8, fields: [ { name: A, bit: ⟪8 } ] }\n", "REGS008" },
        // Overlapping registers: the later register's name.
        { Head + "      - { name: R, offset: 0 }\n      - { name: ⟪S, offset: 2, width: 16 }\n", "REGS009" },
        // Reset value too wide.
        { Head + "      - { name: R, offset: 0, width: 8, reset: ⟪0x100 }\n", "REGS010" },
        // Array stride smaller than the element.
        { Head + "      - { name: R, offset: 0, array: ⟪{ count: 4, stride: 2 } }\n", "REGS011" },
        // A writable field in a read-only register.
        { Head + "      - { name: R, offset: 0, access: ro, fields: [ { name: A, bit: 0, access: ⟪rw } ] }\n", "REGS012" },
        // Unknown enum.
        { Head + "      - { name: R, offset: 0, fields: [ { name: A, bits: \"1:0\", enum: ⟪Nope } ] }\n", "REGS013" },
        // Invalid width value.
        { Head + "      - { name: R, offset: 0, width: ⟪12 }\n", "REGS014" },
        // Duplicate key.
        { Head + "      - { name: R, offset: 0, ⟪offset: 4 }\n", "REGS015" },
        // Anchors and aliases (the way to a billion-laughs expansion).
        { "namespace: T\nx: ⟪&a [1]\n", "REGS016" },
        // A field named like a generated member.
        { Head + "      - { name: R, offset: 0, fields: [ { name: ⟪Bits, bit: 0 } ] }\n", "REGS017" },
        // A huge array count.
        { Head + "      - { name: R, offset: 0, array: ⟪{ count: 1000000000, stride: 4 } }\n", "REGS018" },
        // Numbers beyond 64 bits.
        { Head + "      - { name: R, offset: ⟪0x1_0000_0000_0000_0000 }\n", "REGS018" },
        // A field with both 'bit' and 'bits'.
        { Head + "      - { name: R, offset: 0, fields: [ ⟪{ name: A, bit: 0, bits: \"1:0\" } ] }\n", "REGS019" },
        // 'requires' without a features set.
        { Head + "      - { name: R, offset: 0, requires: ⟪MAC }\n", "REGS019" },
        // An enum (defined elsewhere in the file) with a value that does not fit the field it types.
        { "namespace: T\nenums:\n  - { name: E, values: [ { name: X, value: 7 } ] }\nblocks:\n  - name: B\n    registers:\n      - { name: R, offset: 0, fields: [ { name: A, bits: \"1:0\", enum: ⟪E } ] }\n", "REGS010" },
        // A window whose selector does not exist.
        { Head + "      - { name: R, offset: 0, window: { select: ⟪Sel, width: 64 } }\n", "REGS013" },
        // Side effects (REGS021), each impossible combination at the key that makes it so:
        // a write side effect on a read-only field;
        { Head + "      - { name: R, offset: 0, fields: [ { name: A, bit: 0, access: ro, onwrite: ⟪woclr } ] }\n", "REGS021" },
        // on a read-only register (no fields);
        { Head + "      - { name: R, offset: 0, access: ro, onwrite: ⟪wzc }\n", "REGS021" },
        // write-1-to-clear on a multi-bit enum;
        { "namespace: T\nenums:\n  - { name: E, values: [ { name: X, value: 1 } ] }\nblocks:\n  - name: B\n    registers:\n      - { name: R, offset: 0, fields: [ { name: A, bits: \"1:0\", enum: E, onwrite: ⟪woclr } ] }\n", "REGS021" },
        // a read side effect on a write-only field;
        { Head + "      - { name: R, offset: 0, fields: [ { name: A, bit: 0, access: wo, onread: ⟪rclr } ] }\n", "REGS021" },
        // a latch on a writable field;
        { Head + "      - { name: R, offset: 0, fields: [ { name: A, bit: 0, latch: ⟪low } ] }\n", "REGS021" },
        // a latch and a read side effect on one field;
        { Head + "      - { name: R, offset: 0, access: ro, fields: [ { name: A, bit: 0, latch: high, onread: ⟪rclr } ] }\n", "REGS021" },
        // a side-effect key on an access kind that already names one;
        { Head + "      - { name: R, offset: 0, access: w1c, onwrite: ⟪wot }\n", "REGS021" },
        // write-clears and write-sets bits in one register;
        { Head + "      - { name: R, offset: 0, fields: [ { name: A, bit: 0, onwrite: wclr }, { name: C, bit: 1, onwrite: ⟪wset } ] }\n", "REGS021" },
        // a register-level default that one of its fields cannot take;
        { "namespace: T\nenums:\n  - { name: E, values: [ { name: X, value: 1 } ] }\nblocks:\n  - name: B\n    registers:\n      - { name: R, offset: 0, onwrite: ⟪wot, fields: [ { name: A, bits: \"1:0\", enum: E } ] }\n", "REGS021" },
        // a side effect on memory shared by DMA;
        { "namespace: T\nlayouts:\n  - name: L\n    members:\n      - { name: M, offset: 0, width: 32, fields: [ { name: A, bit: 0, onread: ⟪rclr } ] }\n", "REGS021" },
        // on a window.
        { Head + "      - { name: S, offset: 4, access: wo }\n      - { name: R, offset: 0, access: ro, onread: ⟪rclr, window: { select: S, width: 64 } }\n", "REGS021" },
        // a port's command register;
        { "namespace: T\nblocks:\n  - { name: P, indirect: true, width: 16, registers: [ { name: X, offset: 0 } ] }\n  - name: B\n    registers:\n      - { name: C, offset: 0, fields: [ { name: D, bits: \"15:0\" }, { name: A, bits: \"20:16\" }, { name: R, bit: 28, latch: high, access: ro } ] }\n    ports:\n      - { name: Q, space: P, register: ⟪C, address: A, data: D, done: R }\n", "REGS021" },
        // An unknown side-effect keyword.
        { Head + "      - { name: R, offset: 0, onwrite: ⟪w1c }\n", "REGS014" },
        // A generated handle type named like another register.
        { Head + "      - { name: R, offset: 0, access: ro, onread: rclr }\n      - { name: ⟪RHandle, offset: 4 }\n", "REGS017" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void ReportsAtTheExactLocation(string marked, string id)
    {
        int at = marked.IndexOf('⟪');
        string yaml = marked.Remove(at, 1);
        int line = yaml.Take(at).Count(c => c == '\n');
        int column = at - (yaml.LastIndexOf('\n', System.Math.Max(0, at - 1)) + 1);
        if (at > 0 && yaml[at - 1] == '\n') column = 0;

        var result = GeneratorHarness.Run(yaml);
        Diagnostic d = Assert.Single(result.GeneratorDiagnostics.Where(x => x.Id == id));
        FileLinePositionSpan span = d.Location.GetLineSpan();
        Assert.Equal("/src/test.regs.yaml", span.Path);
        Assert.Equal((line + 1, column + 1), (span.StartLinePosition.Line + 1, span.StartLinePosition.Character + 1));
        Assert.Equal(at, d.Location.SourceSpan.Start);
        Assert.Equal(DiagnosticSeverity.Error, d.Severity);
        // A broken file never yields half-generated code, and the compiler sees no C# errors from it.
        Assert.Empty(result.Sources);
        Assert.DoesNotContain(result.CompileDiagnostics, x => x.Id.StartsWith("CS"));
    }

    [Fact]
    public void TypoSuggestsTheIntendedKey()
    {
        var d = GeneratorHarness.Run(Head + "      - { name: R, ofset: 4 }\n").GeneratorDiagnostics.First(x => x.Id == "REGS002");
        Assert.Contains("did you mean 'offset'", d.GetMessage());
    }

    [Theory]
    [InlineData("")]
    [InlineData("\t\t: : :")]
    [InlineData("- just\n- a list\n")]
    [InlineData("namespace: T\nblocks: 5\n")]
    [InlineData("namespace: T\nblocks:\n  - 7\n")]
    [InlineData("namespace: T\nblocks:\n  - name: B\n    registers:\n      - { name: R, offset: 0, fields: 3 }\n")]
    [InlineData("namespace: T\nlayouts:\n  - { name: L, members: [ { name: a, after: nowhere, width: 16 } ] }\n")]
    [InlineData("namespace: T\n---\nnamespace: U\n")]
    [InlineData("{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{{")]
    [InlineData("namespace: T\nflags:\n  - { name: F, extends: F, bits: [] }\n")]
    public void HostileInputNeverCrashesTheGenerator(string yaml)
    {
        var result = GeneratorHarness.Run(yaml); // throws if the generator threw
        Assert.DoesNotContain(result.GeneratorDiagnostics, d => d.Id == "CS8785");
        Assert.All(result.GeneratorDiagnostics, d => Assert.StartsWith("REGS", d.Id));
        if (yaml.Length > 0) Assert.NotEmpty(result.GeneratorDiagnostics);
        Assert.DoesNotContain(result.CompileDiagnostics, x => x.Id.StartsWith("CS"));
    }

    [Fact]
    public void FileUsingATypeFromABrokenFileEmitsNothingAndOnlyTheBrokenFileReports()
    {
        const string broken = "namespace: T\nflags:\n  - { name: F, width: 8, bits: [ { name: X, bit: 9 } ] }\n";
        const string user = "namespace: T\nblocks:\n  - name: B\n    registers:\n      - { name: R, offset: 0, type: F }\n";
        var result = GeneratorHarness.Run(("/src/a.regs.yaml", broken), ("/src/b.regs.yaml", user));
        Diagnostic d = Assert.Single(result.GeneratorDiagnostics);
        Assert.Equal("/src/a.regs.yaml", d.Location.GetLineSpan().Path);
        Assert.Empty(result.Sources);
        Assert.DoesNotContain(result.CompileDiagnostics, x => x.Id.StartsWith("CS"));
    }

    [Fact]
    public void AProjectWithoutTheRuntimeGetsOneErrorPerFileAndNoCode()
    {
        const string yaml = "namespace: T\nblocks:\n  - name: B\n    registers:\n      - { name: R, offset: 0 }\n";
        GeneratorDriver driver = GeneratorHarness.Driver(("/src/a.regs.yaml", yaml), ("/src/b.regs.yaml", yaml.Replace("B", "C")))
            .RunGenerators(GeneratorHarness.CompilationWithoutRuntime());
        GeneratorDriverRunResult run = driver.GetRunResult();
        Assert.Empty(run.Results.SelectMany(r => r.GeneratedSources));
        Assert.Equal(new[] { "/src/a.regs.yaml", "/src/b.regs.yaml" },
            run.Diagnostics.Where(d => d.Id == Diagnostics.MissingRuntimeId).Select(d => d.Location.GetLineSpan().Path).OrderBy(p => p));
        Assert.All(run.Diagnostics, d => Assert.Equal(Diagnostics.MissingRuntimeId, d.Id));
        Assert.Contains("Regs.Runtime", run.Diagnostics[0].GetMessage());
    }

    [Fact]
    public void OneTableHoldsEveryIdAndTheLanguageReferenceListsExactlyThose()
    {
        string[] constants = typeof(Diagnostics).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral && f.Name.EndsWith("Id", System.StringComparison.Ordinal))
            .Select(f => (string)f.GetRawConstantValue()!).OrderBy(id => id).ToArray();
        string[] table = Diagnostics.All.Select(d => d.Id).OrderBy(id => id).ToArray();
        Assert.Equal(constants, table);
        Assert.All(Diagnostics.All, d => Assert.False(string.IsNullOrWhiteSpace(d.Title)));

        string readme = File.ReadAllText(Path.Combine(TestPaths.Defs, "README.md"));
        string section = readme.Substring(readme.IndexOf("\n## Diagnostics", System.StringComparison.Ordinal));
        string[] documented = Regex.Matches(section, @"^\| (REGS\d{3}) \|", RegexOptions.Multiline)
            .Select(m => m.Groups[1].Value).OrderBy(id => id).ToArray();
        Assert.Equal(table, documented);
    }
}
