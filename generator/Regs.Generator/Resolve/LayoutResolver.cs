using System.Linq;
using Regs.Generator.Plan;
using Regs.Language.Model;

namespace Regs.Generator.Resolve;

/// <summary>Layouts: struct sizes, element sizes of other layouts, and how each member is exposed.</summary>
internal static class LayoutResolver
{
    public static LayoutPlan Resolve(LayoutDef l, Names names)
    {
        if (l.Views.Count == 0)
            return new LayoutPlan(l.N.Name, names.Doc(l.N), Struct(l.N.Name, FixedSize(l.Size, l.Members, names), l.Members, names), 0, EquatableArray<ViewPlan>.Empty);
        ulong size = l.Size ?? 0;
        return new LayoutPlan(l.N.Name, names.Doc(l.N), null, size,
            l.Views.Select(v => new ViewPlan(v.N.Name, names.Doc(v.N), Struct(v.N.Name + "View", size, v.Members, names))).ToEquatableArray());
    }

    /// <summary>The declared size, or the end of the last fixed member.</summary>
    private static ulong FixedSize(ulong? declared, EquatableArray<MemberDef> members, Names names)
    {
        if (declared is ulong d) return d;
        ulong size = 0;
        foreach (MemberDef m in members)
            if (m.Offset is ulong off && m.CountKind != CountKind.Queue && m.After == null)
            {
                ulong end = off + ElementSize(m, names) * (m.CountKind == CountKind.Fixed ? m.Count : 1);
                if (end > size) size = end;
            }
        return size;
    }

    private static ulong ElementSize(MemberDef m, Names names)
        => m.Element is Ref e ? names.Symbol(e).Size : (ulong)m.Width / 8;

    private static bool IsArray(MemberDef m) => m.CountKind != CountKind.One || m.After != null;

    private static StructPlan Struct(string name, ulong size, EquatableArray<MemberDef> members, Names names)
    {
        QueuePlan? queue = null;
        if (members.LastOrDefault(m => m.CountKind == CountKind.Queue) is MemberDef q)
        {
            ulong tail = 0;
            foreach (MemberDef m in members) if (m.After != null) tail += ElementSize(m, names);
            queue = new QueuePlan(q.Offset.GetValueOrDefault(), ElementSize(q, names), tail);
        }
        return new StructPlan(name, size, members.Any(IsArray),
            members.Select(m => IsArray(m) ? ArrayAccessor(name, m, queue, names) : Word(m, names)).ToEquatableArray(),
            queue);
    }

    private static MemberPlan ArrayAccessor(string owner, MemberDef m, QueuePlan? queue, Names names)
    {
        string element = m.Element is Ref e ? names.Type(e) : (m.Width switch { 8 => RuntimeSymbols.Volatile8, 16 => RuntimeSymbols.Volatile16, _ => RuntimeSymbols.Volatile32 }).Name;
        ArrayKind kind = m.After != null ? ArrayKind.AfterQueue : m.CountKind == CountKind.Fixed ? ArrayKind.Fixed : ArrayKind.Queue;
        return new ArrayAccessorPlan(m.N.Name, names.Doc(m.N), owner, element, kind, m.Offset.GetValueOrDefault(), m.Count,
            kind == ArrayKind.AfterQueue ? queue : null);
    }

    private static MemberPlan Word(MemberDef m, Names names)
    {
        ulong offset = m.Offset.GetValueOrDefault();
        string raw = Names.Unsigned(m.Width);
        bool big = m.Order == ByteOrder.Big && m.Width > 8;
        PropertyPlan Property(string type, Conversion conversion, ValuePlan? value = null)
            => new(m.N.Name, names.Doc(m.N), offset, m.Width, raw, big, type, conversion, value);

        if (m.Fields.Count > 0)
        {
            ValuePlan value = ValueResolver.Member(m, names);
            return Property(value.Name, Conversion.ValueStruct, value);
        }
        if (m.Type is Ref t)
        {
            // An enum or flags set of the word's own width can be the volatile field's type; otherwise a property casts.
            if (m.Width <= 32 && !big && names.Symbol(t).Width == m.Width)
                return new VolatileFieldPlan(m.N.Name, names.Doc(m.N), offset, names.Type(t));
            return Property(names.Type(t), Conversion.Cast);
        }
        // A plain word: the volatile field itself is the API, unless it needs two halves or a byte swap.
        return m.Width <= 32 && !big ? new VolatileFieldPlan(m.N.Name, names.Doc(m.N), offset, raw) : Property(raw, Conversion.None);
    }
}
