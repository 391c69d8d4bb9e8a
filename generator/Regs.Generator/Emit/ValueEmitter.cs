using Regs.Language.Model;

namespace Regs.Generator.Emit;

/// <summary>
/// Register values: a struct holding the raw bits with one property per field. For registers it
/// also implements IRegisterValue, whose static constants (width, event and reserved masks) the
/// generic handles fold away.
/// </summary>
internal static class ValueEmitter
{
    /// <summary>Whether a register needs its own value struct (otherwise a runtime U8..U64 serves).</summary>
    public static bool NeedsStruct(RegisterDef r)
        => r.Fields.Count > 0 || r.Type != null || r.Reset != null || r.Order == ByteOrder.Big || r.HighFirst;

    /// <summary>The C# type of a register's value, as written inside its block.</summary>
    public static string TypeName(string block, RegisterDef r)
        => NeedsStruct(r) ? $"{block}.{r.N.Name}" : "U" + r.ValueWidth;

    public static void EmitRegister(CodeWriter w, EmitContext ctx, RegisterDef r)
    {
        if (!NeedsStruct(r)) return;
        int width = r.ValueWidth;
        string bits = EmitContext.CsType(width);
        string name = r.N.Name;
        w.Line();
        w.Doc(ctx.DocText(r.N));
        w.Open($"public struct {name} : IRegisterValue<{name}>");
        w.Line($"public {bits} Bits;");
        w.Line($"public {name}({bits} bits) {{ Bits = bits; }}");
        if (r.Reset is ulong reset)
        {
            w.Doc("The value after reset.");
            w.Line($"public static {name} Reset => new({Literal(reset, bits)});");
        }
        int format = width | (r.Order == ByteOrder.Big ? 0x100 : 0) | (r.HighFirst ? 0x200 : 0);
        ulong w1c = 0, w1s = 0, zeros = 0, ones = 0;
        foreach (FieldDef f in r.Fields)
        {
            ulong mask = (f.Width >= 64 ? ulong.MaxValue : (1UL << f.Width) - 1) << f.Lo;
            Access a = f.Access ?? r.Access;
            if (f.Reserved) { if (f.WriteAs == 0) zeros |= mask; else if (f.WriteAs == 1) ones |= mask; }
            else if (a is Access.W1C or Access.RCW1C) w1c |= mask;
            else if (a == Access.W1S) w1s |= mask;
        }
        string i = $"IRegisterValue<{name}>";
        w.Line($"static int {i}.Format => {format};");
        if (w1c != 0) w.Line($"static ulong {i}.W1CMask => {EmitContext.Hex(w1c)};");
        if (w1s != 0) w.Line($"static ulong {i}.W1SMask => {EmitContext.Hex(w1s)};");
        if (zeros != 0) w.Line($"static ulong {i}.Zeros => {EmitContext.Hex(zeros)};");
        if (ones != 0) w.Line($"static ulong {i}.Ones => {EmitContext.Hex(ones)};");
        w.Line($"static {name} {i}.FromBits(ulong b) => new(({bits})b);");
        w.Line($"readonly ulong {i}.ToBits() => Bits;");
        EmitBody(w, ctx, name, width, r.Fields, r.Type, r.Access, settableAll: false);
        w.Close();
    }

    /// <summary>A value struct for a layout member with fields or a type: no interface, memory has no access kinds.</summary>
    public static void EmitMemberValue(CodeWriter w, EmitContext ctx, string name, MemberDef m)
    {
        string bits = EmitContext.CsType(m.Width);
        w.Line();
        w.Doc(ctx.DocText(m.N));
        w.Open($"public struct {name}");
        w.Line($"public {bits} Bits;");
        w.Line($"public {name}({bits} bits) {{ Bits = bits; }}");
        EmitBody(w, ctx, name, m.Width, m.Fields, m.Type, Access.RW, settableAll: true);
        w.Close();
    }

    private static void EmitBody(CodeWriter w, EmitContext ctx, string name, int width, EquatableArray<FieldDef> fields, Ref? type, Access access, bool settableAll)
    {
        string bits = EmitContext.CsType(width);
        if (type is Ref t)
        {
            string tn = ctx.TypeName(t);
            w.Line($"public {tn} Value {{ readonly get => ({tn})Bits; set => Bits = ({bits})value; }}");
            w.Line($"public static implicit operator {name}({tn} v) => new(({bits})v);");
            w.Line($"public static implicit operator {tn}({name} v) => ({tn})v.Bits;");
            return;
        }
        if (fields.Count == 0)
        {
            w.Line($"public static implicit operator {name}({bits} v) => new(v);");
            w.Line($"public static implicit operator {bits}({name} v) => v.Bits;");
            return;
        }
        foreach (FieldDef f in fields)
        {
            if (f.Reserved) continue;
            bool settable = settableAll || (f.Access ?? access).Writable();
            EmitField(w, ctx, f, width, settable);
        }
    }

    private static void EmitField(CodeWriter w, EmitContext ctx, FieldDef f, int width, bool settable)
    {
        w.Doc(ctx.DocText(f.N));
        string type, get, set;
        Ref? typeRef = f.Enum ?? f.Flags;
        if (f.Width == 1 && typeRef == null)
        {
            type = "bool";
            get = $"Bit.Get(Bits, {f.Lo})";
            set = $"Bit.Set(ref Bits, {f.Lo}, value)";
        }
        else
        {
            string natural = EmitContext.FieldType(f.Width);
            string raw = $"Bit.Get(Bits, {f.Lo}, {f.Width})";
            if (width > 32 && natural == "uint") raw = $"(uint){raw}";
            if (typeRef is Ref t)
            {
                type = ctx.TypeName(t);
                get = $"({type}){raw}";
                set = $"Bit.Set(ref Bits, {f.Lo}, {f.Width}, ({natural})value)";
            }
            else
            {
                type = natural;
                get = raw;
                set = $"Bit.Set(ref Bits, {f.Lo}, {f.Width}, value)";
            }
        }
        w.Line(settable
            ? $"public {type} {f.N.Name} {{ readonly get => {get}; set => {set}; }}"
            : $"public {type} {f.N.Name} => {get};");
    }

    public static string Literal(ulong value, string csType) => csType switch
    {
        "ulong" => EmitContext.Hex(value) + "UL",
        "uint" => EmitContext.Hex(value) + "u",
        _ => $"({csType}){EmitContext.Hex(value)}",
    };
}
