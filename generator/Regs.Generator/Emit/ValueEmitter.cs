using Regs.Generator.Plan;
using static Regs.Generator.RuntimeSymbols;

namespace Regs.Generator.Emit;

/// <summary>
/// Value structs: the raw bits with one property per field. A register's value also implements
/// IRegisterValue, whose static constants (width, event and reserved masks) the generic handles
/// fold away.
/// </summary>
internal static class ValueEmitter
{
    public static void Emit(CodeWriter w, ValuePlan v)
    {
        string name = v.Name, bits = v.BitsType;
        w.Line();
        w.Doc(v.Doc);
        w.Open(v.Register != null ? $"public struct {name} : {RegisterValue}<{name}>" : $"public struct {name}");
        w.Line($"public {bits} Bits;");
        w.Line($"public {name}({bits} bits) {{ Bits = bits; }}");
        if (v.Register is RegisterValuePlan r) EmitRegisterFacts(w, name, bits, r);
        if (v.TypedAs is string t)
        {
            w.Line($"public {t} Value {{ readonly get => ({t})Bits; set => Bits = ({bits})value; }}");
            w.Line($"public static implicit operator {name}({t} v) => new(({bits})v);");
            w.Line($"public static implicit operator {t}({name} v) => ({t})v.Bits;");
        }
        else if (v.RawConversions)
        {
            w.Line($"public static implicit operator {name}({bits} v) => new(v);");
            w.Line($"public static implicit operator {bits}({name} v) => v.Bits;");
        }
        foreach (FieldPlan f in v.Fields) EmitField(w, f);
        w.Close();
    }

    private static void EmitRegisterFacts(CodeWriter w, string name, string bits, RegisterValuePlan r)
    {
        if (r.Reset is ulong reset)
        {
            w.Doc("The value after reset.");
            w.Line($"public static {name} Reset => new({Literals.Typed(reset, bits)});");
        }
        // The width ORed with the runtime's named order flags: still a constant expression.
        string format = r.Width.ToString(System.Globalization.CultureInfo.InvariantCulture)
            + (r.BigEndian ? $" | {BigEndian}" : "") + (r.HighFirst ? $" | {HighFirst}" : "");
        string i = $"{RegisterValue}<{name}>";
        w.Line($"static int {i}.{Format} => {format};");
        if (r.W1CMask != 0) w.Line($"static ulong {i}.{W1CMask} => {Literals.Hex(r.W1CMask)};");
        if (r.W1SMask != 0) w.Line($"static ulong {i}.{W1SMask} => {Literals.Hex(r.W1SMask)};");
        if (r.W1TMask != 0) w.Line($"static ulong {i}.{W1TMask} => {Literals.Hex(r.W1TMask)};");
        if (r.W0CMask != 0) w.Line($"static ulong {i}.{W0CMask} => {Literals.Hex(r.W0CMask)};");
        if (r.W0SMask != 0) w.Line($"static ulong {i}.{W0SMask} => {Literals.Hex(r.W0SMask)};");
        if (r.W0TMask != 0) w.Line($"static ulong {i}.{W0TMask} => {Literals.Hex(r.W0TMask)};");
        if (r.Zeros != 0) w.Line($"static ulong {i}.{Zeros} => {Literals.Hex(r.Zeros)};");
        if (r.Ones != 0) w.Line($"static ulong {i}.{Ones} => {Literals.Hex(r.Ones)};");
        w.Line($"static {name} {i}.{FromBits}(ulong b) => new(({bits})b);");
        w.Line($"readonly ulong {i}.{ToBits}() => Bits;");
    }

    private static void EmitField(CodeWriter w, FieldPlan f)
    {
        w.Doc(f.Doc);
        string get, set;
        if (f.Kind == FieldKind.Bool)
        {
            get = $"{BitGet}(Bits, {f.Lo})";
            set = $"{BitSet}(ref Bits, {f.Lo}, value)";
        }
        else
        {
            string raw = $"{BitGet}(Bits, {f.Lo}, {f.Width})";
            if (f.Narrow) raw = $"(uint){raw}";
            get = f.Kind == FieldKind.Typed ? $"({f.Type}){raw}" : raw;
            set = f.Kind == FieldKind.Typed
                ? $"{BitSet}(ref Bits, {f.Lo}, {f.Width}, ({f.Natural})value)"
                : $"{BitSet}(ref Bits, {f.Lo}, {f.Width}, value)";
        }
        w.Line(f.Settable
            ? $"public {f.Type} {f.Name} {{ readonly get => {get}; set => {set}; }}"
            : $"public {f.Type} {f.Name} => {get};");
    }
}
