using System.Collections.Generic;
using Regs.Language.Model;
using Regs.Language.Validation;

namespace Regs.Generator.Emit;

/// <summary>
/// A layout: an explicit-layout struct over memory shared with a device. Every word is a
/// volatile field (64-bit words are two volatile halves, low first), so the compiler never
/// caches or elides a read of something the device writes. Arrays are reached through static
/// accessors taking a pointer, because their length may be known only at run time.
/// </summary>
internal static class LayoutEmitter
{
    public static void Emit(CodeWriter w, EmitContext ctx, LayoutDef l)
    {
        w.Line();
        w.Doc(ctx.DocText(l.N));
        if (l.Views.Count == 0)
        {
            EmitStruct(w, ctx, l.N.Name, FixedSize(ctx, l.Size, l.Members), l.Members, null);
            return;
        }
        ulong size = l.Size ?? 0;
        w.Line($"[global::System.Runtime.InteropServices.StructLayout(global::System.Runtime.InteropServices.LayoutKind.Explicit, Size = {size})]");
        w.Open($"public partial struct {l.N.Name}");
        foreach (ViewDef v in l.Views)
        {
            w.Doc(ctx.DocText(v.N));
            w.Line($"[global::System.Runtime.InteropServices.FieldOffset(0)] public {v.N.Name}View {v.N.Name};");
        }
        foreach (ViewDef v in l.Views)
        {
            w.Line();
            w.Doc(ctx.DocText(v.N));
            EmitStruct(w, ctx, v.N.Name + "View", size, v.Members, l.N.Name);
        }
        w.Close();
    }

    private static ulong FixedSize(EmitContext ctx, ulong? declared, EquatableArray<MemberDef> members)
    {
        if (declared is ulong d) return d;
        ulong size = 0;
        foreach (MemberDef m in members)
            if (m.Offset is ulong off && m.CountKind != CountKind.Queue && m.After == null)
            {
                ulong end = off + ElementSize(ctx, m) * (m.CountKind == CountKind.Fixed ? m.Count : 1);
                if (end > size) size = end;
            }
        return size;
    }

    private static ulong ElementSize(EmitContext ctx, MemberDef m)
        => m.Element is Ref e ? ctx.Symbol(e).Size : (ulong)m.Width / 8;

    private static void EmitStruct(CodeWriter w, EmitContext ctx, string name, ulong size, EquatableArray<MemberDef> members, string? outer)
    {
        bool pointers = false;
        foreach (MemberDef m in members) if (m.CountKind != CountKind.One || m.After != null) pointers = true;
        w.Line($"[global::System.Runtime.InteropServices.StructLayout(global::System.Runtime.InteropServices.LayoutKind.Explicit, Size = {size})]");
        w.Open($"public {(pointers ? "unsafe " : "")}partial struct {name}");
        MemberDef? queue = null;
        foreach (MemberDef m in members) if (m.CountKind == CountKind.Queue) queue = m;
        foreach (MemberDef m in members)
        {
            if (m.CountKind != CountKind.One || m.After != null) EmitArrayAccessor(w, ctx, name, m, queue);
            else EmitWord(w, ctx, m);
        }
        if (queue != null)
        {
            ulong tail = 0;
            foreach (MemberDef m in members) if (m.After != null) tail += ElementSize(ctx, m);
            w.Doc($"Bytes the structure spans for a queue of <paramref name=\"queueSize\"/> entries.");
            w.Line($"public static nuint SizeOf(uint queueSize) => {queue.Offset} + (nuint)queueSize * {ElementSize(ctx, queue)} + {tail};");
        }
        w.Close();
    }

    private static void EmitWord(CodeWriter w, EmitContext ctx, MemberDef m)
    {
        string off = m.Offset!.Value.ToString();
        string raw = EmitContext.CsType(m.Width);
        bool big = m.Order == ByteOrder.Big && m.Width > 8;
        string at = "[global::System.Runtime.InteropServices.FieldOffset(";
        // Plain word, or a word typed by an enum/flags set: the volatile field itself is the API.
        if (m.Fields.Count == 0 && m.Width <= 32 && !big)
        {
            string type = m.Type is Ref t && ctx.Symbol(t).Width == m.Width ? ctx.TypeName(t) : raw;
            if (m.Type != null && type == raw) { EmitProperty(w, ctx, m, $"({ctx.TypeName(m.Type.Value)})", raw); return; }
            w.Doc(ctx.DocText(m.N));
            w.Line($"{at}{off})] public volatile {type} {m.N.Name};");
            return;
        }
        if (m.Fields.Count > 0)
        {
            string valueType = m.N.Name + "Value";
            ValueEmitter.EmitMemberValue(w, ctx, valueType, m);
            EmitProperty(w, ctx, m, null, raw, valueType);
            return;
        }
        EmitProperty(w, ctx, m, m.Type is Ref tt ? $"({ctx.TypeName(tt)})" : null, raw);
    }

    /// <summary>A private volatile backing word (two halves for 64 bits) and a property converting it.</summary>
    private static void EmitProperty(CodeWriter w, EmitContext ctx, MemberDef m, string? enumCast, string raw, string? valueType = null)
    {
        string off = m.Offset!.Value.ToString();
        string at = "[global::System.Runtime.InteropServices.FieldOffset(";
        string n = "__" + m.N.Name;
        bool big = m.Order == ByteOrder.Big && m.Width > 8;
        string load, store;
        if (m.Width == 64)
        {
            w.Line($"{at}{off})] private volatile uint {n}0; {at}{m.Offset + 4})] private volatile uint {n}1;");
            load = big ? $"ByteOrder.Swap64({n}0 | (ulong){n}1 << 32)" : $"({n}0 | (ulong){n}1 << 32)";
            store = big
                ? $"__v = ByteOrder.Swap64(__v); {n}0 = (uint)__v; {n}1 = (uint)(__v >> 32);"
                : $"{n}0 = (uint)__v; {n}1 = (uint)(__v >> 32);";
        }
        else
        {
            w.Line($"{at}{off})] private volatile {raw} {n};");
            string swap = m.Width == 16 ? "ByteOrder.Swap16" : "ByteOrder.Swap32";
            load = big ? $"{swap}({n})" : n;
            store = big ? $"{n} = {swap}(__v);" : $"{n} = __v;";
        }
        string type = valueType ?? (enumCast != null ? enumCast.Trim('(', ')') : raw);
        string get = valueType != null ? $"new({load})" : enumCast != null ? $"{enumCast}{load}" : load;
        string conv = valueType != null ? "value.Bits" : enumCast != null ? $"({raw})value" : "value";
        w.Doc(ctx.DocText(m.N));
        w.Line($"public {type} {m.N.Name} {{ readonly get => {get}; set {{ {raw} __v = {conv}; {store} }} }}");
    }

    private static void EmitArrayAccessor(CodeWriter w, EmitContext ctx, string owner, MemberDef m, MemberDef? queue)
    {
        string elem = m.Element is Ref e ? ctx.TypeName(e) : m.Width switch { 8 => "Volatile8", 16 => "Volatile16", _ => "Volatile32" };
        w.Doc(ctx.DocText(m.N));
        if (m.After != null)
        {
            w.Line($"public static ref {elem} {m.N.Name}({owner}* self, uint queueSize) => ref *({elem}*)((byte*)self + {queue!.Offset} + (nuint)queueSize * {ElementSize(ctx, queue)});");
            return;
        }
        string index = m.CountKind == CountKind.Fixed ? $"index % {m.Count}" : "index";
        w.Line($"public static ref {elem} {m.N.Name}({owner}* self, uint index) => ref (({elem}*)((byte*)self + {m.Offset}))[{index}];");
    }
}
