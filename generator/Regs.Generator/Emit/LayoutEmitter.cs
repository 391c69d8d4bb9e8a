using Regs.Generator.Plan;
using static Regs.Generator.RuntimeSymbols;

namespace Regs.Generator.Emit;

/// <summary>
/// A layout: an explicit-layout struct over memory shared with a device. Every word is a
/// volatile field (64-bit words are two volatile halves, low first), so the compiler never
/// caches or elides a read of something the device writes. Arrays are reached through static
/// accessors taking a pointer, because their length may be known only at run time.
/// </summary>
internal static class LayoutEmitter
{
    private const string StructLayout = "[global::System.Runtime.InteropServices.StructLayout(global::System.Runtime.InteropServices.LayoutKind.Explicit, Size = ";
    private const string FieldOffset = "[global::System.Runtime.InteropServices.FieldOffset(";

    public static void Emit(CodeWriter w, LayoutPlan l)
    {
        w.Line();
        w.Doc(l.Doc);
        if (l.Struct != null)
        {
            EmitStruct(w, l.Struct);
            return;
        }
        w.Line($"{StructLayout}{l.Size})]");
        w.Open($"public partial struct {l.Name}");
        foreach (ViewPlan v in l.Views)
        {
            w.Doc(v.Doc);
            w.Line($"{FieldOffset}0)] public {v.Struct.Name} {v.Name};");
        }
        foreach (ViewPlan v in l.Views)
        {
            w.Line();
            w.Doc(v.Doc);
            EmitStruct(w, v.Struct);
        }
        w.Close();
    }

    private static void EmitStruct(CodeWriter w, StructPlan s)
    {
        w.Line($"{StructLayout}{s.Size})]");
        w.Open($"public {(s.Unsafe ? "unsafe " : "")}partial struct {s.Name}");
        foreach (MemberPlan m in s.Members)
        {
            switch (m)
            {
                case VolatileFieldPlan f:
                    w.Doc(f.Doc);
                    w.Line($"{FieldOffset}{f.Offset})] public volatile {f.Type} {f.Name};");
                    break;
                case PropertyPlan p:
                    if (p.Value != null) ValueEmitter.Emit(w, p.Value);
                    EmitProperty(w, p);
                    break;
                case ArrayAccessorPlan a:
                    EmitArrayAccessor(w, a);
                    break;
            }
        }
        if (s.Queue is QueuePlan q)
        {
            w.Doc($"Bytes the structure spans for a queue of <paramref name=\"queueSize\"/> entries.");
            w.Line($"public static nuint SizeOf(uint queueSize) => {q.Offset} + (nuint)queueSize * {q.ElementSize} + {q.Tail};");
        }
        w.Close();
    }

    /// <summary>A private volatile backing word (two halves for 64 bits) and a property converting it.</summary>
    private static void EmitProperty(CodeWriter w, PropertyPlan p)
    {
        string n = "__" + p.Name;
        string load, store;
        if (p.Width == 64)
        {
            w.Line($"{FieldOffset}{p.Offset})] private volatile uint {n}0; {FieldOffset}{p.Offset + 4})] private volatile uint {n}1;");
            load = p.BigEndian ? $"{Swap64}({n}0 | (ulong){n}1 << 32)" : $"({n}0 | (ulong){n}1 << 32)";
            store = p.BigEndian
                ? $"__v = {Swap64}(__v); {n}0 = (uint)__v; {n}1 = (uint)(__v >> 32);"
                : $"{n}0 = (uint)__v; {n}1 = (uint)(__v >> 32);";
        }
        else
        {
            w.Line($"{FieldOffset}{p.Offset})] private volatile {p.Raw} {n};");
            RuntimeMember swap = p.Width == 16 ? Swap16 : Swap32;
            load = p.BigEndian ? $"{swap}({n})" : n;
            store = p.BigEndian ? $"{n} = {swap}(__v);" : $"{n} = __v;";
        }
        string get = p.Conversion switch { Conversion.ValueStruct => $"new({load})", Conversion.Cast => $"({p.Type}){load}", _ => load };
        string conv = p.Conversion switch { Conversion.ValueStruct => "value.Bits", Conversion.Cast => $"({p.Raw})value", _ => "value" };
        w.Doc(p.Doc);
        w.Line($"public {p.Type} {p.Name} {{ readonly get => {get}; set {{ {p.Raw} __v = {conv}; {store} }} }}");
    }

    private static void EmitArrayAccessor(CodeWriter w, ArrayAccessorPlan a)
    {
        string e = a.Element;
        w.Doc(a.Doc);
        if (a.Kind == ArrayKind.AfterQueue && a.Queue is QueuePlan q)
        {
            w.Line($"public static ref {e} {a.Name}({a.Owner}* self, uint queueSize) => ref *({e}*)((byte*)self + {q.Offset} + (nuint)queueSize * {q.ElementSize});");
            return;
        }
        string index = a.Kind == ArrayKind.Fixed ? $"index % {a.Count}" : "index";
        w.Line($"public static ref {e} {a.Name}({a.Owner}* self, uint index) => ref (({e}*)((byte*)self + {a.Offset}))[{index}];");
    }
}
