using System.Collections.Generic;
using System.Linq;
using Regs.Language;
using Regs.Language.Diff;
using Regs.Language.Model;
using Xunit;

namespace Regs.Tool.Tests;

/// <summary>The semantic diff library: every change kind, its record and its classification.</summary>
[Trait("Category", "Tool")]
public sealed class ComparerTests
{
    internal static List<RegsChange> Diff(string oldYaml, string newYaml)
    {
        var (oldModels, oldDiagnostics) = RegsLanguage.Check(new[] { ("old/dev.regs.yaml", oldYaml) });
        var (newModels, newDiagnostics) = RegsLanguage.Check(new[] { ("new/dev.regs.yaml", newYaml) });
        Assert.Empty(oldDiagnostics);
        Assert.Empty(newDiagnostics.Select(d => d.ToString()));
        return RegsComparer.Compare(oldModels, newModels);
    }

    /// <summary>(case, from, to, kind, target, breaking, subject, old, new).</summary>
    public static TheoryData<string, string, string, ChangeKind, ChangeTarget, bool, string, string?, string?> OneChange => new()
    {
        { "register added", "      - { name: DATA, offset: 0x08 }\n", "      - { name: DATA, offset: 0x08 }\n      - { name: EXTRA, offset: 0x20 }\n",
            ChangeKind.Added, ChangeTarget.Register, false, "Dev.EXTRA", null, "0x20" },
        { "register removed", "      - { name: DATA, offset: 0x08 }\n", "",
            ChangeKind.Removed, ChangeTarget.Register, true, "Dev.DATA", "0x8", null },
        { "register renamed", "name: DATA, offset: 0x08", "name: DATA2, offset: 0x08",
            ChangeKind.Renamed, ChangeTarget.Register, true, "Dev.DATA2", "DATA", "DATA2" },
        { "register moved", "name: DATA, offset: 0x08", "name: DATA, offset: 0x0C",
            ChangeKind.Moved, ChangeTarget.Register, true, "Dev.DATA", "0x8", "0xC" },
        { "register width", "name: DATA, offset: 0x08", "name: DATA, offset: 0x08, width: 16",
            ChangeKind.WidthChanged, ChangeTarget.Register, true, "Dev.DATA", "32", "16" },
        { "register access widened", "        access: ro\n", "        access: rw\n",
            ChangeKind.AccessChanged, ChangeTarget.Register, false, "Dev.STATUS", "ro", "rw" },
        { "register access narrowed", "name: DATA, offset: 0x08", "name: DATA, offset: 0x08, access: ro",
            ChangeKind.AccessChanged, ChangeTarget.Register, true, "Dev.DATA", "rw", "ro" },
        { "register access changed to w1c", "name: DATA, offset: 0x08", "name: DATA, offset: 0x08, access: w1c",
            ChangeKind.AccessChanged, ChangeTarget.Register, true, "Dev.DATA", "rw", "w1c" },
        { "register side effect added", "name: DATA, offset: 0x08", "name: DATA, offset: 0x08, onwrite: woclr",
            ChangeKind.SideEffectChanged, ChangeTarget.Register, true, "Dev.DATA", "none", "onwrite woclr" },
        { "register read side effect added", "name: DATA, offset: 0x08", "name: DATA, offset: 0x08, onread: rset",
            ChangeKind.SideEffectChanged, ChangeTarget.Register, true, "Dev.DATA", "none", "onread rset" },
        { "register reset", "        reset: 0x0\n", "        reset: 0x1\n",
            ChangeKind.ResetChanged, ChangeTarget.Register, false, "Dev.CTRL", "0x0", "0x1" },
        { "register byte order", "name: DATA, offset: 0x08", "name: DATA, offset: 0x08, byte_order: big",
            ChangeKind.ByteOrderChanged, ChangeTarget.Register, true, "Dev.DATA", "little", "big" },
        { "register doc", "        doc: Control\n", "        doc: Device control\n",
            ChangeKind.DocChanged, ChangeTarget.Register, false, "Dev.CTRL", "Control", "Device control" },
        { "register split order", "name: DATA, offset: 0x08", "name: DATA, offset: 0x08, width: 64, split: high_first",
            ChangeKind.WidthChanged, ChangeTarget.Register, true, "Dev.DATA", "32", "64" },
        { "array grown", "array: { count: 4, stride: 4 }", "array: { count: 8, stride: 4 }",
            ChangeKind.ArrayGrown, ChangeTarget.Register, false, "Dev.TAB", "4 x stride 0x4", "8 x stride 0x4" },
        { "array shrunk", "array: { count: 4, stride: 4 }", "array: { count: 2, stride: 4 }",
            ChangeKind.ArrayChanged, ChangeTarget.Register, true, "Dev.TAB", "4 x stride 0x4", "2 x stride 0x4" },
        { "field added", "          - { name: RST, bit: 4 }\n", "          - { name: RST, bit: 4 }\n          - { name: NEW, bit: 5 }\n",
            ChangeKind.Added, ChangeTarget.Field, false, "Dev.CTRL.NEW", null, "5" },
        { "field removed", "          - { name: RST, bit: 4 }\n", "",
            ChangeKind.Removed, ChangeTarget.Field, true, "Dev.CTRL.RST", "4", null },
        { "field renamed", "name: RST, bit: 4", "name: RESET, bit: 4",
            ChangeKind.Renamed, ChangeTarget.Field, true, "Dev.CTRL.RESET", "RST", "RESET" },
        { "field bits", "name: RST, bit: 4", "name: RST, bits: \"5:4\"",
            ChangeKind.BitsChanged, ChangeTarget.Field, true, "Dev.CTRL.RST", "4", "5:4" },
        { "field access narrowed", "name: EN, bit: 0, doc: Enable", "name: EN, bit: 0, access: ro, doc: Enable",
            ChangeKind.AccessChanged, ChangeTarget.Field, true, "Dev.CTRL.EN", "rw", "ro" },
        { "field latch added", "          - { name: UP, bit: 0 }\n", "          - { name: UP, bit: 0, latch: low }\n",
            ChangeKind.SideEffectChanged, ChangeTarget.Field, true, "Dev.STATUS.UP", "none", "latch low" },
        { "field write side effect added", "name: RST, bit: 4", "name: RST, bit: 4, onwrite: wzc",
            ChangeKind.SideEffectChanged, ChangeTarget.Field, true, "Dev.CTRL.RST", "none", "onwrite wzc" },
        { "field reset", "name: RST, bit: 4", "name: RST, bit: 4, reset: 1",
            ChangeKind.ResetChanged, ChangeTarget.Field, false, "Dev.CTRL.RST", "none", "0x1" },
        { "field type", "name: MODE, bits: \"3:2\", enum: Mode", "name: MODE, bits: \"3:2\"",
            ChangeKind.TypeChanged, ChangeTarget.Field, true, "Dev.CTRL.MODE", "enum Mode", "none" },
        { "field doc", "name: EN, bit: 0, doc: Enable", "name: EN, bit: 0, doc: Enable the device",
            ChangeKind.DocChanged, ChangeTarget.Field, false, "Dev.CTRL.EN", "Enable", "Enable the device" },
        { "field spec", "name: EN, bit: 0, doc: Enable", "name: EN, bit: 0, doc: Enable, spec: \"1.2\"",
            ChangeKind.DocChanged, ChangeTarget.Field, false, "Dev.CTRL.EN", null, "1.2" },
        { "field became reserved", "name: RST, bit: 4", "name: RST, bit: 4, reserved: true",
            ChangeKind.Removed, ChangeTarget.Field, true, "Dev.CTRL.RST", "4", null },
        { "reserved bits changed", "name: RSVD, bits: \"31:30\"", "name: RSVD, bits: \"31:29\"",
            ChangeKind.BitsChanged, ChangeTarget.Field, false, "Dev.CTRL.RSVD", "31:30", "31:29" },
        { "enum value added", "      - { name: Auto, value: 2 }\n", "      - { name: Auto, value: 2 }\n      - { name: Max, value: 3 }\n",
            ChangeKind.Added, ChangeTarget.EnumValue, false, "Mode.Max", null, "0x3" },
        { "enum value removed", "      - { name: Auto, value: 2 }\n", "",
            ChangeKind.Removed, ChangeTarget.EnumValue, true, "Mode.Auto", "0x2", null },
        { "enum value renumbered", "name: Auto, value: 2", "name: Auto, value: 3",
            ChangeKind.ValueChanged, ChangeTarget.EnumValue, true, "Mode.Auto", "0x2", "0x3" },
        { "enum value renamed", "name: Auto, value: 2", "name: Automatic, value: 2",
            ChangeKind.Renamed, ChangeTarget.EnumValue, true, "Mode.Automatic", "Auto", "Automatic" },
        { "enum width", "    width: 8\n", "    width: 16\n",
            ChangeKind.WidthChanged, ChangeTarget.Enum, true, "Mode", "8", "16" },
        { "flag added", "      - { name: B, bit: 1 }\n", "      - { name: B, bit: 1 }\n      - { name: C, bit: 3 }\n",
            ChangeKind.Added, ChangeTarget.FlagBit, false, "Caps.C", null, "3" },
        { "flag renumbered", "name: B, bit: 1", "name: B, bit: 2",
            ChangeKind.ValueChanged, ChangeTarget.FlagBit, true, "Caps.B", "1", "2" },
        { "flag removed", "      - { name: B, bit: 1 }\n", "",
            ChangeKind.Removed, ChangeTarget.FlagBit, true, "Caps.B", "1", null },
        { "constant value", "value: 0x1234", "value: 0x1235",
            ChangeKind.ValueChanged, ChangeTarget.Constant, true, "Dev.Id", "0x1234", "0x1235" },
        { "group moved", "offset: 0x100", "offset: 0x200",
            ChangeKind.Moved, ChangeTarget.Group, true, "Dev.Q", "0x100", "0x200" },
        { "group grown", "count: 4\n", "count: 8\n",
            ChangeKind.ArrayGrown, ChangeTarget.Group, false, "Dev.Q", "4 x stride 0x10 at 0x100", "8 x stride 0x10 at 0x100" },
        { "group register removed", "          - { name: LEN, offset: 0x4 }\n", "",
            ChangeKind.Removed, ChangeTarget.Register, true, "Dev.Q.LEN", "0x4", null },
        { "group register moved", "name: LEN, offset: 0x4", "name: LEN, offset: 0x8",
            ChangeKind.Moved, ChangeTarget.Register, true, "Dev.Q.LEN", "0x4", "0x8" },
        { "layout size", "    size: 16\n", "    size: 32\n",
            ChangeKind.WidthChanged, ChangeTarget.Layout, true, "Desc", "16 bytes", "32 bytes" },
        { "layout member moved", "name: Flags, offset: 12", "name: Flags, offset: 14",
            ChangeKind.Moved, ChangeTarget.Member, true, "Desc.Flags", "offset 0xC", "offset 0xE" },
        { "layout member renamed", "name: Len, offset: 8", "name: Length, offset: 8",
            ChangeKind.Renamed, ChangeTarget.Member, true, "Desc.Length", "Len", "Length" },
        { "layout member added", "      - { name: Flags, offset: 12, width: 16 }\n", "      - { name: Flags, offset: 12, width: 16 }\n      - { name: Next, offset: 14, width: 16 }\n",
            ChangeKind.Added, ChangeTarget.Member, false, "Desc.Next", null, "offset 0xE" },
    };

    [Theory]
    [MemberData(nameof(OneChange))]
    public void OneEditGivesOneClassifiedChange(string name, string from, string to, ChangeKind kind, ChangeTarget target,
        bool breaking, string subject, string? old, string? @new)
    {
        List<RegsChange> changes = Diff(Fixture.Map, Fixture.With(from, to));
        if (name == "register split order")
        {
            // Width and split both change; the width is the one asserted below.
            Assert.Contains(changes, c => c.Kind == ChangeKind.OtherChanged && c.Old == "low_first" && c.New == "high_first" && c.Breaking);
            changes = changes.Where(c => c.Kind != ChangeKind.OtherChanged).ToList();
        }
        RegsChange c = Assert.Single(changes);
        Assert.Equal((kind, target, breaking, subject), (c.Kind, c.Target, c.Breaking, c.Subject));
        Assert.Equal(old, c.Old);
        Assert.Equal(@new, c.New);
        Assert.False(string.IsNullOrWhiteSpace(c.Message));
        // Removed items are located in the old file, everything else in the new one.
        Assert.Equal(kind == ChangeKind.Removed && name != "field became reserved" ? "old/dev.regs.yaml" : "new/dev.regs.yaml", c.Path);
    }

    [Fact]
    public void IdenticalMapsHaveNoChange() => Assert.Empty(Diff(Fixture.Map, Fixture.Map));

    [Fact]
    public void FormattingAndCommentsAreNoChange()
    {
        string reformatted = Fixture.With("      - { name: DATA, offset: 0x08 }\n", "      # the data register\n      - name: DATA\n        offset: 8\n")
            .Replace("value: 0x1234", "value: 4660");
        Assert.Empty(Diff(Fixture.Map, reformatted));
    }

    [Fact]
    public void ChangeIsLocatedAtTheChangedValue()
    {
        string changed = Fixture.With("name: DATA, offset: 0x08", "name: DATA, offset: 0x0C");
        RegsChange c = Assert.Single(Diff(Fixture.Map, changed));
        string line = changed.Split('\n')[c.Loc.Line];
        Assert.Equal("0x0C", line.Substring(c.Loc.Column, 4));
        Assert.Equal($"new/dev.regs.yaml({c.Loc.Line + 1},{c.Loc.Column + 1})", c.Location);
    }

    [Fact]
    public void RenamedBlockIsRemovedAndAdded()
    {
        var changes = Diff(Fixture.Map, Fixture.With("  - name: Dev\n", "  - name: Device\n"));
        Assert.Equal(2, changes.Count);
        Assert.Contains(changes, c => c is { Kind: ChangeKind.Added, Target: ChangeTarget.Block, Block: "Device", Breaking: false });
        Assert.Contains(changes, c => c is { Kind: ChangeKind.Removed, Target: ChangeTarget.Block, Block: "Dev", Breaking: true });
    }

    [Fact]
    public void NamespaceChangeIsBreakingForEveryDefinition()
    {
        var changes = Diff(Fixture.Map, Fixture.With("namespace: Dev\n", "namespace: Dev.V2\n"));
        Assert.Equal(4, changes.Count);
        Assert.All(changes, c => Assert.True(c is { Kind: ChangeKind.NamespaceChanged, Breaking: true, Old: "Dev", New: "Dev.V2" }));
        Assert.Equal(new[] { ContainerKind.Block, ContainerKind.Layout, ContainerKind.Enum, ContainerKind.Flags }, changes.Select(c => c.Container));
    }

    [Fact]
    public void FieldInheritingRegisterAccessIsReportedOnceOnTheRegister()
    {
        // STATUS.UP inherits ro; STATUS becomes rw: one change, on the register.
        var changes = Diff(Fixture.Map, Fixture.With("        access: ro\n", "        access: wo\n"));
        RegsChange c = Assert.Single(changes);
        Assert.Equal((ChangeTarget.Register, "Dev.STATUS", true), (c.Target, c.Subject, c.Breaking));
    }

    [Fact]
    public void RenameNeedsTheSamePlace()
    {
        // A new name at a different offset is a removal plus an addition, not a rename.
        var changes = Diff(Fixture.Map, Fixture.With("name: DATA, offset: 0x08", "name: OTHER, offset: 0x0C"));
        Assert.Equal(new[] { ChangeKind.Added, ChangeKind.Removed }, changes.Select(c => c.Kind).OrderBy(k => k));
    }

    [Fact]
    public void FilesMayBeSplitDifferently()
    {
        // The same definitions spread over two files are the same map.
        string enums = "namespace: Dev\nenums:\n  - name: Mode\n    width: 8\n    values:\n      - { name: Off, value: 0 }\n      - { name: On, value: 1 }\n      - { name: Auto, value: 2 }\n";
        string rest = Fixture.Map.Replace(enums.Substring("namespace: Dev\n".Length), "");
        var (a, da) = RegsLanguage.Check(new[] { ("a.regs.yaml", Fixture.Map) });
        var (b, db) = RegsLanguage.Check(new[] { ("x/enums.regs.yaml", enums), ("x/rest.regs.yaml", rest) });
        Assert.Empty(da);
        Assert.Empty(db);
        Assert.Empty(RegsComparer.Compare(a, b));
    }

    [Theory]
    [InlineData(Access.RO, Access.RW, true)]
    [InlineData(Access.WO, Access.RW, true)]
    [InlineData(Access.RO, Access.W1C, true)]
    [InlineData(Access.RW, Access.RO, false)]
    [InlineData(Access.RW, Access.WO, false)]
    [InlineData(Access.RW, Access.W1C, false)]
    [InlineData(Access.W1C, Access.RW, false)]
    [InlineData(Access.RO, Access.RC, false)]
    [InlineData(Access.RC, Access.RCW1C, true)]
    [InlineData(Access.RCW1C, Access.RC, false)]
    public void AccessWideningOnlyAddsOperations(Access old, Access @new, bool widens)
    {
        Assert.Equal(widens, BreakingRules.Widens(old, @new));
        Assert.Equal(!widens, BreakingRules.IsBreaking(ChangeKind.AccessChanged, old.Keyword(), @new.Keyword()));
    }

    [Theory]
    [InlineData(ChangeKind.Added, false)]
    [InlineData(ChangeKind.Removed, true)]
    [InlineData(ChangeKind.Renamed, true)]
    [InlineData(ChangeKind.Moved, true)]
    [InlineData(ChangeKind.WidthChanged, true)]
    [InlineData(ChangeKind.BitsChanged, true)]
    [InlineData(ChangeKind.ResetChanged, false)]
    [InlineData(ChangeKind.ValueChanged, true)]
    [InlineData(ChangeKind.TypeChanged, true)]
    [InlineData(ChangeKind.ArrayGrown, false)]
    [InlineData(ChangeKind.ArrayChanged, true)]
    [InlineData(ChangeKind.ByteOrderChanged, true)]
    [InlineData(ChangeKind.NamespaceChanged, true)]
    [InlineData(ChangeKind.DocChanged, false)]
    [InlineData(ChangeKind.OtherChanged, true)]
    [InlineData(ChangeKind.SideEffectChanged, true)]
    public void RuleTable(ChangeKind kind, bool breaking)
    {
        Assert.Equal(breaking, BreakingRules.IsBreaking(kind, "a", "b"));
        Assert.False(BreakingRules.IsBreaking(kind, "a", "b", reservedOnly: true));
    }
}
