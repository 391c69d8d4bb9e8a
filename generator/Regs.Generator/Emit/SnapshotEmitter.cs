using System.Collections.Generic;
using Regs.Language.Model;

namespace Regs.Generator.Emit;

/// <summary>
/// Device configuration whose registers exist only with some features: a Snapshot struct and a
/// TryReadSnapshot that reads every present register between two equal reads of the generation
/// counter (virtio 1.2 section 2.5.1), retrying a bounded number of times.
/// </summary>
internal static class SnapshotEmitter
{
    public const int MaxAttempts = 16;

    /// <summary>Registers a snapshot holds: readable without side effects, arrays only if they pack into 64 bits.</summary>
    private static IEnumerable<RegisterDef> Included(BlockDef b)
    {
        foreach (RegisterDef r in b.Registers)
        {
            if (r.Window != null || r.Access is Access.WO or Access.RC or Access.RCW1C) continue;
            if (r.Array is ArrayDef a && a.Count * (ulong)r.Width > 64) continue;
            yield return r;
        }
    }

    public static void EmitType(CodeWriter w, EmitContext ctx, BlockDef b)
    {
        string features = ctx.TypeName(b.Features!.Value);
        w.Line();
        w.Doc("One consistent reading of the configuration: registers whose features were not negotiated read as default.");
        w.Open("public struct Snapshot");
        w.Doc("The negotiated features the snapshot was read with.");
        w.Line($"public {features} Features;");
        w.Doc("Whether any of the given features was negotiated, i.e. whether registers requiring it were read.");
        w.Line($"public readonly bool Has({features} feature) => (Features & feature) != 0;");
        foreach (RegisterDef r in Included(b))
        {
            string type = ValueEmitter.TypeName(b.N.Name, r);
            w.Doc(ctx.DocText(r.N));
            if (r.Array is ArrayDef a)
            {
                w.Line($"internal ulong __{r.N.Name};");
                w.Line($"public readonly {type} {r.N.Name}(uint i) => new(({EmitContext.CsType(r.Width)})(__{r.N.Name} >> (int)(i % {a.Count} * {r.Width})));");
            }
            else
                w.Line($"public {type} {r.N.Name};");
        }
        w.Close();
    }

    public static void EmitReader(CodeWriter w, EmitContext ctx, BlockDef b)
    {
        string features = ctx.TypeName(b.Features!.Value);
        w.Doc("Reads every register present with the negotiated features, consistently (virtio 1.2 2.5.1). False if the configuration kept changing.");
        w.Open($"public bool TryReadSnapshot<TGen>(TGen generation, {features} negotiated, out {b.N.Name}.Snapshot snapshot) where TGen : struct, IGenerationCounter");
        w.Open($"for (int attempt = 0; attempt < {MaxAttempts}; attempt++)");
        w.Line("uint before = generation.ReadGeneration();");
        w.Line("snapshot = default;");
        w.Line("snapshot.Features = negotiated;");
        foreach (RegisterDef r in Included(b))
        {
            string read = r.Array is ArrayDef a
                ? $"for (uint i = 0; i < {a.Count}; i++) snapshot.__{r.N.Name} |= (ulong){r.N.Name}(i).Read().Bits << (int)(i * {r.Width});"
                : $"snapshot.{r.N.Name} = {r.N.Name}.Read();";
            if (r.Requires.Count == 0)
                w.Line(read);
            else
            {
                var names = new List<string>();
                foreach (Ref req in r.Requires) names.Add($"{features}.{req.Name}");
                w.Line($"if ((negotiated & ({string.Join(" | ", names)})) != 0) {read}");
            }
        }
        w.Line("if (generation.ReadGeneration() == before) return true;");
        w.Close();
        w.Line("snapshot = default;");
        w.Line("return false;");
        w.Close();
    }
}
