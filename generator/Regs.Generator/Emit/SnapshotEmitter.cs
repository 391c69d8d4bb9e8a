using System.Linq;
using Regs.Generator.Plan;
using static Regs.Generator.RuntimeSymbols;

namespace Regs.Generator.Emit;

/// <summary>
/// Device configuration whose registers exist only with some features: a Snapshot struct and a
/// TryReadSnapshot that reads every present register between two equal reads of the generation
/// counter (virtio 1.2 section 2.5.1), retrying a bounded number of times.
/// </summary>
internal static class SnapshotEmitter
{
    public const int MaxAttempts = 16;

    public static void EmitType(CodeWriter w, SnapshotPlan s)
    {
        w.Line();
        w.Doc("One consistent reading of the configuration: registers whose features were not negotiated read as default.");
        w.Open("public struct Snapshot");
        w.Doc("The negotiated features the snapshot was read with.");
        w.Line($"public {s.Features} Features;");
        w.Doc("Whether any of the given features was negotiated, i.e. whether registers requiring it were read.");
        w.Line($"public readonly bool Has({s.Features} feature) => (Features & feature) != 0;");
        foreach (SnapshotRegisterPlan r in s.Registers)
        {
            w.Doc(r.Doc);
            if (r.Count is ulong count)
            {
                w.Line($"internal ulong __{r.Name};");
                w.Line($"public readonly {r.ValueType} {r.Name}(uint i) => new(({r.BitsType})(__{r.Name} >> (int)(i % {count} * {r.Width})));");
            }
            else
                w.Line($"public {r.ValueType} {r.Name};");
        }
        w.Close();
    }

    public static void EmitReader(CodeWriter w, string block, SnapshotPlan s)
    {
        w.Doc("Reads every register present with the negotiated features, consistently (virtio 1.2 2.5.1). False if the configuration kept changing.");
        w.Open($"public bool TryReadSnapshot<TGen>(TGen generation, {s.Features} negotiated, out {block}.Snapshot snapshot) where TGen : struct, {GenerationCounter}");
        w.Open($"for (int attempt = 0; attempt < {MaxAttempts}; attempt++)");
        w.Line($"uint before = generation.{ReadGeneration}();");
        w.Line("snapshot = default;");
        w.Line("snapshot.Features = negotiated;");
        foreach (SnapshotRegisterPlan r in s.Registers)
        {
            string read = r.Count is ulong count
                ? $"for (uint i = 0; i < {count}; i++) snapshot.__{r.Name} |= (ulong){r.Name}(i).{Read}().{Bits} << (int)(i * {r.Width});"
                : $"snapshot.{r.Name} = {r.Name}.{Read}();";
            w.Line(r.Requires.Count == 0 ? read : $"if ((negotiated & ({string.Join(" | ", r.Requires.ToArray())})) != 0) {read}");
        }
        w.Line($"if (generation.{ReadGeneration}() == before) return true;");
        w.Close();
        w.Line("snapshot = default;");
        w.Line("return false;");
        w.Close();
    }
}
