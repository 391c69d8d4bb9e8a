using System.Collections.Generic;
using System.Globalization;
using Regs.Generator.Plan;
using Regs.Language.Model;
using Regs.Language.Reading;

namespace Regs.Generator.Resolve;

/// <summary>Ports: the command register's types, and each command as the field assignments that build it.</summary>
internal static class PortResolver
{
    public static PortPlan Resolve(BlockDef b, PortDef p, RegisterDef cmd, Names names)
    {
        var fields = new Dictionary<string, FieldDef>();
        foreach (FieldDef f in cmd.Fields) fields[f.N.Name] = f;
        FieldDef data = fields[p.Data.Name];
        // Without a read opcode a port that has opcodes cannot read; without a write opcode no port can write.
        CommandPlan? read = p.ReadOp == null && p.Opcode != null ? null : Command(p, fields, p.ReadOp, null, names);
        CommandPlan? write = p.WriteOp == null ? null : Command(p, fields, p.WriteOp, data, names);
        return new PortPlan(
            p.N.Name,
            names.Doc(p.N),
            names.Type(p.Space),
            p.Space.Name,
            p.N.Name + "Port",
            cmd.N.Name,
            ValueResolver.TypeName(b.N.Name, cmd),
            BlockResolver.HandleType(b, cmd),
            cmd.Offset,
            read,
            write,
            p.Done.Name,
            p.Error?.Name,
            data.N.Name,
            data.Width == 1 && data.Enum == null && data.Flags == null,
            p.PollUs,
            p.TimeoutUs);
    }

    /// <summary>Fixed settings, the address, the opcode, the start bit, then (for a write) the data.</summary>
    private static CommandPlan Command(PortDef p, Dictionary<string, FieldDef> fields, Ref? op, FieldDef? data, Names names)
    {
        var assignments = new List<FieldAssignment>();
        foreach (PortSetting s in p.Set)
            assignments.Add(Assign(fields[s.Field.Name], s.Value.ToString(CultureInfo.InvariantCulture), names));
        assignments.Add(Assign(fields[p.Address.Name], "address", names));
        if (op is Ref o && p.Opcode is Ref opField)
        {
            // Validation made it a member of the field's enum, or (an untyped field) a number.
            FieldDef f = fields[opField.Name];
            if (f.Enum is Ref e)
                assignments.Add(new FieldAssignment(f.N.Name, AssignmentKind.Member, names.Type(e), o.Name));
            else
            {
                Numbers.TryParse(o.Name, out ulong number);
                assignments.Add(Assign(f, number.ToString(CultureInfo.InvariantCulture), names));
            }
        }
        if (p.Start is Ref start) assignments.Add(new FieldAssignment(start.Name, AssignmentKind.SetBit, "bool", "true"));
        if (data != null) assignments.Add(Assign(data, "value", names));
        return new CommandPlan(assignments.ToEquatableArray());
    }

    /// <summary>c.F = expr, converted to the field's property type.</summary>
    private static FieldAssignment Assign(FieldDef f, string expr, Names names)
    {
        if ((f.Enum ?? f.Flags) is Ref t) return new FieldAssignment(f.N.Name, AssignmentKind.Cast, names.Type(t), expr);
        if (f.Width == 1) return new FieldAssignment(f.N.Name, AssignmentKind.NonZero, "bool", expr);
        return new FieldAssignment(f.N.Name, AssignmentKind.Cast, Names.Natural(f.Width), expr);
    }
}
