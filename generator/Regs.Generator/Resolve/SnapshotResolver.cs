using System.Collections.Generic;
using System.Linq;
using Regs.Generator.Plan;
using Regs.Language.Model;

namespace Regs.Generator.Resolve;

/// <summary>Configuration snapshots: which registers one holds, and the features each needs.</summary>
internal static class SnapshotResolver
{
    public static SnapshotPlan Resolve(BlockDef b, Ref features, Names names)
    {
        string type = names.Type(features);
        return new SnapshotPlan(type, Included(b).Select(r => new SnapshotRegisterPlan(
            r.N.Name,
            names.Doc(r.N),
            ValueResolver.TypeName(b.N.Name, r),
            r.Width,
            Names.Unsigned(r.Width),
            r.Array?.Count,
            r.Requires.Select(req => $"{type}.{req.Name}").ToEquatableArray())).ToEquatableArray());
    }

    /// <summary>Registers a snapshot holds: readable without side effects, arrays only if they pack into 64 bits.</summary>
    private static IEnumerable<RegisterDef> Included(BlockDef b)
    {
        foreach (RegisterDef r in b.Registers)
        {
            // A read with a side effect (rc, onread, latch) would act on the device; write-only ones cannot be read.
            if (r.Window != null || RegisterBehaviour.Of(r).Read != ReadEffect.Plain) continue;
            if (r.Array is ArrayDef a && a.Count * (ulong)r.Width > 64) continue;
            yield return r;
        }
    }
}
