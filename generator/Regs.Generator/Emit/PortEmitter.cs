using Regs.Generator.Plan;
using static Regs.Generator.RuntimeSymbols;

namespace Regs.Generator.Emit;

/// <summary>
/// A port: an IIndirectPort implementation that runs the command-register protocol (write the
/// command, poll the done bit at most timeout_us, report the error bit), and a property that
/// exposes the indirect space through it.
/// </summary>
internal static class PortEmitter
{
    public static void Emit(CodeWriter w, PortPlan p)
    {
        string handle = $"new {p.CommandHandle}<TAccess, {p.CommandType}>(_io, {Literals.Hex(p.CommandOffset)})";

        w.Doc(p.Doc);
        w.Line($"public {p.SpaceType}<{p.PortType}> {p.Name} => new(new {p.PortType}(_io));");
        w.Doc($"Reaches {p.SpaceName} through {p.CommandRegister}: command, bounded wait for {p.Done}, error as a value.");
        w.Open($"public readonly struct {p.PortType} : {IndirectPort}");
        w.Line("private readonly TAccess _io;");
        w.Line($"internal {p.PortType}(TAccess io) {{ _io = io; }}");

        w.Open($"public {IndirectStatus} {PortRead}(uint address, out ulong value)");
        if (p.Read is CommandPlan read)
        {
            EmitCommand(w, p.CommandType, read);
            w.Line($"{handle}.{Write}(c);");
            w.Line("return Complete(out value);");
        }
        else
        {
            w.Line("value = 0;");
            w.Line($"return {StatusDeviceError};");
        }
        w.Close();

        w.Open($"public {IndirectStatus} {PortWrite}(uint address, ulong value)");
        if (p.Write is CommandPlan write)
        {
            EmitCommand(w, p.CommandType, write);
            w.Line($"{handle}.{Write}(c);");
            w.Line("return Complete(out _);");
        }
        else
            w.Line($"return {StatusDeviceError};");
        w.Close();

        w.Open($"private {IndirectStatus} Complete(out ulong value)");
        w.Line($"var r = {handle};");
        w.Open($"for (uint waited = 0; ; waited += {p.PollUs})");
        w.Line($"{p.CommandType} c = r.{Read}();");
        w.Open($"if (c.{p.Done})");
        w.Line($"value = {(p.DataIsBool ? $"c.{p.Data} ? 1UL : 0UL" : $"(ulong)c.{p.Data}")};");
        w.Line(p.Error is string err ? $"return c.{err} ? {StatusDeviceError} : {StatusOk};" : $"return {StatusOk};");
        w.Close();
        w.Open($"if (waited >= {p.TimeoutUs})");
        w.Line("value = 0;");
        w.Line($"return {StatusTimeout};");
        w.Close();
        w.Line($"_io.{Delay}({p.PollUs});");
        w.Close();
        w.Close();
        w.Close();
    }

    private static void EmitCommand(CodeWriter w, string type, CommandPlan command)
    {
        w.Line($"{type} c = default;");
        foreach (FieldAssignment a in command.Assignments)
            w.Line(a.Kind switch
            {
                AssignmentKind.Member => $"c.{a.Field} = {a.Type}.{a.Value};",
                AssignmentKind.NonZero => $"c.{a.Field} = ({a.Value}) != 0;",
                AssignmentKind.SetBit => $"c.{a.Field} = true;",
                _ => $"c.{a.Field} = ({a.Type})({a.Value});",
            });
    }
}
