using System.Text;
using Regs.Generator.Plan;
using static Regs.Generator.RuntimeSymbols;

namespace Regs.Generator.Emit;

/// <summary>
/// A block: a static class <c>Name</c> with its value structs and constants, and a struct
/// <c>Name&lt;TAccess&gt;</c> (or <c>Name&lt;TPort&gt;</c> for indirect spaces) whose properties
/// are register handles. A handle is a (backend, offset) pair the JIT folds into one access.
/// </summary>
internal static class BlockEmitter
{
    public static void Emit(CodeWriter w, BlockPlan b)
    {
        w.Line();
        w.Doc(b.Doc);
        w.Open($"public static partial class {b.Name}");
        foreach (ConstantPlan c in b.Constants)
        {
            w.Doc(c.Doc);
            w.Line($"public const {c.Type} {c.Name} = {Literals.Typed(c.Value, c.Type)};");
        }
        foreach (CountPlan c in b.Counts)
            w.Line($"public const uint {c.Name} = {c.Count};");
        foreach (ValuePlan v in b.Values) ValueEmitter.Emit(w, v);
        if (b.Snapshot != null) SnapshotEmitter.EmitType(w, b.Snapshot);
        w.Close();

        string backend = b.Indirect ? "TPort" : "TAccess";
        string field = b.Indirect ? "_port" : "_io";
        string parameter = b.Indirect ? "port" : "io";
        w.Line();
        w.Doc(b.Doc);
        w.Open(b.Indirect
            ? $"public readonly partial struct {b.Name}<TPort> where TPort : struct, {IndirectPort}"
            : $"public readonly partial struct {b.Name}<TAccess> where TAccess : struct, {RegisterAccess}<TAccess>");
        w.Line($"private readonly {backend} {field};");
        w.Line($"public {b.Name}({backend} {parameter}) {{ {field} = {parameter}; }}");
        w.Doc(b.Indirect ? "The port this space is reached through." : "The register-access backend.");
        w.Line($"public {backend} Io => {field};");
        foreach (OwnHandlePlan o in b.OwnHandles) OwnHandleEmitter.Emit(w, o);
        foreach (HandlePlan h in b.Handles) EmitHandle(w, b.Indirect, h);
        foreach (GroupPlan g in b.Groups) EmitGroup(w, g);
        foreach (PortPlan p in b.Ports) PortEmitter.Emit(w, p);
        if (b.Snapshot != null) SnapshotEmitter.EmitReader(w, b.Name, b.Snapshot);
        w.Close();
    }

    private static void EmitHandle(CodeWriter w, bool indirect, HandlePlan h)
    {
        string field = indirect ? "_port" : "_io";
        string type = h.Own ? h.Handle : $"{h.Handle}<{(indirect ? "TPort" : "TAccess")}, {h.ValueType}>";
        string num = indirect ? "uint" : "nuint";
        w.Doc(h.Doc);
        if (h.Window is SelectorPlan sel)
            w.Line($"public {type} {h.Name} => new({field}, {Literals.Hex(h.Offset)}, {Literals.Hex(sel.Offset)}, {sel.Width});");
        else if (h.Array is ArrayPlan a)
        {
            string stride = Literals.Hex(a.Stride);
            if (a.Ranges.Count == 1)
                w.Line($"public {type} {h.Name}(uint n) => new({field}, {Literals.Hex(h.Offset)} + ({num})(n % {a.Count}) * {stride});");
            else
            {
                // Irregular: each range starts at its own offset; indices wrap so they can never leave the array.
                var sb = new StringBuilder();
                for (int i = 0; i < a.Ranges.Count; i++)
                {
                    ArrayRangePlan range = a.Ranges[i];
                    string at = range.First == 0
                        ? $"{Literals.Hex(range.Offset)} + ({num})n * {stride}"
                        : $"{Literals.Hex(range.Offset)} + ({num})(n - {range.First}) * {stride}";
                    sb.Append(i == a.Ranges.Count - 1 ? at : $"n < {range.First + range.Count} ? {at} : ");
                }
                w.Line($"public {type} {h.Name}(uint n) {{ n %= {a.Count}; return new({field}, {sb}); }}");
            }
        }
        else
            w.Line($"public {type} {h.Name} => new({field}, {Literals.Hex(h.Offset)});");
    }

    /// <summary>A group's accessor and view struct; only direct blocks have groups (validated).</summary>
    private static void EmitGroup(CodeWriter w, GroupPlan g)
    {
        w.Doc(g.Doc);
        if (g.Select is SelectorPlan sel)
            w.Line($"public {g.ViewName} {g.Name}(uint index) {{ {WriteSelector}(_io, {Literals.Hex(sel.Offset)}, {sel.Width}, index); return new(_io); }}");
        else
            w.Line($"public {g.ViewName} {g.Name}(uint n) => new(_io.{At}({Literals.Hex(g.Offset)} + (nuint)(n % {g.Count}) * {Literals.Hex(g.Stride)}));");
        w.Doc(g.Select is SelectorPlan s
            ? $"The registers of the instance chosen by {s.Register}; choosing another instance invalidates this view."
            : "The registers of one instance.");
        w.Open($"public readonly struct {g.ViewName}");
        w.Line("private readonly TAccess _io;");
        w.Line($"internal {g.ViewName}(TAccess io) {{ _io = io; }}");
        foreach (HandlePlan h in g.Registers) EmitHandle(w, false, h);
        w.Close();
    }
}
