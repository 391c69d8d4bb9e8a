using System;
using System.Collections.Generic;
using System.Linq;
using Regs.Language.Model;

namespace Regs.Docs;

/// <summary>Builds the document tree of one register file's page.</summary>
internal sealed class PageBuilder
{
    private readonly FileModel _file;
    private readonly Symbols _symbols;
    private readonly Page _page;
    private readonly HashSet<string> _svgNames;

    public PageBuilder(FileModel file, string stem, Symbols symbols, HashSet<string> svgNames)
    {
        _file = file;
        _symbols = symbols;
        _svgNames = svgNames;
        _page = new Page(stem, FileName(file));
    }

    /// <summary>The file's name without directories: output must not depend on where the sources were.</summary>
    public static string FileName(FileModel f) => System.IO.Path.GetFileName(f.Path.Replace('\\', '/'));

    public static string BlockAnchor(BlockDef b) => "block-" + b.N.Name;
    public static string RegisterAnchor(BlockDef b, GroupDef? g, RegisterDef r) => g == null ? $"{b.N.Name}.{r.N.Name}" : $"{b.N.Name}.{g.N.Name}.{r.N.Name}";
    public static string GroupAnchor(BlockDef b, GroupDef g) => $"{b.N.Name}.{g.N.Name}";
    public static string PortAnchor(BlockDef b, PortDef p) => $"port-{b.N.Name}.{p.N.Name}";
    public static string EnumAnchor(EnumDef e) => "enum-" + e.N.Name;
    public static string FlagsAnchor(FlagsDef f) => "flags-" + f.N.Name;
    public static string LayoutAnchor(LayoutDef l) => "layout-" + l.N.Name;

    public Page Build()
    {
        FileModel f = _file;
        Add(new Heading(1, "top", new Inline[] { new Text(FileName(f)) }));
        var intro = new List<Inline>();
        if (!string.IsNullOrWhiteSpace(f.Doc)) intro.Add(new Text(Format.OneLine(f.Doc)));
        if (intro.Count > 0) Add(new Para(intro));
        var facts = new List<IReadOnlyList<Inline>>
        {
            new Inline[] { new Strong("Namespace:"), new Text(" "), new Code(f.Namespace) },
        };
        if (f.Imports.Count > 0)
            facts.Add(Concat(new Inline[] { new Strong("Imports:"), new Text(" ") }, Join(f.Imports.Select(i => (Inline)new Code(i)))));
        if (!string.IsNullOrWhiteSpace(f.Spec)) facts.Add(new Inline[] { new Strong("Specification:"), new Text(" " + Format.OneLine(f.Spec)) });
        facts.Add(new Inline[] { new Strong("Source:"), new Text(" "), new Code(FileName(f)) });
        Add(new Bullets(facts));

        // Contents.
        var toc = new List<IReadOnlyList<Inline>>();
        foreach (BlockDef b in f.Blocks)
            toc.Add(new Inline[] { new Text("Block "), new Link(new Inline[] { new Code(b.N.Name) }, null, BlockAnchor(b)), new Text($" ({Count(b)} registers)") });
        if (f.Layouts.Count > 0) toc.Add(new Inline[] { new Link(new Inline[] { new Text("DMA layouts") }, null, "layouts"), new Text($" ({f.Layouts.Count})") });
        if (f.Enums.Count > 0) toc.Add(new Inline[] { new Link(new Inline[] { new Text("Enums") }, null, "enums"), new Text($" ({f.Enums.Count})") });
        if (f.Flags.Count > 0) toc.Add(new Inline[] { new Link(new Inline[] { new Text("Flags") }, null, "flags"), new Text($" ({f.Flags.Count})") });
        if (toc.Count > 0) { Add(new Heading(2, "contents", new Inline[] { new Text("Contents") })); Add(new Bullets(toc)); }

        foreach (BlockDef b in f.Blocks) BuildBlock(b);

        if (f.Layouts.Count > 0)
        {
            Add(new Heading(2, "layouts", new Inline[] { new Text("DMA layouts") }));
            foreach (LayoutDef l in f.Layouts) BuildLayout(l);
        }
        if (f.Enums.Count > 0)
        {
            Add(new Heading(2, "enums", new Inline[] { new Text("Enums") }));
            foreach (EnumDef e in f.Enums) BuildEnum(e);
        }
        if (f.Flags.Count > 0)
        {
            Add(new Heading(2, "flags", new Inline[] { new Text("Flags") }));
            foreach (FlagsDef fl in f.Flags) BuildFlags(fl);
        }
        return _page;
    }

    /// <summary>Registers of a block, counting each group's registers once.</summary>
    public static int Count(BlockDef b) => b.Registers.Count + b.Groups.Sum(g => g.Registers.Count);

    private void Add(Node n) => _page.Add(n);

    // ---------------------------------------------------------------- blocks

    private void BuildBlock(BlockDef b)
    {
        Add(new Heading(2, BlockAnchor(b), new Inline[] { new Text("Block "), new Code(b.N.Name) }));
        DocPara(b.N);
        var facts = new List<IReadOnlyList<Inline>>
        {
            new Inline[] { new Strong("Default width:"), new Text($" {b.Width} bits") },
            new Inline[] { new Strong("Default access:"), new Text(" "), new AccessBadge(b.Access), new Text(" " + Format.Meaning(b.Access)) },
            new Inline[] { new Strong("Byte order:"), new Text(b.Order == ByteOrder.Big ? " big-endian" : " little-endian") },
        };
        if (b.Indirect)
            facts.Add(new Inline[] { new Strong("Indirect:"), new Text(" registers are numbered (the offset column is the register number) and reached through a port") });
        if (b.Features is Ref feat)
            facts.Add(new Inline[] { new Strong("Features:"), new Text(" "), TypeLink(feat.Name), new Text(" (registers marked 'requires' exist only when one of their features was negotiated)") });
        AddSpec(facts, b.N.Spec);
        Add(new Bullets(facts));

        int offBits = OffsetBitsOf(b);
        if (b.Constants.Count > 0)
        {
            Add(new Heading(3, "const-" + b.N.Name, new Inline[] { new Text("Constants") }));
            var rows = b.Constants.Select(c => Row(
                Cell(new Code(c.N.Name)), Cell(new Code(Format.Hex(c.Value))), Cell(new Text(Format.Dec(c.Value))),
                DocCell(c.N.Doc), SpecCell(c.N.Spec))).ToList();
            Add(new Table("constants", new[] { "Name", "Value", "Decimal", "Description", "Spec" }, rows));
        }

        Add(new Heading(3, "regs-" + b.N.Name, new Inline[] { new Text(b.Indirect ? "Registers (by number)" : "Registers") }));
        var regRows = new List<IReadOnlyList<IReadOnlyList<Inline>>>();
        foreach (RegisterDef r in Sorted(b.Registers))
            regRows.Add(SummaryRow(b, null, r, OffsetCell(r, offBits)));
        foreach (GroupDef g in b.Groups)
            foreach (RegisterDef r in Sorted(g.Registers))
                regRows.Add(SummaryRow(b, g, r, GroupOffsetCell(b, g, r, offBits)));
        Add(new Table("registers", new[] { b.Indirect ? "Number" : "Offset", "Name", "Width", "Access", "Reset", "Description", "Spec" }, regRows));

        if (b.Groups.Count > 0)
        {
            Add(new Heading(3, "groups-" + b.N.Name, new Inline[] { new Text("Groups") }));
            var rows = b.Groups.Select(g => Row(
                Cell(new Link(new Inline[] { new Code(g.N.Name) }, null, GroupAnchor(b, g))),
                Cell(g.Select == null ? new Code(Format.Hex(g.Offset, offBits)) : new Text("—")),
                Cell(new Text(g.Select == null ? Format.Dec(g.Count) : "by selector")),
                Cell(g.Select == null ? new Code(Format.Hex(g.Stride)) : new Text("—")),
                g.Select is Ref s ? Cell(RegLink(b, s.Name)) : Cell(new Text("—")),
                Cell(new Text(Format.Dec(g.Registers.Count))),
                DocCell(g.N.Doc, g.N.Spec))).ToList();
            Add(new Table("groups", new[] { "Group", "Offset", "Count", "Stride", "Select", "Registers", "Description" }, rows));
        }

        var windows = b.Registers.Where(r => r.Window != null).Select(r => (G: (GroupDef?)null, R: r))
            .Concat(b.Groups.SelectMany(g => g.Registers.Where(r => r.Window != null).Select(r => (G: (GroupDef?)g, R: r)))).ToList();
        if (windows.Count > 0)
        {
            Add(new Heading(3, "windows-" + b.N.Name, new Inline[] { new Text("Windows") }));
            var rows = windows.Select(w => Row(
                Cell(new Link(new Inline[] { new Code(w.R.N.Name) }, null, RegisterAnchor(b, w.G, w.R))),
                Cell(new Text($"{w.R.Width} bits")),
                Cell(new Text($"{w.R.Window!.Width} bits")),
                Cell(new Text(Format.Dec((ulong)((w.R.Window.Width + w.R.Width - 1) / w.R.Width)))),
                Cell(RegLink(b, w.R.Window.Select.Name)))).ToList();
            Add(new Table("windows", new[] { "Register", "Register width", "Value width", "Parts", "Select register" }, rows));
        }

        foreach (PortDef p in b.Ports) BuildPort(b, p);

        foreach (RegisterDef r in Sorted(b.Registers)) BuildRegister(b, null, r, 3, offBits);
        foreach (GroupDef g in b.Groups) BuildGroup(b, g, offBits);
    }

    private static IEnumerable<RegisterDef> Sorted(IEnumerable<RegisterDef> regs) =>
        regs.Select((r, i) => (r, i)).OrderBy(x => FirstOffset(x.r)).ThenBy(x => x.i).Select(x => x.r);

    private static ulong FirstOffset(RegisterDef r) =>
        r.Array is { Ranges.Count: > 1 } a ? a.Ranges.Min(x => x.Offset) : r.Offset;

    private static int OffsetBitsOf(BlockDef b)
    {
        ulong max = 0;
        foreach (RegisterDef r in b.Registers) max = Math.Max(max, LastOffset(r));
        foreach (GroupDef g in b.Groups)
            foreach (RegisterDef r in g.Registers)
                max = Math.Max(max, g.Select == null ? g.Offset + (g.Count == 0 ? 0 : g.Count - 1) * g.Stride + LastOffset(r) : LastOffset(r));
        return Format.OffsetBits(max);
    }

    private static ulong LastOffset(RegisterDef r)
    {
        if (r.Array is not ArrayDef a) return r.Offset;
        ulong max = r.Offset;
        if (a.Ranges.Count > 1)
            foreach (ArrayRange x in a.Ranges) max = Math.Max(max, x.Offset + (x.Count == 0 ? 0 : x.Count - 1) * a.Stride);
        else max = r.Offset + (a.Count == 0 ? 0 : a.Count - 1) * a.Stride;
        return max;
    }

    private IReadOnlyList<IReadOnlyList<Inline>> SummaryRow(BlockDef b, GroupDef? g, RegisterDef r, IReadOnlyList<Inline> offset)
    {
        string name = (g != null ? g.N.Name + "." : "") + r.N.Name + (r.Array is ArrayDef a ? $"[{a.Count}]" : "");
        return Row(
            offset,
            Cell(new Link(new Inline[] { new Code(name) }, null, RegisterAnchor(b, g, r))),
            Cell(new Text(r.Window != null ? $"{r.Width} ({r.Window.Width} via window)" : Format.Dec(r.Width))),
            Cell(new AccessBadge(r.Access)),
            Cell(r.Reset is ulong v ? new Code(Format.Hex(v, r.ValueWidth)) : new Text("—")),
            DocCell(r.N.Doc),
            SpecCell(r.N.Spec));
    }

    private static IReadOnlyList<Inline> OffsetCell(RegisterDef r, int bits)
    {
        if (r.Array is not ArrayDef a) return Cell(new Code(Format.Hex(r.Offset, bits)));
        if (a.Ranges.Count <= 1) return Cell(new Code($"{Format.Hex(r.Offset, bits)} + {Format.Hex(a.Stride)}·n"));
        var cell = new List<Inline>();
        foreach (ArrayRange x in a.Ranges)
        {
            if (cell.Count > 0) cell.Add(new Break());
            cell.Add(new Code($"{Format.Hex(x.Offset, bits)} + {Format.Hex(a.Stride)}·n"));
            cell.Add(new Text($" (×{x.Count})"));
        }
        return cell;
    }

    private static IReadOnlyList<Inline> GroupOffsetCell(BlockDef b, GroupDef g, RegisterDef r, int bits)
    {
        if (g.Select != null) return OffsetCell(r, bits);
        ulong first = g.Offset + r.Offset;
        return Cell(new Code($"{Format.Hex(first, bits)} + {Format.Hex(g.Stride)}·g"));
    }

    // ---------------------------------------------------------------- groups and ports

    private void BuildGroup(BlockDef b, GroupDef g, int offBits)
    {
        Add(new Heading(3, GroupAnchor(b, g), new Inline[] { new Text("Group "), new Code(g.N.Name) }));
        DocPara(g.N);
        var facts = new List<IReadOnlyList<Inline>>();
        if (g.Select is Ref sel)
        {
            facts.Add(new Inline[] { new Strong("Selected by:"), new Text(" writing the element number to "), RegLink(b, sel.Name), new Text("; register offsets are relative to the block") });
        }
        else
        {
            facts.Add(new Inline[] { new Strong("Offset:"), new Text(" "), new Code(Format.Hex(g.Offset, offBits)) });
            facts.Add(new Inline[] { new Strong("Count:"), new Text(" " + Format.Dec(g.Count)) });
            facts.Add(new Inline[] { new Strong("Stride:"), new Text(" "), new Code(Format.Hex(g.Stride)), new Text($" ({Format.Dec(g.Stride)} bytes)") });
            if (g.Count > 0)
                facts.Add(new Inline[] { new Strong("Elements:"), new Text(" "), new Code(Format.Hex(g.Offset, offBits)), new Text(" … "), new Code(Format.Hex(g.Offset + (g.Count - 1) * g.Stride, offBits)), new Text("; register offsets are relative to the element") });
        }
        AddSpec(facts, g.N.Spec);
        Add(new Bullets(facts));
        var rows = Sorted(g.Registers).Select(r => Row(
            OffsetCell(r, Format.OffsetBits(r.Offset)),
            Cell(new Link(new Inline[] { new Code(r.N.Name + (r.Array is ArrayDef a ? $"[{a.Count}]" : "")) }, null, RegisterAnchor(b, g, r))),
            Cell(new Text(Format.Dec(r.Width))),
            Cell(new AccessBadge(r.Access)),
            Cell(r.Reset is ulong v ? new Code(Format.Hex(v, r.ValueWidth)) : new Text("—")),
            DocCell(r.N.Doc),
            SpecCell(r.N.Spec))).ToList();
        Add(new Table("registers", new[] { g.Select == null ? "Offset in element" : "Offset", "Name", "Width", "Access", "Reset", "Description", "Spec" }, rows));
        foreach (RegisterDef r in Sorted(g.Registers)) BuildRegister(b, g, r, 4, offBits);
    }

    private void BuildPort(BlockDef b, PortDef p)
    {
        Add(new Heading(3, PortAnchor(b, p), new Inline[] { new Text("Port "), new Code(p.N.Name), new Text(" (indirect space "), new Code(p.Space.Name), new Text(")") }));
        DocPara(p.N);
        Symbols.Entry? space = _symbols.Block(p.Space.Name, _file);
        Inline spaceLink = space != null ? Link(new Code(p.Space.Name), space.Target) : new Code(p.Space.Name);
        var facts = new List<IReadOnlyList<Inline>>
        {
            new Inline[] { new Strong("Space:"), new Text(" "), spaceLink, new Text(" (its register numbers go into the address field)") },
            new Inline[] { new Strong("Command register:"), new Text(" "), RegLink(b, p.Register.Name) },
            new Inline[] { new Strong("Address field:"), new Text(" "), new Code(p.Address.Name) },
            new Inline[] { new Strong("Data field:"), new Text(" "), new Code(p.Data.Name), new Text(" (both directions)") },
        };
        if (p.Opcode is Ref op)
            facts.Add(new Inline[] { new Strong("Opcode field:"), new Text(" "), new Code(op.Name), new Text("; read = "), new Code(p.ReadOp?.Name ?? "—"), new Text(", write = "), new Code(p.WriteOp?.Name ?? "—") });
        if (p.Start is Ref st) facts.Add(new Inline[] { new Strong("Start bit:"), new Text(" "), new Code(st.Name), new Text(" (set to start an operation)") });
        facts.Add(new Inline[] { new Strong("Done bit:"), new Text(" "), new Code(p.Done.Name), new Text($" (polled every {p.PollUs} µs, at most {p.TimeoutUs} µs)") });
        if (p.Error is Ref er) facts.Add(new Inline[] { new Strong("Error bit:"), new Text(" "), new Code(er.Name), new Text(" (set by the device on failure)") });
        if (p.Set.Count > 0)
            facts.Add(Concat(new Inline[] { new Strong("Fixed fields:"), new Text(" ") },
                Join(p.Set.Select(s => (Inline)new Code($"{s.Field.Name} = {Format.Hex(s.Value)}")))));
        AddSpec(facts, p.N.Spec);
        Add(new Bullets(facts));
    }

    // ---------------------------------------------------------------- registers

    private void BuildRegister(BlockDef b, GroupDef? g, RegisterDef r, int level, int offBits)
    {
        string anchor = RegisterAnchor(b, g, r);
        string display = (g != null ? g.N.Name + "." : "") + r.N.Name + (r.Array is ArrayDef arr ? $"[{arr.Count}]" : "");
        Add(new Heading(level, anchor, new Inline[] { new Code(display), new Text(string.IsNullOrWhiteSpace(r.N.Doc) ? "" : " — " + Short(r.N.Doc!)) }));
        if (!string.IsNullOrWhiteSpace(r.N.Doc) && Short(r.N.Doc!) != Format.OneLine(r.N.Doc)) DocPara(r.N);

        var facts = new List<IReadOnlyList<Inline>>();
        string offLabel = b.Indirect ? "Number:" : "Offset:";
        if (g == null || g.Select != null)
        {
            if (r.Array is ArrayDef a) ArrayFacts(facts, r, a, offBits, offLabel);
            else facts.Add(new Inline[] { new Strong(offLabel), new Text(" "), new Code(Format.Hex(r.Offset, offBits)) });
            if (g?.Select is Ref sel)
                facts.Add(new Inline[] { new Strong("Group:"), new Text(" "), new Link(new Inline[] { new Code(g.N.Name) }, null, GroupAnchor(b, g)), new Text(", element chosen by writing "), RegLink(b, sel.Name) });
        }
        else
        {
            facts.Add(new Inline[] { new Strong(offLabel), new Text(" "), new Code(Format.Hex(r.Offset)), new Text(" in each element of "),
                new Link(new Inline[] { new Code(g.N.Name) }, null, GroupAnchor(b, g)),
                new Text("; element g at "), new Code($"{Format.Hex(g.Offset + r.Offset, offBits)} + {Format.Hex(g.Stride)}·g"), new Text($" (g < {g.Count})") });
            if (r.Array is ArrayDef a) ArrayFacts(facts, r, a, offBits, "Array:");
        }
        facts.Add(new Inline[] { new Strong("Width:"), new Text($" {r.Width} bits") });
        if (r.Window is WindowDef w)
            facts.Add(new Inline[] { new Strong("Window:"), new Text($" a {w.Width}-bit value seen through this {r.Width}-bit register, {r.Width} bits at a time; part n is chosen by writing n to "), RegLink(b, w.Select.Name) });
        facts.Add(new Inline[] { new Strong("Access:"), new Text(" "), new AccessBadge(r.Access), new Text(" " + Format.Meaning(r.Access)) });
        if (r.Effects.Any) facts.Add(new Inline[] { new Strong("Side effects:"), new Text(" "), new Code(r.Effects.Text()) });
        facts.Add(r.Reset is ulong reset
            ? new Inline[] { new Strong("Reset:"), new Text(" "), new Code(Format.Hex(reset, r.ValueWidth)) }
            : new Inline[] { new Strong("Reset:"), new Text(" not specified") });
        if (r.Type is Ref t) facts.Add(new Inline[] { new Strong("Type:"), new Text(" the whole register is one "), TypeLink(t.Name), new Text(" value") });
        if (r.AliasOf is Ref al) facts.Add(new Inline[] { new Strong("Alias of:"), new Text(" "), RegLink(b, al.Name, g), new Text(" (same address, another view)") });
        if (r.Width == 64 && r.HighFirst) facts.Add(new Inline[] { new Strong("Split:"), new Text(" two 32-bit accesses, high half first") });
        if (r.Order != b.Order) facts.Add(new Inline[] { new Strong("Byte order:"), new Text(r.Order == ByteOrder.Big ? " big-endian" : " little-endian") });
        if (r.Requires.Count > 0)
        {
            Inline feat = b.Features is Ref f ? TypeLink(f.Name) : new Text("features");
            facts.Add(Concat(new Inline[] { new Strong("Requires:"), new Text(" one of ") }, Join(r.Requires.Select(x => (Inline)new Code(x.Name))), new Inline[] { new Text(" ("), feat, new Text(")") }));
        }
        AddSpec(facts, r.N.Spec);
        Add(new Bullets(facts));

        string title = $"{b.N.Name}.{(g != null ? g.N.Name + "." : "")}{r.N.Name} — {(b.Indirect ? "number" : "offset")} {Format.Hex(r.Offset, offBits)}, {r.ValueWidth} bits, {r.Access.Keyword()}"
                       + (r.Reset is ulong rv ? ", reset " + Format.Hex(rv, r.ValueWidth) : "");
        AddPicture(anchor, title, r.ValueWidth, r.Access, r.Fields, r.Type, r.N.Name, r.Reset);
        FieldTable(r.Fields, r.Type, r.ValueWidth, r.Access, r.Reset);
    }

    private static void ArrayFacts(List<IReadOnlyList<Inline>> facts, RegisterDef r, ArrayDef a, int offBits, string label)
    {
        if (a.Ranges.Count <= 1)
        {
            ulong first = a.Ranges.Count == 1 ? a.Ranges[0].Offset : r.Offset;
            facts.Add(new Inline[] { new Strong(label), new Text($" {a.Count} elements, stride "), new Code(Format.Hex(a.Stride)),
                new Text("; element n at "), new Code($"{Format.Hex(first, offBits)} + {Format.Hex(a.Stride)}·n"),
                new Text(": "), new Code(Format.Hex(first, offBits)), new Text(" … "), new Code(Format.Hex(first + (a.Count == 0 ? 0 : a.Count - 1) * a.Stride, offBits)) });
            return;
        }
        var items = new List<Inline> { new Strong(label), new Text($" {a.Count} elements in {a.Ranges.Count} ranges, stride "), new Code(Format.Hex(a.Stride)), new Text(":") };
        ulong index = 0;
        foreach (ArrayRange x in a.Ranges)
        {
            items.Add(new Break());
            items.Add(new Text($"elements {index}…{index + x.Count - 1} at "));
            items.Add(new Code(Format.Hex(x.Offset, offBits)));
            items.Add(new Text(" … "));
            items.Add(new Code(Format.Hex(x.Offset + (x.Count == 0 ? 0 : x.Count - 1) * a.Stride, offBits)));
            index += x.Count;
        }
        facts.Add(items);
    }

    private void AddPicture(string anchor, string title, int width, Access? access, EquatableArray<FieldDef> fields, Ref? type, string name, ulong? reset)
    {
        var boxes = new List<BitBox>();
        if (fields.Count > 0)
        {
            foreach (FieldDef fd in fields)
            {
                Access? fa = access == null ? null : fd.Access ?? access;
                ulong? fr = FieldReset(fd, reset);
                string tip = $"{fd.N.Name} [{Format.Bits(fd.Hi, fd.Lo)}]{(fd.Reserved ? " reserved" : fa is Access k ? " " + k.Keyword() : "")}"
                             + (fr is ulong v ? ", reset " + Format.Hex(v) : "")
                             + (string.IsNullOrWhiteSpace(fd.N.Doc) ? "" : ": " + Format.OneLine(fd.N.Doc));
                boxes.Add(new BitBox(fd.N.Name, fd.Lo, fd.Hi, fa, fd.Reserved, tip));
            }
        }
        else if (type is Ref ft && _symbols.Type(ft.Name, _file) is { Def: FlagsDef flags } entry)
        {
            // A flags-typed register: every named bit is a one-bit field.
            foreach (var (bit, from) in AllBits(flags, entry.File))
                if (bit.Bit < width)
                    boxes.Add(new BitBox(bit.N.Name, bit.Bit, bit.Bit, access, false,
                        $"{bit.N.Name} [{bit.Bit}]{(access is Access k ? " " + k.Keyword() : "")} ({from})"
                        + (string.IsNullOrWhiteSpace(bit.N.Doc) ? "" : ": " + Format.OneLine(bit.N.Doc))));
        }
        else
        {
            string label = type is Ref t ? $"{name} : {t.Name}" : name;
            boxes.Add(new BitBox(label, 0, width - 1, access, false, $"{label} [{Format.Bits(width - 1, 0)}]{(access is Access k ? " " + k.Keyword() : "")}"));
        }

        int[]? bits = null;
        if (reset is ulong rv)
        {
            bits = new int[width];
            for (int i = 0; i < width; i++) bits[i] = (int)((rv >> i) & 1);
        }
        else if (fields.Any(x => x.Reset != null))
        {
            bits = Enumerable.Repeat(-1, width).ToArray();
            foreach (FieldDef fd in fields)
                if (fd.Reset is ulong fv)
                    for (int i = fd.Lo; i <= fd.Hi && i < width; i++) bits[i] = (int)((fv >> (i - fd.Lo)) & 1);
        }

        string file = UniqueSvgName(_page.Stem, anchor);
        string svg = BitFieldSvg.Render(anchor, title, width, boxes, bits);
        Add(new Picture(file, "Bit fields of " + title, svg));
    }

    private string UniqueSvgName(string stem, string anchor)
    {
        string baseName = "svg/" + stem + "/" + Format.Slug(anchor);
        string candidate = baseName + ".svg";
        for (int i = 2; !_svgNames.Add(candidate.ToLowerInvariant()); i++) candidate = $"{baseName}-{i}.svg";
        return candidate;
    }

    private static ulong? FieldReset(FieldDef fd, ulong? registerReset) =>
        fd.Reset ?? (registerReset is ulong r ? (r >> fd.Lo) & Format.Mask(fd.Width) : null);

    private void FieldTable(EquatableArray<FieldDef> fields, Ref? type, int width, Access? access, ulong? reset)
    {
        var rows = new List<IReadOnlyList<IReadOnlyList<Inline>>>();
        if (fields.Count == 0)
        {
            if (type is not Ref t) return;
            rows.Add(Row(Cell(new Code(Format.Bits(width - 1, 0))), Cell(new Text("(whole value)")), AccessCell(access),
                Cell(reset is ulong v ? new Code(Format.Hex(v, width)) : new Text("—")),
                Values(t.Name, null, reset, isEnum: null), Cell(), Cell()));
        }
        else
        {
            foreach (FieldDef fd in fields.OrderByDescending(x => x.Hi))
            {
                Access? fa = access == null ? null : fd.Access ?? access;
                ulong? fr = FieldReset(fd, reset);
                IReadOnlyList<Inline> values = fd.Enum is Ref e ? Values(e.Name, fd, fr, true)
                    : fd.Flags is Ref fl ? Values(fl.Name, fd, fr, false) : Cell();
                var doc = new List<Inline>();
                if (!string.IsNullOrWhiteSpace(fd.N.Doc)) doc.Add(new Text(Format.OneLine(fd.N.Doc)));
                if (fd.Effects.Any)
                {
                    if (doc.Count > 0) doc.Add(new Text(" "));
                    doc.Add(new Text("Side effect: ")); doc.Add(new Code(fd.Effects.Text()));
                }
                if (fd.Reserved)
                {
                    if (doc.Count > 0) doc.Add(new Text(" "));
                    doc.Add(new Text(fd.WriteAs >= 0 ? $"(reserved; written as {(fd.WriteAs == 1 ? "ones" : "zeros")})" : "(reserved)"));
                }
                rows.Add(Row(
                    Cell(new Code(Format.Bits(fd.Hi, fd.Lo))),
                    Cell(new Code(fd.N.Name)),
                    fd.Reserved ? Cell(new Text("reserved")) : AccessCell(fa),
                    Cell(fr is ulong v ? new Code(Format.Hex(v, fd.Width)) : new Text("—")),
                    values, doc, SpecCell(fd.N.Spec)));
            }
        }
        Add(new Table("fields", new[] { "Bits", "Field", "Access", "Reset", "Values", "Description", "Spec" }, rows));
    }

    /// <summary>The named values of an enum or flags type, with their numbers, and which one the reset value is.</summary>
    private IReadOnlyList<Inline> Values(string typeName, FieldDef? field, ulong? reset, bool? isEnum)
    {
        var cell = new List<Inline>();
        Symbols.Entry? entry = _symbols.Type(typeName, _file);
        if (entry == null) { cell.Add(new Code(typeName)); return cell; }
        if (entry.Def is EnumDef en)
        {
            cell.Add(new Text("enum "));
            cell.Add(Link(new Code(en.N.Name), entry.Target));
            foreach (EnumValueDef v in en.Values)
            {
                cell.Add(new Break());
                cell.Add(new Code($"{Format.Hex(v.Value)} {v.N.Name}"));
                if (reset == v.Value) cell.Add(new Text(" (reset)"));
            }
        }
        else if (entry.Def is FlagsDef fl)
        {
            cell.Add(new Text("flags "));
            cell.Add(Link(new Code(fl.N.Name), entry.Target));
            foreach (var (bit, _) in AllBits(fl, entry.File))
            {
                cell.Add(new Break());
                string where = field != null ? $"bit {bit.Bit} (register bit {field.Lo + bit.Bit})" : $"bit {bit.Bit}";
                cell.Add(new Code(bit.N.Name));
                cell.Add(new Text(" " + where));
            }
        }
        else cell.Add(Link(new Code(typeName), entry.Target));
        return cell;
    }

    /// <summary>A flags type's bits including those it extends, ordered by bit; the second item names the type they come from.</summary>
    private List<(FlagBitDef Bit, string From)> AllBits(FlagsDef fl, FileModel file)
    {
        var list = new List<(FlagBitDef, string)>();
        var seen = new HashSet<string>();
        FlagsDef? cur = fl; FileModel curFile = file;
        while (cur != null && seen.Add(cur.N.Name))
        {
            foreach (FlagBitDef b in cur.Bits) list.Add((b, cur.N.Name));
            if (cur.Extends is not Ref ext) break;
            Symbols.Entry? e = _symbols.Type(ext.Name, curFile);
            cur = e?.Def as FlagsDef;
            if (e != null) curFile = e.File;
        }
        return list.OrderBy(x => x.Item1.Bit).ToList();
    }

    // ---------------------------------------------------------------- layouts

    private void BuildLayout(LayoutDef l)
    {
        Add(new Heading(3, LayoutAnchor(l), new Inline[] { new Text("Layout "), new Code(l.N.Name) }));
        DocPara(l.N);
        var facts = new List<IReadOnlyList<Inline>>
        {
            l.Size is ulong s ? new Inline[] { new Strong("Size:"), new Text($" {s} bytes ({Format.Hex(s)})") }
                              : new Inline[] { new Strong("Size:"), new Text(" depends on the run-time queue size") },
            new Inline[] { new Strong("Byte order:"), new Text(l.Order == ByteOrder.Big ? " big-endian" : " little-endian") },
        };
        if (l.Views.Count > 0)
            facts.Add(Concat(new Inline[] { new Strong("Views:"), new Text(" the same bytes in different formats: ") },
                Join(l.Views.Select(v => (Inline)new Link(new Inline[] { new Code(v.N.Name) }, null, $"{LayoutAnchor(l)}.{v.N.Name}")))));
        AddSpec(facts, l.N.Spec);
        Add(new Bullets(facts));
        if (l.Members.Count > 0) Members(l, null, l.Members, 4);
        foreach (ViewDef v in l.Views)
        {
            Add(new Heading(4, $"{LayoutAnchor(l)}.{v.N.Name}", new Inline[] { new Text("View "), new Code($"{l.N.Name}.{v.N.Name}") }));
            DocPara(v.N);
            Members(l, v, v.Members, 5);
        }
    }

    private void Members(LayoutDef l, ViewDef? v, EquatableArray<MemberDef> members, int level)
    {
        string prefix = LayoutAnchor(l) + "." + (v != null ? v.N.Name + "." : "");
        var rows = new List<IReadOnlyList<IReadOnlyList<Inline>>>();
        foreach (MemberDef m in members)
        {
            IReadOnlyList<Inline> offset = m.Offset is ulong o ? Cell(new Code(Format.Hex(o, 8)), new Text($" ({o})"))
                : m.After is Ref a ? Cell(new Text("after "), members.Any(x => x.N.Name == a.Name && (x.Fields.Count > 0 || x.Type != null))
                    ? new Link(new Inline[] { new Code(a.Name) }, null, prefix + a.Name) : new Code(a.Name)) : Cell(new Text("—"));
            IReadOnlyList<Inline> type = m.Element is Ref el ? Cell(new Text("array of "), TypeLink(el.Name))
                : m.Type is Ref t ? Cell(TypeLink(t.Name))
                : m.Fields.Count > 0 ? Cell(new Text($"{m.Fields.Count} fields")) : Cell();
            string count = m.CountKind switch { CountKind.Fixed => Format.Dec(m.Count), CountKind.Queue => "queue size (run time)", _ => "1" };
            bool section = m.Fields.Count > 0 || m.Type != null;
            Inline name = section ? new Link(new Inline[] { new Code(m.N.Name) }, null, prefix + m.N.Name) : new Code(m.N.Name);
            IReadOnlyList<Inline> nameCell = Cell(name);
            rows.Add(Row(offset, nameCell, Cell(new Text(m.Width > 0 ? Format.Dec(m.Width) : "—")), type, Cell(new Text(count)), DocCell(m.N.Doc), SpecCell(m.N.Spec)));
        }
        Add(new Table("members", new[] { "Offset", "Member", "Width", "Type", "Count", "Description", "Spec" }, rows));
        foreach (MemberDef m in members)
        {
            if (m.Fields.Count == 0 && m.Type == null) continue;
            string anchor = prefix + m.N.Name;
            Add(new Heading(level, anchor, new Inline[] { new Code($"{l.N.Name}.{(v != null ? v.N.Name + "." : "")}{m.N.Name}"), new Text(string.IsNullOrWhiteSpace(m.N.Doc) ? "" : " — " + Short(m.N.Doc!)) }));
            var facts = new List<IReadOnlyList<Inline>>();
            facts.Add(m.Offset is ulong o
                ? new Inline[] { new Strong("Offset:"), new Text(" "), new Code(Format.Hex(o, 8)), new Text($" ({o} bytes)") }
                : new Inline[] { new Strong("Offset:"), new Text(" right after "), new Code(m.After?.Name ?? "?") });
            facts.Add(new Inline[] { new Strong("Width:"), new Text($" {m.Width} bits") });
            if (m.Type is Ref t) facts.Add(new Inline[] { new Strong("Type:"), new Text(" "), TypeLink(t.Name) });
            if (m.Order != l.Order) facts.Add(new Inline[] { new Strong("Byte order:"), new Text(m.Order == ByteOrder.Big ? " big-endian" : " little-endian") });
            AddSpec(facts, m.N.Spec);
            Add(new Bullets(facts));
            if (m.Width > 0 && m.Width <= 64)
            {
                string title = $"{l.N.Name}.{(v != null ? v.N.Name + "." : "")}{m.N.Name} — offset {(m.Offset is ulong oo ? Format.Hex(oo, 8) : "after " + m.After?.Name)}, {m.Width} bits";
                AddPicture(anchor, title, m.Width, null, m.Fields, m.Type, m.N.Name, null);
                FieldTable(m.Fields, m.Type, m.Width, null, null);
            }
        }
    }

    // ---------------------------------------------------------------- enums and flags

    private void BuildEnum(EnumDef e)
    {
        Add(new Heading(3, EnumAnchor(e), new Inline[] { new Text("Enum "), new Code(e.N.Name) }));
        DocPara(e.N);
        var facts = new List<IReadOnlyList<Inline>> { new Inline[] { new Strong("Width:"), new Text($" {e.Width} bits") } };
        AddSpec(facts, e.N.Spec);
        Add(new Bullets(facts));
        var rows = e.Values.Select(v => Row(Cell(new Code(v.N.Name)), Cell(new Code(Format.Hex(v.Value))), Cell(new Text(Format.Dec(v.Value))),
            DocCell(v.N.Doc), SpecCell(v.N.Spec))).ToList();
        Add(new Table("values", new[] { "Name", "Value", "Decimal", "Description", "Spec" }, rows));
    }

    private void BuildFlags(FlagsDef f)
    {
        Add(new Heading(3, FlagsAnchor(f), new Inline[] { new Text("Flags "), new Code(f.N.Name) }));
        DocPara(f.N);
        var facts = new List<IReadOnlyList<Inline>> { new Inline[] { new Strong("Width:"), new Text($" {f.Width} bits") } };
        if (f.Extends is Ref ext) facts.Add(new Inline[] { new Strong("Extends:"), new Text(" "), TypeLink(ext.Name), new Text(" (its bits are members here too)") });
        AddSpec(facts, f.N.Spec);
        Add(new Bullets(facts));
        var rows = AllBits(f, _file).Select(x => Row(
            Cell(new Text(Format.Dec(x.Bit.Bit))),
            Cell(new Code(Format.Hex(1UL << x.Bit.Bit, f.Width))),
            Cell(new Code(x.Bit.N.Name)),
            x.From == f.N.Name ? DocCell(x.Bit.N.Doc) : Concat(DocCell(x.Bit.N.Doc), new Inline[] { new Text(" (from "), TypeLink(x.From), new Text(")") }),
            SpecCell(x.Bit.N.Spec))).ToList();
        Add(new Table("values", new[] { "Bit", "Mask", "Name", "Description", "Spec" }, rows));
    }

    // ---------------------------------------------------------------- helpers

    private void DocPara(Named n)
    {
        if (!string.IsNullOrWhiteSpace(n.Doc)) Add(new Para(new Inline[] { new Text(Format.OneLine(n.Doc)) }));
    }

    private void AddSpec(List<IReadOnlyList<Inline>> facts, string? spec)
    {
        if (Format.Spec(_file.Spec, spec) is string s) facts.Add(new Inline[] { new Strong("Spec:"), new Text(" " + s) });
    }

    private IReadOnlyList<Inline> DocCell(string? doc, string? spec = null)
    {
        var cell = new List<Inline>();
        if (!string.IsNullOrWhiteSpace(doc)) cell.Add(new Text(Format.OneLine(doc)));
        if (Format.Spec(_file.Spec, spec) is string s) cell.Add(new Text((cell.Count > 0 ? " " : "") + "(" + s + ")"));
        return cell;
    }

    private IReadOnlyList<Inline> SpecCell(string? spec) => Format.Spec(_file.Spec, spec) is string s ? Cell(new Text(s)) : Cell();

    private Inline TypeLink(string name)
    {
        Symbols.Entry? e = _symbols.Type(name, _file);
        return e == null ? new Code(name) : Link(new Code(name), e.Target);
    }

    private Inline Link(Inline content, Target t) => new Link(new[] { content }, t.Page == _page.Stem ? null : t.Page, t.Anchor);

    private static Inline RegLink(BlockDef b, string name, GroupDef? g = null)
    {
        if (g != null && g.Registers.Any(r => r.N.Name == name))
            return new Link(new Inline[] { new Code(name) }, null, $"{b.N.Name}.{g.N.Name}.{name}");
        if (b.Registers.Any(r => r.N.Name == name))
            return new Link(new Inline[] { new Code(name) }, null, $"{b.N.Name}.{name}");
        foreach (GroupDef gg in b.Groups)
            if (gg.Registers.Any(r => r.N.Name == name))
                return new Link(new Inline[] { new Code(name) }, null, $"{b.N.Name}.{gg.N.Name}.{name}");
        return new Code(name);
    }

    private static string Short(string doc)
    {
        string one = Format.OneLine(doc);
        int cut = one.IndexOfAny(new[] { ';', ':' });
        if (cut > 0 && cut < 70) one = one.Substring(0, cut);
        return one.Length <= 70 ? one : one.Substring(0, 67).TrimEnd() + "…";
    }

    private static IReadOnlyList<Inline> Cell(params Inline[] content) => content;

    private static IReadOnlyList<Inline> AccessCell(Access? a) => a is Access k ? Cell(new AccessBadge(k)) : Cell(new Text("—"));

    private static IReadOnlyList<IReadOnlyList<Inline>> Row(params IReadOnlyList<Inline>[] cells) => cells;

    private static IReadOnlyList<Inline> Concat(params IEnumerable<Inline>[] parts) => parts.SelectMany(p => p).ToList();

    private static IEnumerable<Inline> Join(IEnumerable<Inline> items)
    {
        bool first = true;
        foreach (Inline i in items)
        {
            if (!first) yield return new Text(", ");
            first = false;
            yield return i;
        }
    }
}
