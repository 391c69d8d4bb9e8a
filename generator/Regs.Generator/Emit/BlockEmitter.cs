using System.Collections.Generic;
using System.Linq;
using Regs.Language.Model;

namespace Regs.Generator.Emit;

/// <summary>
/// A block: a static class <c>Name</c> with its value structs and constants, and a struct
/// <c>Name&lt;TAccess&gt;</c> (or <c>Name&lt;TPort&gt;</c> for indirect spaces) whose properties
/// are register handles. A handle is a (backend, offset) pair the JIT folds into one access.
/// </summary>
internal static class BlockEmitter
{
    public static void Emit(CodeWriter w, EmitContext ctx, BlockDef b)
    {
        string name = b.N.Name;
        var all = b.Registers.Concat(b.Groups.SelectMany(g => g.Registers)).ToList();

        w.Line();
        w.Doc(ctx.DocText(b.N));
        w.Open($"public static partial class {name}");
        foreach (ConstantDef c in b.Constants)
        {
            w.Doc(ctx.DocText(c.N));
            w.Line($"public const {(c.Value > uint.MaxValue ? "ulong" : "uint")} {c.N.Name} = {EmitContext.Literal(c.Value, c.Value > uint.MaxValue ? 64 : 32)};");
        }
        foreach (RegisterDef r in all.Where(r => r.Array != null))
            w.Line($"public const uint {r.N.Name}Count = {r.Array!.Count};");
        foreach (GroupDef g in b.Groups.Where(g => g.Select == null))
            w.Line($"public const uint {g.N.Name}Count = {g.Count};");
        foreach (RegisterDef r in all) ValueEmitter.EmitRegister(w, ctx, r);
        if (b.Features != null) SnapshotEmitter.EmitType(w, ctx, b);
        w.Close();

        string backend = b.Indirect ? "TPort" : "TAccess";
        string field = b.Indirect ? "_port" : "_io";
        w.Line();
        w.Doc(ctx.DocText(b.N));
        w.Open(b.Indirect
            ? $"public readonly partial struct {name}<TPort> where TPort : struct, IIndirectPort"
            : $"public readonly partial struct {name}<TAccess> where TAccess : struct, IRegisterAccess<TAccess>");
        w.Line($"private readonly {backend} {field};");
        w.Line($"public {name}({backend} {(b.Indirect ? "port" : "io")}) {{ {field} = {(b.Indirect ? "port" : "io")}; }}");
        w.Doc(b.Indirect ? "The port this space is reached through." : "The register-access backend.");
        w.Line($"public {backend} Io => {field};");
        var registers = all.ToDictionary(r => r.N.Name);
        foreach (RegisterDef r in b.Registers) EmitHandle(w, ctx, b, r, registers, 0);
        foreach (GroupDef g in b.Groups) EmitGroup(w, ctx, b, g, registers);
        foreach (PortDef p in b.Ports) PortEmitter.Emit(w, ctx, b, p, registers[p.Register.Name]);
        if (b.Features != null) SnapshotEmitter.EmitReader(w, ctx, b);
        w.Close();
    }

    /// <summary>The handle type for a register's access kind.</summary>
    public static string Handle(BlockDef b, RegisterDef r)
    {
        if (b.Indirect)
            return r.Access switch { Access.RO or Access.RC => "IndirectRO", Access.WO => "IndirectWO", _ => "IndirectRW" };
        if (r.Window != null)
            return r.Access switch { Access.RO => "WindowRO", Access.WO => "WindowWO", _ => "WindowRW" };
        switch (r.Access)
        {
            case Access.RO: return "RegisterRO";
            case Access.RC: return "RegisterRC";
            case Access.WO: return "RegisterWO";
            case Access.W1C: return "RegisterW1C";
            case Access.W1S: return "RegisterW1S";
            case Access.RCW1C: return "RegisterRCW1C";
        }
        bool c = r.Fields.Any(f => !f.Reserved && f.Access is Access.W1C or Access.RCW1C);
        bool s = r.Fields.Any(f => !f.Reserved && f.Access == Access.W1S);
        return c && s ? "RegisterRWCS" : c ? "RegisterRWC" : s ? "RegisterRWS" : "RegisterRW";
    }

    private static void EmitHandle(CodeWriter w, EmitContext ctx, BlockDef b, RegisterDef r, Dictionary<string, RegisterDef> registers, ulong relativeTo)
    {
        string field = b.Indirect ? "_port" : "_io";
        string type = $"{Handle(b, r)}<{(b.Indirect ? "TPort" : "TAccess")}, {ValueEmitter.TypeName(b.N.Name, r)}>";
        string num = b.Indirect ? "uint" : "nuint";
        w.Doc(ctx.DocText(r.N));
        ulong offset = r.Offset - relativeTo;
        if (r.Window is WindowDef win)
        {
            RegisterDef sel = registers[win.Select.Name];
            w.Line($"public {type} {r.N.Name} => new({field}, {EmitContext.Hex(offset)}, {EmitContext.Hex(sel.Offset - relativeTo)}, {sel.Width});");
        }
        else if (r.Array is ArrayDef a)
        {
            ulong count = a.Count;
            string stride = EmitContext.Hex(a.Stride);
            if (a.Ranges.Count == 1)
                w.Line($"public {type} {r.N.Name}(uint n) => new({field}, {EmitContext.Hex(offset)} + ({num})(n % {count}) * {stride});");
            else
            {
                // Irregular: each range starts at its own offset; indices wrap so they can never leave the array.
                var sb = new System.Text.StringBuilder();
                ulong first = 0;
                for (int i = 0; i < a.Ranges.Count; i++)
                {
                    ArrayRange range = a.Ranges[i];
                    string at = $"{EmitContext.Hex(range.Offset - relativeTo)} + ({num})(n - {first}) * {stride}";
                    if (first == 0) at = $"{EmitContext.Hex(range.Offset - relativeTo)} + ({num})n * {stride}";
                    sb.Append(i == a.Ranges.Count - 1 ? at : $"n < {first + range.Count} ? {at} : ");
                    first += range.Count;
                }
                w.Line($"public {type} {r.N.Name}(uint n) {{ n %= {count}; return new({field}, {sb}); }}");
            }
        }
        else
            w.Line($"public {type} {r.N.Name} => new({field}, {EmitContext.Hex(offset)});");
    }

    private static void EmitGroup(CodeWriter w, EmitContext ctx, BlockDef b, GroupDef g, Dictionary<string, RegisterDef> registers)
    {
        string view = g.N.Name + "View";
        w.Doc(ctx.DocText(g.N));
        if (g.Select is Ref select)
        {
            RegisterDef sel = registers[select.Name];
            w.Line($"public {view} {g.N.Name}(uint index) {{ RegisterIo.WriteSelector(_io, {EmitContext.Hex(sel.Offset)}, {sel.Width}, index); return new(_io); }}");
        }
        else
            w.Line($"public {view} {g.N.Name}(uint n) => new(_io.At({EmitContext.Hex(g.Offset)} + (nuint)(n % {g.Count}) * {EmitContext.Hex(g.Stride)}));");
        w.Doc(g.Select != null
            ? $"The registers of the instance chosen by {g.Select.Value.Name}; choosing another instance invalidates this view."
            : "The registers of one instance.");
        w.Open($"public readonly struct {view}");
        w.Line("private readonly TAccess _io;");
        w.Line($"internal {view}(TAccess io) {{ _io = io; }}");
        foreach (RegisterDef r in g.Registers) EmitHandle(w, ctx, b, r, registers, 0);
        w.Close();
    }
}
