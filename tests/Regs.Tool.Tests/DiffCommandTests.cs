using System.IO;
using System.Linq;
using System.Text.Json;
using Xunit;

namespace Regs.Tool.Tests;

/// <summary><c>regs diff</c> on folders and files: the three formats and the exit codes.</summary>
[Trait("Category", "Tool")]
public sealed class DiffCommandTests
{
    // One breaking change (DATA moved) and one non-breaking (CTRL reset).
    private static readonly string Changed = Fixture.Map
        .Replace("name: DATA, offset: 0x08", "name: DATA, offset: 0x0C")
        .Replace("        reset: 0x0\n", "        reset: 0x1\n");

    private static TempDir Folders(string oldYaml, string newYaml)
    {
        var dir = new TempDir();
        dir.Write("old/dev.regs.yaml", oldYaml);
        dir.Write("new/dev.regs.yaml", newYaml);
        return dir;
    }

    [Fact]
    public void Markdown()
    {
        using TempDir dir = Folders(Fixture.Map, Changed);
        var r = Tool.Run(dir.Path, "diff", "old", "new", "--format", "markdown");
        Assert.Equal(2, r.Code);
        string[] lines = r.OutLines;
        Assert.Equal("<!-- regs-diff -->", lines[0]);
        Assert.StartsWith("## ", lines[1]);
        Assert.Contains("1 breaking and 1 non-breaking changes", lines[1]);
        Assert.Contains("`old` → `new`", lines);
        Assert.Contains("### Block `Dev` (1 breaking, 1 non-breaking)", lines);
        Assert.Contains("| | Item | Change | Old | New | Location |", lines);
        int moved = System.Array.FindIndex(lines, l => l.StartsWith("| **breaking** | `Dev.DATA` | offset: 0x8 -> 0xC | `0x8` | `0xC` | `new/dev.regs.yaml("));
        int reset = System.Array.FindIndex(lines, l => l.StartsWith("| non-breaking | `Dev.CTRL` | reset: 0x0 -> 0x1 | `0x0` | `0x1` |"));
        Assert.True(moved > 0 && reset > moved, r.Out);
    }

    [Fact]
    public void MarkdownWithoutChanges()
    {
        using TempDir dir = Folders(Fixture.Map, Fixture.Map);
        var r = Tool.Run(dir.Path, "diff", "old", "new", "-f", "markdown");
        Assert.Equal(0, r.Code);
        Assert.Contains("Register map diff: no changes", r.OutLines[1]);
        Assert.DoesNotContain(r.OutLines, l => l.StartsWith("###"));
    }

    [Fact]
    public void Text()
    {
        using TempDir dir = Folders(Fixture.Map, Changed);
        var r = Tool.Run(dir.Path, "diff", "old", "new");
        Assert.Equal(2, r.Code);
        string[] lines = r.OutLines;
        Assert.Equal("regs diff old -> new: 1 breaking and 1 non-breaking changes", lines[0]);
        Assert.Equal("Block Dev (1 breaking, 1 non-breaking)", lines[1]);
        Assert.StartsWith("BREAKING      Dev.DATA: offset: 0x8 -> 0xC  [new/dev.regs.yaml(", lines[2]);
        Assert.StartsWith("non-breaking  Dev.CTRL: reset: 0x0 -> 0x1  [new/dev.regs.yaml(", lines[3]);
        Assert.DoesNotContain('\u001b', r.Out); // plain when not a terminal
    }

    [Fact]
    public void Json()
    {
        using TempDir dir = Folders(Fixture.Map, Changed);
        var r = Tool.Run(dir.Path, "diff", "old", "new", "--format", "json");
        Assert.Equal(2, r.Code);
        using JsonDocument doc = JsonDocument.Parse(r.Out);
        JsonElement root = doc.RootElement;
        Assert.Equal("old", root.GetProperty("old").GetString());
        Assert.Equal(1, root.GetProperty("summary").GetProperty("breaking").GetInt32());
        Assert.Equal(1, root.GetProperty("summary").GetProperty("nonBreaking").GetInt32());
        Assert.Equal(2, root.GetProperty("exitCode").GetInt32());
        JsonElement[] changes = root.GetProperty("changes").EnumerateArray().ToArray();
        Assert.Equal(2, changes.Length);
        JsonElement moved = changes.Single(c => c.GetProperty("kind").GetString() == "moved");
        Assert.True(moved.GetProperty("breaking").GetBoolean());
        Assert.Equal("register", moved.GetProperty("target").GetString());
        Assert.Equal("block", moved.GetProperty("container").GetString());
        Assert.Equal("Dev", moved.GetProperty("block").GetString());
        Assert.Equal("DATA", moved.GetProperty("register").GetString());
        Assert.Equal(JsonValueKind.Null, moved.GetProperty("field").ValueKind);
        Assert.Equal("0x8", moved.GetProperty("old").GetString());
        Assert.Equal("0xC", moved.GetProperty("new").GetString());
        JsonElement location = moved.GetProperty("location");
        Assert.Equal("new/dev.regs.yaml", location.GetProperty("path").GetString());
        int line = location.GetProperty("line").GetInt32(), column = location.GetProperty("column").GetInt32();
        Assert.Equal("0x0C", Changed.Split('\n')[line - 1].Substring(column - 1, 4));
        JsonElement reset = changes.Single(c => c.GetProperty("kind").GetString() == "resetChanged");
        Assert.False(reset.GetProperty("breaking").GetBoolean());
    }

    [Fact]
    public void ExitCodeZeroWithoutChanges()
    {
        using TempDir dir = Folders(Fixture.Map, Fixture.Map);
        Assert.Equal(0, Tool.Run(dir.Path, "diff", "old", "new").Code);
    }

    [Fact]
    public void ExitCodeOneForNonBreakingOnly()
    {
        using TempDir dir = Folders(Fixture.Map, Fixture.With("        doc: Control\n", "        doc: Device control\n"));
        var r = Tool.Run(dir.Path, "diff", "old", "new");
        Assert.Equal(1, r.Code);
        Assert.Contains("0 breaking and 1 non-breaking change", r.OutLines[0]);
    }

    [Fact]
    public void ExitCodeTwoForBreaking()
    {
        using TempDir dir = Folders(Fixture.Map, Fixture.With("name: RST, bit: 4", "name: RST, bit: 5"));
        Assert.Equal(2, Tool.Run(dir.Path, "diff", "old", "new").Code);
    }

    [Fact]
    public void SingleFilesCompare()
    {
        using TempDir dir = Folders(Fixture.Map, Changed);
        var r = Tool.Run(dir.Path, "diff", "old/dev.regs.yaml", Path.Combine(dir.Path, "new", "dev.regs.yaml"), "-f", "json");
        Assert.Equal(2, r.Code);
    }

    [Theory]
    [InlineData("old")]
    [InlineData("new")]
    public void InvalidYamlOnEitherSideExitsThreeWithDiagnostics(string side)
    {
        string broken = Fixture.With("name: DATA, offset: 0x08", "name: DATA, ofset: 0x08");
        using TempDir dir = Folders(side == "old" ? broken : Fixture.Map, side == "new" ? broken : Fixture.Map);
        var r = Tool.Run(dir.Path, "diff", "old", "new", "--format", "markdown");
        Assert.Equal(3, r.Code);
        (int line, int col) = Position(broken, "ofset");
        string expected = $"{side}/dev.regs.yaml({line},{col}): error REGS002:";
        Assert.Contains(r.Err.Split('\n'), l => l.StartsWith(expected));
        Assert.Contains(r.OutLines, l => l.StartsWith(expected)); // also in the PR comment
        Assert.Contains("Register map diff failed", r.Out);
    }

    [Fact]
    public void InvalidYamlAsJson()
    {
        using TempDir dir = Folders(Fixture.Map, "namespace: T\nblocks: [ { name: B\n");
        var r = Tool.Run(dir.Path, "diff", "old", "new", "--format", "json");
        Assert.Equal(3, r.Code);
        using JsonDocument doc = JsonDocument.Parse(r.Out);
        Assert.Equal("REGS001", doc.RootElement.GetProperty("diagnostics")[0].GetProperty("id").GetString());
    }

    [Fact]
    public void MissingPathExitsThree()
    {
        using var dir = new TempDir();
        var r = Tool.Run(dir.Path, "diff", "nowhere", "nothing");
        Assert.Equal(3, r.Code);
        Assert.Contains("'nowhere' is neither a file nor a folder", r.Err);
    }

    [Fact]
    public void UsageErrorsExitThree()
    {
        using TempDir dir = Folders(Fixture.Map, Fixture.Map);
        Assert.Equal(3, Tool.Run(dir.Path, "diff", "old", "new", "--format", "xml").Code);
        Assert.Equal(3, Tool.Run(dir.Path, "diff").Code);
        Assert.Equal(3, Tool.Run(dir.Path).Code);
        Assert.Equal(3, Tool.Run(dir.Path, "frobnicate").Code);
    }

    [Fact]
    public void HelpDocumentsTheExitCodes()
    {
        var r = Tool.Run(Path.GetTempPath(), "--help");
        Assert.Equal(0, r.Code);
        Assert.Contains("Exit codes:", r.Out);
        Assert.Contains("2  diff: breaking changes", r.Out);
        Assert.Contains("3  error:", r.Out);
        var diff = Tool.Run(Path.GetTempPath(), "diff", "--help");
        Assert.Contains("--format", diff.Out);
        Assert.Contains("--path", diff.Out);
    }

    /// <summary>1-based line and column of the first occurrence of <paramref name="text"/>.</summary>
    internal static (int Line, int Column) Position(string yaml, string text)
    {
        int at = yaml.IndexOf(text, System.StringComparison.Ordinal);
        int line = yaml.Take(at).Count(c => c == '\n');
        int column = at - (yaml.LastIndexOf('\n', at) + 1);
        return (line + 1, column + 1);
    }
}
