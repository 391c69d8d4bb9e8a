using System.Collections.Generic;
using System.Linq;
using Regs.Generator.Plan;
using Regs.Language.Model;

namespace Regs.Generator.Resolve;

/// <summary>Blocks: constants, counts, value structs, and a handle per register with its addressing.</summary>
internal static class BlockResolver
{
    public static BlockPlan Resolve(BlockDef b, Names names)
    {
        var all = b.Registers.Concat(b.Groups.SelectMany(g => g.Registers)).ToList();
        var registers = all.ToDictionary(r => r.N.Name);
        var counts = all.Where(r => r.Array != null).Select(r => new CountPlan(r.N.Name + "Count", r.Array!.Count))
            .Concat(b.Groups.Where(g => g.Select == null).Select(g => new CountPlan(g.N.Name + "Count", g.Count)));
        return new BlockPlan(
            b.N.Name,
            names.Doc(b.N),
            b.Indirect,
            b.Constants.Select(c => new ConstantPlan(c.N.Name, names.Doc(c.N), c.Value > uint.MaxValue ? "ulong" : "uint", c.Value)).ToEquatableArray(),
            counts.ToEquatableArray(),
            all.Where(ValueResolver.NeedsStruct).Select(r => ValueResolver.Register(r, names)).ToEquatableArray(),
            b.Features is Ref features ? SnapshotResolver.Resolve(b, features, names) : null,
            b.Registers.Select(r => Handle(b, r, registers, names)).ToEquatableArray(),
            b.Groups.Select(g => Group(b, g, registers, names)).ToEquatableArray(),
            b.Ports.Select(p => PortResolver.Resolve(b, p, registers[p.Register.Name], names)).ToEquatableArray(),
            all.Where(r => HandleFacts.NeedsOwnHandle(b, r)).Select(r => OwnHandle(b, r)).ToEquatableArray());
    }

    private static OwnHandlePlan OwnHandle(BlockDef b, RegisterDef r)
    {
        RegisterBehaviour x = RegisterBehaviour.Of(r);
        return new OwnHandlePlan(HandleFacts.HandleTypeName(r), r.N.Name, ValueResolver.TypeName(b.N.Name, r), b.Indirect,
            x.Read, x.PlainWrite, x.WriteAll, x.Clears, x.Sets, x.Toggles);
    }

    /// <summary>The runtime handle type for a register's access kind.</summary>
    public static string HandleType(BlockDef b, RegisterDef r)
    {
        return HandleKind(b, r).Name;
    }

    private static RuntimeType HandleKind(BlockDef b, RegisterDef r)
    {
        if (HandleFacts.NeedsOwnHandle(b, r)) return new RuntimeType(HandleFacts.HandleTypeName(r));
        if (b.Indirect)
            return r.Access switch { Access.RO or Access.RC => RuntimeSymbols.IndirectRO, Access.WO => RuntimeSymbols.IndirectWO, _ => RuntimeSymbols.IndirectRW };
        if (r.Window != null)
            return r.Access switch { Access.RO => RuntimeSymbols.WindowRO, Access.WO => RuntimeSymbols.WindowWO, _ => RuntimeSymbols.WindowRW };
        switch (r.Access)
        {
            case Access.RO: return RuntimeSymbols.RegisterRO;
            case Access.RC: return RuntimeSymbols.RegisterRC;
            case Access.WO: return RuntimeSymbols.RegisterWO;
            case Access.W1C: return RuntimeSymbols.RegisterW1C;
            case Access.W1S: return RuntimeSymbols.RegisterW1S;
            case Access.RCW1C: return RuntimeSymbols.RegisterRCW1C;
        }
        // A read-write register: its write-1 fields pick a handle that never writes them back by accident.
        bool c = r.Fields.Any(f => !f.Reserved && f.Access is Access.W1C or Access.RCW1C);
        bool s = r.Fields.Any(f => !f.Reserved && f.Access == Access.W1S);
        return c && s ? RuntimeSymbols.RegisterRWCS : c ? RuntimeSymbols.RegisterRWC : s ? RuntimeSymbols.RegisterRWS : RuntimeSymbols.RegisterRW;
    }

    private static HandlePlan Handle(BlockDef b, RegisterDef r, Dictionary<string, RegisterDef> registers, Names names)
    {
        SelectorPlan? window = r.Window is WindowDef w ? Selector(registers[w.Select.Name]) : null;
        ArrayPlan? array = null;
        if (r.Array is ArrayDef a)
        {
            var ranges = new List<ArrayRangePlan>();
            ulong first = 0;
            foreach (ArrayRange range in a.Ranges)
            {
                ranges.Add(new ArrayRangePlan(first, range.Count, range.Offset));
                first += range.Count;
            }
            array = new ArrayPlan(a.Count, a.Stride, ranges.ToEquatableArray());
        }
        return new HandlePlan(r.N.Name, names.Doc(r.N), HandleType(b, r), ValueResolver.TypeName(b.N.Name, r), r.Offset, window, array, HandleFacts.NeedsOwnHandle(b, r));
    }

    private static SelectorPlan Selector(RegisterDef select) => new(select.N.Name, select.Offset, select.Width);

    private static GroupPlan Group(BlockDef b, GroupDef g, Dictionary<string, RegisterDef> registers, Names names)
        => new(g.N.Name, names.Doc(g.N), g.N.Name + "View",
            g.Select is Ref select ? Selector(registers[select.Name]) : null,
            g.Offset, g.Count, g.Stride,
            g.Registers.Select(r => Handle(b, r, registers, names)).ToEquatableArray());
}
