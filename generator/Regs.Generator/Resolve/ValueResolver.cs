using System.Linq;
using Regs.Generator.Plan;
using Regs.Language.Model;

namespace Regs.Generator.Resolve;

/// <summary>Register values and layout-member values: their C# type names, fields and masks.</summary>
internal static class ValueResolver
{
    /// <summary>Whether a register needs its own value struct (otherwise a runtime U8..U64 serves).</summary>
    public static bool NeedsStruct(RegisterDef r)
        => r.Fields.Count > 0 || r.Type != null || r.Reset != null || r.Order == ByteOrder.Big || r.HighFirst || r.Effects.OnWrite != null;

    /// <summary>The C# type of a register's value, as written inside its block.</summary>
    public static string TypeName(string block, RegisterDef r)
        => NeedsStruct(r) ? $"{block}.{r.N.Name}" : RuntimeSymbols.RawValue(r.ValueWidth).Name;

    public static ValuePlan Register(RegisterDef r, Names names)
    {
        ulong w1c = 0, w1s = 0, zeros = 0, ones = 0;
        foreach (FieldDef f in r.Fields)
        {
            ulong mask = (f.Width >= 64 ? ulong.MaxValue : (1UL << f.Width) - 1) << f.Lo;
            Access a = f.Access ?? r.Access;
            if (f.Reserved) { if (f.WriteAs == 0) zeros |= mask; else if (f.WriteAs == 1) ones |= mask; }
            else if (a is Access.W1C or Access.RCW1C) w1c |= mask;
            else if (a == Access.W1S) w1s |= mask;
        }
        ulong w1t = 0, w0c = 0, w0s = 0, w0t = 0;
        RegisterBehaviour x = RegisterBehaviour.Of(r);
        if (x.UsesSideEffectKeys)
        {
            // Side-effect keys: every bit's write behaviour from the one derivation the handles use too.
            w1c = x.W1C; w1s = x.W1S; w1t = x.W1T; w0c = x.W0C; w0s = x.W0S; w0t = x.W0T;
        }
        var facts = new RegisterValuePlan(r.Reset, r.ValueWidth, r.Order == ByteOrder.Big, r.HighFirst, w1c, w1s, zeros, ones, w1t, w0c, w0s, w0t);
        return Value(r.N.Name, names.Doc(r.N), r.ValueWidth, facts, r.Type, r.Fields, r.Access, settableAll: false, names);
    }

    /// <summary>The value struct of a layout member with fields, named <c>{member}Value</c>.</summary>
    public static ValuePlan Member(MemberDef m, Names names)
        => Value(m.N.Name + "Value", names.Doc(m.N), m.Width, null, m.Type, m.Fields, Access.RW, settableAll: true, names);

    private static ValuePlan Value(string name, string? doc, int width, RegisterValuePlan? register, Ref? type,
        EquatableArray<FieldDef> fields, Access access, bool settableAll, Names names)
    {
        string? typedAs = type is Ref t ? names.Type(t) : null;
        // Typed as a whole, the fields are not exposed; with no fields at all (reserved ones count), the bits convert implicitly.
        bool rawConversions = typedAs == null && fields.Count == 0;
        EquatableArray<FieldPlan> planned = typedAs != null ? EquatableArray<FieldPlan>.Empty
            : fields.Where(f => !f.Reserved).Select(f => Field(f, width, settableAll || (f.Access ?? access).Writable(), names)).ToEquatableArray();
        return new ValuePlan(name, doc, Names.Unsigned(width), register, typedAs, rawConversions, planned);
    }

    private static FieldPlan Field(FieldDef f, int valueWidth, bool settable, Names names)
    {
        string natural = Names.Natural(f.Width);
        Ref? typeRef = f.Enum ?? f.Flags;
        if (f.Width == 1 && typeRef == null)
            return new FieldPlan(f.N.Name, names.Doc(f.N), f.Lo, f.Width, FieldKind.Bool, "bool", natural, false, settable);
        bool narrow = valueWidth > 32 && f.Width <= 32; // a uint field read out of ulong bits
        return typeRef is Ref t
            ? new FieldPlan(f.N.Name, names.Doc(f.N), f.Lo, f.Width, FieldKind.Typed, names.Type(t), natural, narrow, settable)
            : new FieldPlan(f.N.Name, names.Doc(f.N), f.Lo, f.Width, FieldKind.Number, natural, natural, narrow, settable);
    }
}
