using System.IO;
using Xunit;

namespace Regs.Tool.Tests;

/// <summary><c>regs check</c>: MSBuild-style diagnostics at the exact place, exit codes, folders.</summary>
[Trait("Category", "Tool")]
public sealed class CheckCommandTests
{
    [Fact]
    public void BrokenFileIsReportedAtItsExactPosition()
    {
        using var dir = new TempDir();
        string broken = Fixture.With("name: RST, bit: 4", "name: RST, bit: 40");
        dir.Write("maps/good.regs.yaml", Fixture.Map.Replace("namespace: Dev", "namespace: Good"));
        dir.Write("maps/sub/bad.regs.yaml", broken);
        var r = Tool.Run(dir.Path, "check", "maps");
        Assert.Equal(1, r.Code);
        var (line, column) = DiffCommandTests.Position(broken, "40 }");
        Assert.Equal($"maps/sub/bad.regs.yaml({line},{column}): error REGS008: ", r.OutLines[0].Substring(0, r.OutLines[0].IndexOf("REGS008") + 9));
        Assert.Equal("regs check: 1 error in 1 of 2 files", r.OutLines[^1]);
    }

    [Fact]
    public void SyntaxErrorIsReported()
    {
        using var dir = new TempDir();
        const string yaml = "namespace: T\nblocks:\n  - name: B\n    registers:\n      - { name: R, offset: 0, ofset: 4 }\n";
        string path = dir.Write("x.regs.yaml", yaml);
        var r = Tool.Run(dir.Path, "check", path);
        Assert.Equal(1, r.Code);
        Assert.Equal((5, 31), DiffCommandTests.Position(yaml, "ofset"));
        Assert.StartsWith($"{path}(5,31): error REGS002: unknown key 'ofset'", r.OutLines[0]);
    }

    [Fact]
    public void CleanFilesExitZero()
    {
        using var dir = new TempDir();
        dir.Write("a.regs.yaml", Fixture.Map);
        dir.Write("not-a-map.yaml", "this: [is not checked");
        var r = Tool.Run(dir.Path, "check", ".");
        Assert.Equal(0, r.Code);
        Assert.Equal(new[] { "regs check: 1 file, no errors" }, r.OutLines);
    }

    [Fact]
    public void ReferencesAreCheckedAcrossFiles()
    {
        using var dir = new TempDir();
        dir.Write("a.regs.yaml", "namespace: T\nblocks:\n  - name: B\n    registers:\n      - { name: R, offset: 0, type: Missing }\n");
        var r = Tool.Run(dir.Path, "check", dir.Path);
        Assert.Equal(1, r.Code);
        Assert.Contains("error REGS013", r.Out);
        dir.Write("b.regs.yaml", "namespace: T\nenums:\n  - { name: Missing, values: [ { name: X, value: 0 } ] }\n");
        Assert.Equal(0, Tool.Run(dir.Path, "check", dir.Path).Code);
    }

    [Fact]
    public void MissingPathExitsThree()
    {
        using var dir = new TempDir();
        var r = Tool.Run(dir.Path, "check", "nope");
        Assert.Equal(3, r.Code);
        Assert.Contains("path not found: nope", r.Err);
        Assert.Equal(3, Tool.Run(dir.Path, "check", ".").Code); // no register files at all
    }

    [Fact]
    public void ShippedDefsCheckClean()
    {
        var r = Tool.Run(RepoPaths.Root, "check", "defs");
        Assert.True(r.Code == 0, r.Out + r.Err);
        Assert.Matches(@"^regs check: \d+ files, no errors$", r.OutLines[^1]);
    }

    [Fact]
    public void ShippedDefsDiffAgainstThemselvesWithoutChange()
    {
        var r = Tool.Run(RepoPaths.Root, "diff", "defs", Path.Combine(RepoPaths.Root, "defs"), "--format", "json");
        Assert.True(r.Code == 0, r.Out + r.Err);
        Assert.Contains("\"changes\": []", r.Out);
    }
}
