using System;
using System.Linq;
using System.Text;
using Regs.Language;
using Regs.Language.Model;
using Xunit;
using Xunit.Abstractions;

namespace Regs.Generator.Tests.Fuzz;

/// <summary>
/// Inputs built to exhaust time or memory. Each must be rejected (or, where the language allows
/// it, accepted with O(1) output) with a located diagnostic, within <see cref="MaxTime"/> and a
/// stated allocation bound, by the language and by the generator.
/// </summary>
[Trait("Category", "Fuzz")]
[Collection("Fuzz")]
public sealed class PathologicalInputTests
{
    private static readonly TimeSpan MaxTime = TimeSpan.FromSeconds(5);
    private const long MiB = 1024 * 1024;
    private const string Path = "/src/hostile.regs.yaml";
    private const long GeneratorBaseline = 4 * MiB;
    private const string Head = "namespace: T\nblocks:\n  - name: B\n    registers:\n";

    private readonly ITestOutputHelper _out;
    public PathologicalInputTests(ITestOutputHelper output) { _out = output; }

    /// <summary>Rejected with <paramref name="id"/> at (line, column) if given; both stages within time and <paramref name="maxBytes"/>.</summary>
    private Pathological.Measured Rejected(string name, string text, string id, long maxBytes, (int Line, int Column)? at = null)
    {
        Pathological.Measured m = Pathological.Run(Path, text);
        _out.WriteLine($"{name}: {text.Length} chars; {m}");
        RegsDiagnostic d = Assert.Single(m.Diagnostics.Where(x => x.Id == id).Take(1));
        Assert.Equal(Path, d.Path);
        if (at != null) Assert.Equal(at.Value, (d.Loc.Line + 1, d.Loc.Column + 1));
        Assert.Contains(m.GeneratorDiagnostics, g => g.Id == id && g.Location.GetLineSpan().StartLinePosition.Line == d.Loc.Line);
        Assert.Equal(0, m.GeneratedSources);
        Assert.True(m.LanguageTime < MaxTime && m.GeneratorTime < MaxTime, m.ToString());
        // The generator's share includes setting up a driver and compilation, about 2 MiB whatever the input.
        Assert.True(m.LanguageBytes < maxBytes && m.GeneratorBytes < maxBytes + GeneratorBaseline, $"{m}; bound {maxBytes / 1024} KiB + {GeneratorBaseline / 1024} KiB");
        return m;
    }

    [Fact]
    public void DeepFlowNestingStopsAtTheDepthLimit()
    {
        const int levels = 100_000;
        string prefix = "namespace: T\nblocks: ";
        string text = prefix + new string('[', levels) + new string(']', levels) + "\n";
        // The node one level deeper than the limit (the root mapping is level 0).
        Rejected("flow nesting 100,000", text, Diagnostics.LimitId, 16 * MiB, (2, "blocks: ".Length + YamlTreeReaderMaxDepth + 1));
    }

    [Fact]
    public void DeepFlowMappingNestingStopsAtTheDepthLimit()
    {
        const int levels = 100_000;
        string text = "namespace: T\nblocks: " + string.Concat(Enumerable.Repeat("{a: ", levels)) + "1" + new string('}', levels) + "\n";
        Rejected("flow mapping nesting 100,000", text, Diagnostics.LimitId, 16 * MiB);
    }

    [Fact]
    public void DeepBlockNestingStopsAtTheDepthLimit()
    {
        const int levels = 100_000;
        // "- - - ... x": each "- " opens a block sequence inside the previous one.
        string text = "namespace: T\nblocks:\n" + string.Concat(Enumerable.Repeat("- ", levels)) + "x\n";
        Rejected("block nesting 100,000", text, Diagnostics.LimitId, 16 * MiB);
    }

    private static int YamlTreeReaderMaxDepth => Regs.Language.Yaml.YamlTreeReader.MaxDepth;

    [Fact]
    public void HugeArrayCountIsRejectedWithoutPerElementWork()
    {
        string text = Head + "      - { name: R, offset: 0, array: { count: 1000000000, stride: 4 } }\n";
        Rejected("array count 1,000,000,000", text, Diagnostics.LimitId, 1 * MiB, (5, 38));
    }

    [Fact]
    public void IrregularArrayWhoseRangeCountsWrapPast64BitsIsRejected()
    {
        // 2^64 - 1 + 5 wrapped to 4 before the count was saturated; the overlap check then looped 2^64 times.
        string text = Head + "      - { name: R, offset: 0, array: { stride: 4, ranges: [ { count: 0xFFFFFFFFFFFFFFFF, offset: 0 }, { count: 5, offset: 0x100 } ] } }\n";
        Rejected("array ranges 2^64-1 + 5", text, Diagnostics.LimitId, 1 * MiB, (5, 38));
    }

    [Fact]
    public void LargestArrayCountIsAcceptedWithOneIndexedAccessor()
    {
        string text = Head + "      - { name: R, offset: 0, array: { count: 65536, stride: 4 } }\n";
        Pathological.Measured m = Pathological.Run(Path, text);
        _out.WriteLine($"array count 65,536: {m}; {m.Generated.Length} chars generated");
        Assert.Empty(m.Diagnostics);
        // One accessor taking an index, wrapped into range: no per-element code.
        Assert.Contains("R(uint n) => new(_io, 0x0 + (nuint)(n % 65536) * 0x4);", m.Generated);
        Assert.True(m.Generated.Length < 4096, $"{m.Generated.Length} chars");
        Assert.True(m.LanguageBytes < 16 * MiB, m.ToString()); // the overlap check holds one span per element (65,536 x 32 bytes)
        Assert.True(m.LanguageTime < MaxTime && m.GeneratorTime < MaxTime, m.ToString());
        var compiled = GeneratorHarness.Run((Path, text));
        Assert.Empty(compiled.CompileDiagnostics.Where(d => d.Severity >= Microsoft.CodeAnalysis.DiagnosticSeverity.Warning));
    }

    [Fact]
    public void FileOverTheSizeLimitIsRejectedWithoutReadingIt()
    {
        // 20 M characters of valid register entries; the limit is RegsLanguage.MaxFileChars (8 Mi).
        var sb = new StringBuilder(Head);
        for (int r = 0; sb.Length < 20_000_000; r++) sb.Append("      - { name: R").Append(r).Append(", offset: ").Append(r * 4).Append(" }\n");
        string text = sb.ToString();
        var at = Pathological.Position(text, RegsLanguage.MaxFileChars);
        Rejected("file of 20 M chars", text, Diagnostics.LimitId, 1 * MiB, at);
    }

    [Fact]
    public void FilesUnderTheSizeLimitTakeLinearTimeAndMemory()
    {
        // Synthetic maps of 0.37 and 1.5 M chars: four times the input, four times the memory (about 75 bytes per
        // character in Debug) and at most ten times the time (slack for garbage collection of a larger heap).
        // Times are the fastest of three alternating runs: a loaded host (CI beside other jobs) stretches single
        // runs by 10x and more, but not all three of them.
        string small = SyntheticMap.Build(1_000, 8, docs: false), large = SyntheticMap.Build(4_000, 8, docs: false);
        TimeSpan smallTime = TimeSpan.MaxValue, largeTime = TimeSpan.MaxValue;
        long smallBytes = 0, largeBytes = 0;
        (FileModel? Model, EquatableArray<RegsDiagnostic> Diagnostics) largeResult = default;
        for (int round = 0; round < 3; round++)
        {
            var (_, st, sb) = Pathological.Timed(() => RegsLanguage.Parse(Path, small));
            var (lr, lt, lb) = Pathological.Timed(() => RegsLanguage.Parse(Path, large));
            if (st < smallTime) smallTime = st;
            if (lt < largeTime) largeTime = lt;
            (smallBytes, largeBytes, largeResult) = (sb, lb, lr);
        }
        _out.WriteLine($"parse {small.Length} chars: {smallTime.TotalMilliseconds:F0} ms / {smallBytes / MiB} MiB; {large.Length} chars: {largeTime.TotalMilliseconds:F0} ms / {largeBytes / MiB} MiB (fastest of 3)");
        Assert.Empty(largeResult.Diagnostics);
        Assert.True(largeBytes < 6.0 * smallBytes, $"memory {smallBytes} -> {largeBytes}");
        Assert.True(largeTime.TotalMilliseconds < 10.0 * Math.Max(smallTime.TotalMilliseconds, 20), $"time {smallTime} -> {largeTime}");
        Assert.True(largeBytes < 100L * large.Length, $"{largeBytes} bytes for {large.Length} chars");
    }

    [Fact]
    public void InvalidUtf8IsReportedAtTheFirstBadByte()
    {
        byte[] head = Encoding.UTF8.GetBytes(Head + "      - { name: R, offset: 0, doc: \"caf");
        byte[] bytes = head.Concat(new byte[] { 0xC3, 0x28 }).Concat(Encoding.UTF8.GetBytes("\" }\n")).ToArray();
        // Decoded as File.ReadAllText and StreamReader do: invalid sequences become U+FFFD.
        string text = new UTF8Encoding(false, false).GetString(bytes);
        Pathological.Measured m = Rejected("invalid UTF-8", text, Diagnostics.YamlSyntaxId, 1 * MiB, Pathological.Position(text, head.Length));
        Assert.Contains("not valid UTF-8", m.Diagnostics[0].Message);
    }

    [Fact]
    public void AliasExpansionBombIsRejectedAtTheFirstAnchor()
    {
        // "Billion laughs": nine levels of ten aliases each would expand to 10^9 strings.
        var sb = new StringBuilder("namespace: T\nlol0: &a0 [lol]\n");
        for (int i = 1; i <= 9; i++)
            sb.Append($"lol{i}: &a{i} [").Append(string.Join(", ", Enumerable.Repeat($"*a{i - 1}", 10))).Append("]\n");
        Rejected("billion laughs", sb.ToString(), Diagnostics.AliasId, 1 * MiB, (2, 7));
    }

    [Theory]
    [InlineData("offset: 0x1_0000_0000_0000_0000", "REGS018")] // beyond 64 bits
    [InlineData("offset: 18446744073709551616", "REGS018")]
    [InlineData("offset: 0x1_0000_0000", "REGS018")] // beyond the 32-bit register address space
    [InlineData("offset: -4", "REGS003")] // negative
    [InlineData("offset: 1e309", "REGS003")] // a float, and beyond double
    [InlineData("reset: 0x1_0000_0000", "REGS010")] // beyond the 32-bit register's width
    [InlineData("reset: -1", "REGS003")]
    [InlineData("width: 128", "REGS014")]
    [InlineData("array: { count: 2, stride: 0x1_0000_0000 }", "REGS018")]
    public void NumbersOutOfRangeAreRejectedAtTheValue(string entry, string id)
    {
        string text = Head + "      - { name: R, offset: 0, " + entry.Replace("offset: 0, offset", "offset") + " }\n";
        if (entry.StartsWith("offset")) text = Head + "      - { name: R, " + entry + " }\n";
        int value = text.IndexOf(entry, StringComparison.Ordinal) + entry.IndexOf(": ", StringComparison.Ordinal) + 2;
        var at = Pathological.Position(text, value);
        if (entry.StartsWith("array")) at = Pathological.Position(text, text.IndexOf("offset: 0", StringComparison.Ordinal) + 8);
        Rejected($"number '{entry}'", text, id, 1 * MiB, at);
    }

    [Theory]
    [InlineData("bit: 64", "REGS010")]
    [InlineData("bits: \"64:0\"", "REGS003")]
    [InlineData("bits: \"0:3\"", "REGS003")]
    [InlineData("bit: 32", "REGS008")] // beyond the register's 32 bits
    [InlineData("bit: 0, reset: 2", "REGS010")] // a reset value wider than its 1-bit field
    public void BitNumbersOutOfRangeAreRejectedAtTheValue(string entry, string id)
    {
        string text = Head + "      - { name: R, offset: 0, fields: [ { name: F, " + entry + " } ] }\n";
        string key = entry.Contains("reset") ? "reset: " : entry[..(entry.IndexOf(':') + 2)];
        Rejected($"field '{entry}'", text, id, 1 * MiB, Pathological.Position(text, text.IndexOf(key, StringComparison.Ordinal) + key.Length));
    }

    [Fact]
    public void DuplicateKeyIsReportedAtTheSecondKey()
    {
        string text = "namespace: T\nblocks:\n  - name: B\n    registers: []\n    name: C\n";
        Rejected("duplicate key", text, Diagnostics.DuplicateKeyId, 1 * MiB, (5, 5));
    }
}
