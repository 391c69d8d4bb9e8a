using System;
using System.Collections.Generic;
using System.Linq;
using Regs.Language.Model;

namespace Regs.Docs;

/// <summary>Builds the index page: files, blocks, every register by name, layouts, access kinds.</summary>
internal static class IndexBuilder
{
    public static Page Build(IReadOnlyList<FileModel> files, IReadOnlyDictionary<FileModel, string> stems)
    {
        var page = new Page("index", "Register documentation");
        int blocks = files.Sum(f => f.Blocks.Count);
        int regs = files.Sum(f => f.Blocks.Sum(PageBuilder.Count));
        int layouts = files.Sum(f => f.Layouts.Count);
        page.Add(new Heading(1, "top", new Inline[] { new Text("Register documentation") }));
        page.Add(new Para(new Inline[] { new Text($"{files.Count} register files, {blocks} blocks, {regs} registers, {layouts} DMA layouts, "
            + $"{files.Sum(f => f.Enums.Count)} enums and {files.Sum(f => f.Flags.Count)} flags sets.") }));

        page.Add(new Heading(2, "files", new Inline[] { new Text("Files") }));
        page.Add(new Table("files", new[] { "File", "Namespace", "Description", "Blocks", "Registers", "Layouts", "Enums", "Flags" },
            files.Select(f => Row(
                Cell(new Link(new Inline[] { new Code(PageBuilder.FileName(f)) }, stems[f], "top")),
                Cell(new Code(f.Namespace)),
                Cell(new Text(Format.OneLine(f.Doc))),
                Cell(new Text(N(f.Blocks.Count))),
                Cell(new Text(N(f.Blocks.Sum(PageBuilder.Count)))),
                Cell(new Text(N(f.Layouts.Count))),
                Cell(new Text(N(f.Enums.Count))),
                Cell(new Text(N(f.Flags.Count))))).ToList()));

        page.Add(new Heading(2, "blocks", new Inline[] { new Text("Blocks") }));
        page.Add(new Table("blocks", new[] { "Block", "File", "Width", "Registers", "Description" },
            files.SelectMany(f => f.Blocks.Select(b => Row(
                Cell(new Link(new Inline[] { new Code(b.N.Name) }, stems[f], PageBuilder.BlockAnchor(b))),
                Cell(new Text(PageBuilder.FileName(f))),
                Cell(new Text(N(b.Width))),
                Cell(new Text(N(PageBuilder.Count(b)) + (b.Indirect ? " (indirect)" : ""))),
                Cell(new Text(Format.OneLine(b.N.Doc)))))).ToList()));

        var all = new List<(string Name, string Sort, FileModel F, BlockDef B, GroupDef? G, RegisterDef R)>();
        foreach (FileModel f in files)
            foreach (BlockDef b in f.Blocks)
            {
                foreach (RegisterDef r in b.Registers) all.Add((r.N.Name, r.N.Name, f, b, null, r));
                foreach (GroupDef g in b.Groups)
                    foreach (RegisterDef r in g.Registers) all.Add((g.N.Name + "." + r.N.Name, r.N.Name, f, b, g, r));
            }
        page.Add(new Heading(2, "registers", new Inline[] { new Text("All registers") }));
        page.Add(new Table("registers", new[] { "Register", "Block", "Offset", "Width", "Access", "Reset", "Description" },
            all.OrderBy(x => x.Sort, StringComparer.OrdinalIgnoreCase).ThenBy(x => x.Sort, StringComparer.Ordinal)
               .ThenBy(x => x.B.N.Name, StringComparer.Ordinal).ThenBy(x => x.Name, StringComparer.Ordinal)
               .Select(x => Row(
                Cell(new Link(new Inline[] { new Code(x.Name) }, stems[x.F], PageBuilder.RegisterAnchor(x.B, x.G, x.R))),
                Cell(new Code(x.B.N.Name)),
                Cell(new Code(x.G is { Select: null } g ? Format.Hex(g.Offset + x.R.Offset, 16) + "+" : Format.Hex(x.R.Offset, 16))),
                Cell(new Text(N(x.R.ValueWidth))),
                Cell(new AccessBadge(x.R.Access)),
                Cell(x.R.Reset is ulong v ? new Code(Format.Hex(v, x.R.ValueWidth)) : new Text("—")),
                Cell(new Text(Format.OneLine(x.R.N.Doc))))).ToList()));

        if (layouts > 0)
        {
            page.Add(new Heading(2, "layouts", new Inline[] { new Text("DMA layouts") }));
            page.Add(new Table("layouts", new[] { "Layout", "File", "Size", "Members", "Description" },
                files.SelectMany(f => f.Layouts.Select(l => Row(
                    Cell(new Link(new Inline[] { new Code(l.N.Name) }, stems[f], PageBuilder.LayoutAnchor(l))),
                    Cell(new Text(PageBuilder.FileName(f))),
                    Cell(new Text(l.Size is ulong s ? N((long)s) + " bytes" : "run time")),
                    Cell(new Text(N(l.Members.Count + l.Views.Sum(v => v.Members.Count)))),
                    Cell(new Text(Format.OneLine(l.N.Doc)))))).ToList()));
        }

        page.Add(new Heading(2, "access", new Inline[] { new Text("Access kinds") }));
        page.Add(new Table("access", new[] { "Kind", "Meaning" },
            ((Access[])Enum.GetValues(typeof(Access))).Select(a => Row(Cell(new AccessBadge(a)), Cell(new Text(Format.Meaning(a))))).ToList()));
        page.Add(new Para(new Inline[] { new Text("In the bit-field pictures each field is coloured by its access kind, reserved bits are hatched, bits are numbered from the most significant on the left, and the reset value is shown bit by bit underneath.") }));
        return page;
    }

    private static string N(long v) => Format.Dec(v);

    private static IReadOnlyList<Inline> Cell(params Inline[] content) => content;

    private static IReadOnlyList<IReadOnlyList<Inline>> Row(params IReadOnlyList<Inline>[] cells) => cells;
}
