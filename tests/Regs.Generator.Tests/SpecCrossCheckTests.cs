using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Regs.Language;
using Regs.Language.Model;
using Regs.Language.Reading;
using Xunit;

namespace Regs.Generator.Tests;

/// <summary>
/// Offsets, widths and bit positions of defs/ against facts transcribed independently from the
/// Linux uapi virtio headers, Linux's igb e1000_regs.h / e1000_defines.h, QEMU's igb_regs.h and
/// igb_core.c, Linux pci_regs.h and QEMU serial.c (SpecFacts/*.csv: path, kind, value, source).
/// Kinds: offset, width, bits, bit, value, size, count (array elements), reset, access (ro, rw...)
/// and effect (onread/onwrite/latch as "onwrite wzc", or "none"). One test case per fact.
/// </summary>
[Trait("Category", "Generator")]
public sealed class SpecCrossCheckTests
{
    private static readonly Lazy<List<FileModel>> Models = new(() =>
    {
        var files = Directory.GetFiles(TestPaths.Defs, "*.regs.yaml", SearchOption.AllDirectories)
            .Select(p => (p, File.ReadAllText(p)));
        var (models, diagnostics) = RegsLanguage.Check(files);
        Assert.Empty(diagnostics);
        return models;
    });

    public static IEnumerable<object[]> Facts()
    {
        foreach (string file in new[] { "virtio.csv", "igb.csv", "pci.csv", "uart.csv" })
            foreach (string line in File.ReadLines(Path.Combine(AppContext.BaseDirectory, "SpecFacts", file)).Skip(1))
            {
                if (line.Trim().Length == 0) continue;
                string[] c = line.Split(',');
                yield return new object[] { c[0], c[1], c[2], c[3] };
            }
    }

    [Theory]
    [MemberData(nameof(Facts))]
    public void DefinitionAgreesWithIndependentSource(string path, string kind, string expected, string source)
    {
        string? actual = Resolve(path, kind);
        Assert.True(actual != null, $"{path} ({kind}) from {source} is not in defs/");
        Assert.True(Normalize(kind, expected) == actual, $"{path} {kind}: defs say {actual}, {source} says {expected}");
    }

    private static string Normalize(string kind, string value)
    {
        if (kind is "bits" or "access" or "effect") return value;
        Assert.Equal(Numbers.Result.Ok, Numbers.TryParse(value, out ulong n));
        return n.ToString();
    }

    private static string? Resolve(string path, string kind)
    {
        string[] parts = path.Split('.');
        string head = parts[0];
        foreach (FileModel f in Models.Value)
        {
            if (f.Blocks.FirstOrDefault(b => b.N.Name == head) is BlockDef block) return ResolveBlock(block, parts.Skip(1).ToArray(), kind);
            if (f.Flags.FirstOrDefault(x => x.N.Name == head) is FlagsDef flags)
                return parts.Length == 2 && kind == "bit" ? flags.Bits.FirstOrDefault(b => b.N.Name == parts[1])?.Bit.ToString() : null;
            if (f.Enums.FirstOrDefault(x => x.N.Name == head) is EnumDef en)
                return parts.Length == 2 && kind == "value" ? en.Values.FirstOrDefault(v => v.N.Name == parts[1])?.Value.ToString() : null;
            if (f.Layouts.FirstOrDefault(x => x.N.Name == head) is LayoutDef layout) return ResolveLayout(layout, parts.Skip(1).ToArray(), kind);
        }
        return null;
    }

    private static (string Name, int? Index) Indexed(string part)
    {
        int b = part.IndexOf('[');
        return b < 0 ? (part, null) : (part.Substring(0, b), int.Parse(part.Substring(b + 1, part.Length - b - 2)));
    }

    private static string? ResolveBlock(BlockDef block, string[] rest, string kind)
    {
        if (rest.Length == 0) return null;
        var (name, index) = Indexed(rest[0]);
        ulong baseOffset = 0;
        RegisterDef? reg = block.Registers.FirstOrDefault(r => r.N.Name == name);
        int next = 1;
        if (reg == null && block.Groups.FirstOrDefault(g => g.N.Name == name) is GroupDef g && rest.Length >= 2)
        {
            if (g.Select == null) baseOffset = g.Offset + (ulong)(index ?? 0) * g.Stride;
            (name, index) = Indexed(rest[1]);
            reg = g.Registers.FirstOrDefault(r => r.N.Name == name);
            next = 2;
        }
        if (reg == null) return null;
        if (rest.Length == next)
        {
            return kind switch
            {
                "offset" => (baseOffset + ElementOffset(reg, index)).ToString(),
                "width" => reg.Width.ToString(), // the register itself; a window shows a wider value through it
                "count" => reg.Array?.Count.ToString(),
                "reset" => reg.Reset?.ToString(),
                "access" => reg.Access.Keyword(),
                "effect" => reg.Effects.Text(),
                _ => null,
            };
        }
        if (rest.Length == next + 1 && reg.Fields.FirstOrDefault(x => x.N.Name == rest[next]) is FieldDef fd)
            return kind switch
            {
                "bits" => $"{fd.Hi}:{fd.Lo}",
                "reset" => fd.Reset?.ToString(),
                "access" => (fd.Access ?? reg.Access).Keyword(),
                "effect" => RegisterBehaviour.EffectsOf(fd, reg).Text(),
                _ => null,
            };
        return null;
    }

    private static ulong ElementOffset(RegisterDef r, int? index)
    {
        if (index is not int n || r.Array == null) return r.Offset;
        foreach (ArrayRange range in r.Array.Ranges)
        {
            if ((ulong)n < range.Count) return range.Offset + (ulong)n * r.Array.Stride;
            n -= (int)range.Count;
        }
        return ulong.MaxValue;
    }

    private static string? ResolveLayout(LayoutDef l, string[] rest, string kind)
    {
        if (rest.Length == 0) return kind == "size" ? l.Size?.ToString() : null;
        IEnumerable<MemberDef> members = l.Members;
        int i = 0;
        if (l.Views.FirstOrDefault(v => v.N.Name == rest[0]) is ViewDef view) { members = view.Members; i = 1; }
        if (rest.Length <= i) return null;
        MemberDef? m = members.FirstOrDefault(x => x.N.Name == rest[i]);
        if (m == null) return null;
        if (rest.Length == i + 1)
            return kind switch { "offset" => m.Offset?.ToString(), "width" => m.Width.ToString(), _ => null };
        if (rest.Length == i + 2 && kind == "bits" && m.Fields.FirstOrDefault(x => x.N.Name == rest[i + 1]) is FieldDef fd)
            return $"{fd.Hi}:{fd.Lo}";
        return null;
    }
}
