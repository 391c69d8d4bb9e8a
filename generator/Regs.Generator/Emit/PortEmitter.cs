using System.Collections.Generic;
using Regs.Language.Model;

namespace Regs.Generator.Emit;

/// <summary>
/// A port: an IIndirectPort implementation that runs the command-register protocol (write the
/// command, poll the done bit at most timeout_us, report the error bit), and a property that
/// exposes the indirect space through it.
/// </summary>
internal static class PortEmitter
{
    public static void Emit(CodeWriter w, EmitContext ctx, BlockDef b, PortDef p, RegisterDef cmd)
    {
        var fields = new Dictionary<string, FieldDef>();
        foreach (FieldDef f in cmd.Fields) fields[f.N.Name] = f;
        string value = ValueEmitter.TypeName(b.N.Name, cmd);
        string handle = $"new {BlockEmitter.Handle(b, cmd)}<TAccess, {value}>(_io, {EmitContext.Hex(cmd.Offset)})";
        string port = p.N.Name + "Port";

        w.Doc(ctx.DocText(p.N));
        w.Line($"public {ctx.TypeName(p.Space)}<{port}> {p.N.Name} => new(new {port}(_io));");
        w.Doc($"Reaches {p.Space.Name} through {cmd.N.Name}: command, bounded wait for {p.Done.Name}, error as a value.");
        w.Open($"public readonly struct {port} : IIndirectPort");
        w.Line("private readonly TAccess _io;");
        w.Line($"internal {port}(TAccess io) {{ _io = io; }}");

        w.Open("public IndirectStatus Read(uint address, out ulong value)");
        if (p.ReadOp == null && p.Opcode != null)
        {
            w.Line("value = 0;");
            w.Line("return IndirectStatus.DeviceError;");
        }
        else
        {
            EmitCommand(w, ctx, p, fields, value, p.ReadOp);
            w.Line($"{handle}.Write(c);");
            w.Line("return Complete(out value);");
        }
        w.Close();

        w.Open("public IndirectStatus Write(uint address, ulong value)");
        if (p.WriteOp == null)
            w.Line("return IndirectStatus.DeviceError;");
        else
        {
            EmitCommand(w, ctx, p, fields, value, p.WriteOp);
            w.Line(Assign(ctx, fields[p.Data.Name], "value"));
            w.Line($"{handle}.Write(c);");
            w.Line("return Complete(out _);");
        }
        w.Close();

        w.Open("private IndirectStatus Complete(out ulong value)");
        w.Line($"var r = {handle};");
        w.Open($"for (uint waited = 0; ; waited += {p.PollUs})");
        w.Line($"{value} c = r.Read();");
        w.Open($"if (c.{p.Done.Name})");
        w.Line($"value = {Read(fields[p.Data.Name])};");
        w.Line(p.Error is Ref err ? $"return c.{err.Name} ? IndirectStatus.DeviceError : IndirectStatus.Ok;" : "return IndirectStatus.Ok;");
        w.Close();
        w.Open($"if (waited >= {p.TimeoutUs})");
        w.Line("value = 0;");
        w.Line("return IndirectStatus.Timeout;");
        w.Close();
        w.Line($"_io.Delay({p.PollUs});");
        w.Close();
        w.Close();
        w.Close();
    }

    private static void EmitCommand(CodeWriter w, EmitContext ctx, PortDef p, Dictionary<string, FieldDef> fields, string value, Ref? op)
    {
        w.Line($"{value} c = default;");
        foreach (PortSetting s in p.Set)
            w.Line(Assign(ctx, fields[s.Field.Name], s.Value.ToString()));
        w.Line(Assign(ctx, fields[p.Address.Name], "address"));
        if (op is Ref o && p.Opcode is Ref opField)
        {
            FieldDef f = fields[opField.Name];
            if (f.Enum is Ref e && Regs.Language.Reading.Numbers.TryParse(o.Name, out _) != Regs.Language.Reading.Numbers.Result.Ok)
                w.Line($"c.{f.N.Name} = {ctx.TypeName(e)}.{o.Name};");
            else
                w.Line(Assign(ctx, f, o.Name));
        }
        if (p.Start is Ref start) w.Line($"c.{start.Name} = true;");
    }

    /// <summary>c.F = expr, converted to the field's property type.</summary>
    private static string Assign(EmitContext ctx, FieldDef f, string expr)
    {
        if (f.Enum is Ref e) return $"c.{f.N.Name} = ({ctx.TypeName(e)})({expr});";
        if (f.Flags is Ref fl) return $"c.{f.N.Name} = ({ctx.TypeName(fl)})({expr});";
        if (f.Width == 1) return $"c.{f.N.Name} = ({expr}) != 0;";
        return $"c.{f.N.Name} = ({EmitContext.FieldType(f.Width)})({expr});";
    }

    private static string Read(FieldDef f)
        => f.Width == 1 && f.Enum == null && f.Flags == null ? $"c.{f.N.Name} ? 1UL : 0UL" : $"(ulong)c.{f.N.Name}";
}
