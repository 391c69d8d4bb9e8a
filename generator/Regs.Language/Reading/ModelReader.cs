using System.Collections.Generic;
using Regs.Language.Model;
using Regs.Language.Validation;
using Regs.Language.Yaml;

namespace Regs.Language.Reading;

/// <summary>
/// YAML tree -> model. Checks what it can see locally while it still has the nodes: keys,
/// value types, required keys, number syntax, bit-range syntax. Semantic rules (overlaps,
/// fit, references) are the validator's.
/// </summary>
internal static class ModelReader
{
    public static FileModel? Read(string path, YNode root, List<RegsDiagnostic> diagnostics)
    {
        if (root is not YMap map)
        {
            diagnostics.Add(Diagnostics.WrongType(path, root.Loc, "a register file", "a mapping with 'namespace:' and 'blocks:', 'layouts:', 'enums:' or 'flags:'", root.KindName));
            return null;
        }
        var r = new MapReader(path, diagnostics, map, "the file", LanguageKeys.File);
        YScalar? ns = r.Scalar("namespace", required: true);
        if (ns != null && Identifiers.NamespaceProblem(ns.Value) is string why)
            r.Report(Diagnostics.InvalidIdentifier(path, ns.Loc, ns.Value, why));

        var imports = new List<string>();
        foreach (Ref import in r.References("imports", Identifiers.NamespaceProblem)) imports.Add(import.Name);

        var model = new FileModel(
            path,
            ns?.Value ?? "",
            imports.ToEquatableArray(),
            r.String("spec"),
            r.String("doc"),
            r.List("enums", "an enum", LanguageKeys.Enum, ReadEnum).ToEquatableArray(),
            r.List("flags", "a flags set", LanguageKeys.Flags, ReadFlags).ToEquatableArray(),
            r.List("blocks", "a block", LanguageKeys.Block, ReadBlock).ToEquatableArray(),
            r.List("layouts", "a layout", LanguageKeys.Layout, ReadLayout).ToEquatableArray());
        r.Finish();
        return model;
    }

    private static EnumDef? ReadEnum(MapReader r)
    {
        Named n = r.Named("enum");
        int width = r.Width("width", out _) ?? 32;
        var values = r.List("values", "an enum value", LanguageKeys.EnumValue, v =>
        {
            Named vn = v.Named("enum value");
            ulong? value = v.Number("value", out Loc loc, required: true);
            return value == null ? null : new EnumValueDef(vn, value.Value, loc);
        });
        if (!r.Has("values")) r.Report(Diagnostics.MissingKey(r.Path, r.Loc, "values", "an enum"));
        return new EnumDef(n, width, values.ToEquatableArray());
    }

    private static FlagsDef? ReadFlags(MapReader r)
    {
        Named n = r.Named("flags");
        int width = r.Width("width", out _) ?? 32;
        Ref? extends = r.Reference("extends");
        var bits = r.List("bits", "a flag bit", LanguageKeys.FlagBit, b =>
        {
            Named bn = b.Named("flag");
            ulong? bit = b.Number("bit", out Loc loc, required: true);
            if (bit == null) return null;
            if (bit.Value > 63)
            {
                b.Report(Diagnostics.ValueTooLarge(b.Path, loc, "bit number", bit.Value, 6));
                return null;
            }
            return new FlagBitDef(bn, (int)bit.Value, loc);
        });
        return new FlagsDef(n, width, extends, bits.ToEquatableArray());
    }

    private static BlockDef? ReadBlock(MapReader r)
    {
        Named n = r.Named("block");
        int width = r.Width("width", out _) ?? 32;
        Access access = r.AccessKind("access", out _) ?? Access.RW;
        ByteOrder order = r.Order("byte_order") ?? ByteOrder.Little;
        bool indirect = r.Bool("indirect") ?? false;
        var defaults = new RegisterDefaults(width, access, order);
        var constants = r.List("constants", "a constant", LanguageKeys.Constant, c =>
        {
            Named cn = c.Named("constant");
            ulong? value = c.Number("value", out _, required: true);
            return value == null ? null : new ConstantDef(cn, value.Value);
        });
        var registers = r.List("registers", "a register", LanguageKeys.Register, x => ReadRegister(x, defaults));
        var groups = r.List("groups", "a group", LanguageKeys.Group, g => ReadGroup(g, defaults));
        var ports = r.List("ports", "a port", LanguageKeys.Port, ReadPort);
        return new BlockDef(n, width, access, order, indirect, r.Reference("features"),
            constants.ToEquatableArray(), registers.ToEquatableArray(), groups.ToEquatableArray(), ports.ToEquatableArray());
    }

    private readonly record struct RegisterDefaults(int Width, Access Access, ByteOrder Order);

    private static RegisterDef? ReadRegister(MapReader r, RegisterDefaults d)
    {
        Named n = r.Named("register");
        ulong? offset = r.Number("offset", out Loc offsetLoc, required: true);
        int width = r.Width("width", out Loc widthLoc) ?? d.Width;
        if (!r.Has("width")) widthLoc = n.Loc;
        Access access = r.AccessKind("access", out Loc accessLoc) ?? d.Access;
        ByteOrder order = r.Order("byte_order") ?? d.Order;
        ulong? reset = r.Number("reset", out Loc resetLoc);
        bool highFirst = false;
        if (r.Scalar("split") is YScalar split)
        {
            if (split.Value == "high_first") highFirst = true;
            else if (split.Value != "low_first")
                r.Report(Diagnostics.InvalidValue(r.Path, split.Loc, "split order", split.Value, "low_first or high_first"));
        }
        var fields = r.List("fields", "a field", LanguageKeys.Field, ReadField);
        ArrayDef? array = r.Map("array", "an array", LanguageKeys.Array, a => ReadArray(a, offset ?? 0));
        WindowDef? window = r.Map("window", "a window", LanguageKeys.Window, w =>
        {
            Ref? select = w.Reference("select", required: true);
            int? ww = w.Width("width", out _);
            if (ww == null && !w.Has("width")) w.Report(Diagnostics.MissingKey(w.Path, w.Loc, "width", "a window"));
            return select == null || ww == null ? null : new WindowDef(select.Value, ww.Value, w.Loc);
        });
        if (offset == null) return null;
        return new RegisterDef(n, offset.Value, offsetLoc, width, widthLoc, access, accessLoc, order, reset, resetLoc,
            fields.ToEquatableArray(), r.Reference("type"), r.Reference("alias_of"), highFirst, array, window,
            r.References("requires").ToEquatableArray(), r.Effects());
    }

    private static ArrayDef? ReadArray(MapReader a, ulong registerOffset)
    {
        ulong? stride = a.Number("stride", out _, required: true);
        var ranges = new List<ArrayRange>();
        if (a.Has("ranges"))
        {
            if (a.Has("count"))
                a.Report(Diagnostics.InvalidStructure(a.Path, a.Loc, "an array has either 'count' (regular) or 'ranges' (irregular), not both"));
            ranges.AddRange(a.List("ranges", "an array range", LanguageKeys.ArrayRange, x =>
            {
                ulong? count = x.Number("count", out _, required: true);
                ulong? offset = x.Number("offset", out _, required: true);
                return count == null || offset == null ? null : new ArrayRange(count.Value, offset.Value);
            }));
        }
        else
        {
            ulong? count = a.Number("count", out _, required: true);
            if (count != null) ranges.Add(new ArrayRange(count.Value, registerOffset));
        }
        return stride == null || ranges.Count == 0 ? null : new ArrayDef(a.Loc, stride.Value, ranges.ToEquatableArray());
    }

    private static FieldDef? ReadField(MapReader r)
    {
        Named n = r.Named("field");
        int lo = 0, hi = 0;
        Loc bitsLoc = n.Loc;
        bool ok = false;
        if (r.Has("bit") && r.Has("bits"))
            r.Report(Diagnostics.InvalidStructure(r.Path, r.Loc, $"field '{n.Name}' has both 'bit' and 'bits'; keep one"));
        if (r.Number("bit", out Loc bitLoc) is ulong bit)
        {
            bitsLoc = bitLoc;
            if (bit > 63) r.Report(Diagnostics.ValueTooLarge(r.Path, bitLoc, "bit number", bit, 6));
            else { lo = hi = (int)bit; ok = true; }
        }
        else if (r.Scalar("bits") is YScalar bits)
        {
            bitsLoc = bits.Loc;
            ok = ParseRange(bits.Value, out hi, out lo);
            if (!ok)
                r.Report(Diagnostics.WrongType(r.Path, bits.Loc, "'bits'", "a range \"HI:LO\" with HI >= LO, both 0..63 (for example \"9:8\")", $"'{bits.Value}'"));
        }
        else if (!r.Has("bit") && !r.Has("bits"))
            r.Report(Diagnostics.MissingKey(r.Path, r.Loc, "bit' or 'bits", $"field '{n.Name}'"));

        Access? access = r.AccessKind("access", out Loc accessLoc);
        Ref? enumRef = r.Reference("enum");
        Ref? flagsRef = r.Reference("flags");
        if (enumRef != null && flagsRef != null)
            r.Report(Diagnostics.InvalidStructure(r.Path, r.Loc, $"field '{n.Name}' is typed both by 'enum' and 'flags'; keep one"));
        ulong? reset = r.Number("reset", out Loc resetLoc);
        bool reserved = r.Bool("reserved") ?? false;
        int writeAs = -1;
        if (r.Number("write_as", out Loc writeAsLoc) is ulong w)
        {
            if (w > 1) r.Report(Diagnostics.InvalidValue(r.Path, writeAsLoc, "write_as", w.ToString(), "0 or 1"));
            else if (!reserved) r.Report(Diagnostics.InvalidStructure(r.Path, writeAsLoc, $"'write_as' applies to reserved bits only; add 'reserved: true' to '{n.Name}' or remove 'write_as'"));
            else writeAs = (int)w;
        }
        SideEffects effects = r.Effects();
        return ok ? new FieldDef(n, lo, hi, bitsLoc, access, accessLoc, enumRef, flagsRef, reset, resetLoc, reserved, writeAs, effects) : null;
    }

    private static bool ParseRange(string text, out int hi, out int lo)
    {
        hi = lo = 0;
        string[] parts = text.Split(':');
        if (parts.Length != 2) return false;
        if (Numbers.TryParse(parts[0], out ulong h) != Numbers.Result.Ok || Numbers.TryParse(parts[1], out ulong l) != Numbers.Result.Ok)
            return false;
        if (h > 63 || l > h) return false;
        hi = (int)h; lo = (int)l;
        return true;
    }

    private static GroupDef? ReadGroup(MapReader r, RegisterDefaults d)
    {
        Named n = r.Named("group");
        Ref? select = r.Reference("select");
        ulong offset = r.Number("offset", out Loc offsetLoc) ?? 0;
        ulong? count = r.Number("count", out _);
        ulong? stride = r.Number("stride", out _);
        if (select != null && (count != null || stride != null || r.Has("offset")))
            r.Report(Diagnostics.InvalidStructure(r.Path, r.Loc, $"group '{n.Name}' is chosen by 'select'; it takes no 'offset', 'count' or 'stride' (its register offsets are the block's)"));
        else if (select == null && (count == null || stride == null))
            r.Report(Diagnostics.InvalidStructure(r.Path, r.Loc, $"group '{n.Name}' needs 'count' and 'stride' (repeated registers), or 'select' (a register that chooses the instance)"));
        var registers = r.List("registers", "a register", LanguageKeys.Register, x => ReadRegister(x, d));
        if (select == null && (count == null || stride == null)) return null;
        return new GroupDef(n, offset, count ?? 0, stride ?? 0, select, registers.ToEquatableArray());
    }

    private static PortDef? ReadPort(MapReader r)
    {
        Named n = r.Named("port");
        Ref? space = r.Reference("space", required: true);
        Ref? register = r.Reference("register", required: true);
        Ref? address = r.Reference("address", required: true);
        Ref? data = r.Reference("data", required: true);
        Ref? done = r.Reference("done", required: true);
        Ref? opcode = null, readOp = null, writeOp = null;
        r.Map("opcode", "an opcode", LanguageKeys.Opcode, o =>
        {
            opcode = o.Reference("field", required: true);
            readOp = o.Scalar("read") is YScalar rd ? new Ref(rd.Value, rd.Loc) : null;
            writeOp = o.Scalar("write") is YScalar wr ? new Ref(wr.Value, wr.Loc) : null;
            if (readOp == null && writeOp == null)
                o.Report(Diagnostics.MissingKey(o.Path, o.Loc, "read' or 'write", "an opcode"));
            return (object?)null;
        });
        var set = new List<PortSetting>();
        YNode? setNode = r.Node("set");
        if (setNode is YMap setMap)
        {
            foreach (var e in setMap.Entries)
            {
                if (e.Value is YScalar v && r.ParseNumber(v, $"the value of '{e.Key.Value}'") is ulong value)
                    set.Add(new PortSetting(new Ref(e.Key.Value, e.Key.Loc), value));
                else if (e.Value is not YScalar)
                    r.Report(Diagnostics.WrongType(r.Path, e.Value.Loc, $"'{e.Key.Value}'", "a number", e.Value.KindName));
            }
        }
        else if (setNode != null)
            r.Report(Diagnostics.WrongType(r.Path, setNode.Loc, "'set'", "a mapping of field names to numbers", setNode.KindName));
        ulong pollUs = r.Number("poll_us", out Loc pollLoc) ?? 10;
        ulong timeoutUs = r.Number("timeout_us", out Loc timeoutLoc) ?? 10000;
        if (pollUs == 0 || pollUs > 1_000_000) { r.Report(Diagnostics.InvalidValue(r.Path, pollLoc, "poll interval", pollUs.ToString(), "1 to 1000000 microseconds")); pollUs = 10; }
        if (timeoutUs == 0 || timeoutUs > 60_000_000) { r.Report(Diagnostics.InvalidValue(r.Path, timeoutLoc, "timeout", timeoutUs.ToString(), "1 to 60000000 microseconds")); timeoutUs = 10000; }
        if (space == null || register == null || address == null || data == null || done == null) return null;
        return new PortDef(n, space.Value, register.Value, address.Value, data.Value, opcode, readOp, writeOp,
            r.Reference("start"), done.Value, r.Reference("error"), set.ToEquatableArray(), (uint)pollUs, (uint)timeoutUs);
    }

    private static LayoutDef? ReadLayout(MapReader r)
    {
        Named n = r.Named("layout");
        ulong? size = r.Number("size", out Loc sizeLoc);
        ByteOrder order = r.Order("byte_order") ?? ByteOrder.Little;
        var members = r.List("members", "a layout member", LanguageKeys.Member, m => ReadMember(m, order));
        var views = r.List("views", "a view", LanguageKeys.View, v =>
            new ViewDef(v.Named("view"), v.List("members", "a layout member", LanguageKeys.Member, m => ReadMember(m, order)).ToEquatableArray()));
        if (members.Count > 0 && views.Count > 0)
            r.Report(Diagnostics.InvalidStructure(r.Path, r.Loc, $"layout '{n.Name}' has both 'members' and 'views'; put every member in a view"));
        return new LayoutDef(n, size, r.Has("size") ? sizeLoc : n.Loc, order, members.ToEquatableArray(), views.ToEquatableArray());
    }

    private static MemberDef? ReadMember(MapReader r, ByteOrder layoutOrder)
    {
        Named n = r.Named("member");
        ulong? offset = r.Number("offset", out _);
        Ref? after = r.Reference("after");
        if (offset != null && after != null)
            r.Report(Diagnostics.InvalidStructure(r.Path, r.Loc, $"member '{n.Name}' has both 'offset' and 'after'; keep one"));
        else if (offset == null && after == null && !r.Has("offset"))
            r.Report(Diagnostics.MissingKey(r.Path, r.Loc, "offset", $"member '{n.Name}'"));
        Ref? element = r.Reference("element");
        int? width = r.Width("width", out Loc widthLoc);
        if (width == null && element == null && !r.Has("width"))
            r.Report(Diagnostics.MissingKey(r.Path, r.Loc, "width", $"member '{n.Name}'"));
        if (width != null && element != null)
            r.Report(Diagnostics.InvalidStructure(r.Path, r.Loc, $"member '{n.Name}' has both 'width' and 'element'; an element's size comes from its layout"));
        CountKind kind = CountKind.One;
        ulong count = 1;
        if (r.Scalar("count") is YScalar c)
        {
            if (c.Value == "queue") kind = CountKind.Queue;
            else if (r.ParseNumber(c, "'count'") is ulong fixedCount) { kind = CountKind.Fixed; count = fixedCount; }
        }
        var fields = r.List("fields", "a field", LanguageKeys.Field, ReadField);
        if (offset == null && after == null) return null;
        if (width == null && element == null) return null;
        return new MemberDef(n, offset, after, width ?? 0, r.Has("width") ? widthLoc : n.Loc, r.Order("byte_order") ?? layoutOrder,
            fields.ToEquatableArray(), r.Reference("type"), element, kind, count);
    }
}
