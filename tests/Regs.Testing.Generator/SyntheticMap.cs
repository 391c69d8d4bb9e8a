using System.Text;

namespace Regs.Testing.Generator;

/// <summary>
/// A register map of a chosen size, shaped like a microcontroller peripheral: one block of
/// 32-bit registers 4 bytes apart, each with the same number of fields of alternating 1- and
/// 4-bit widths. The size tests assert bytes per field on it; the benchmarks time it.
/// </summary>
public static class SyntheticMap
{
    /// <summary>The YAML of <paramref name="registers"/> registers with <paramref name="fieldsPerRegister"/> fields each (at most 8), with doc strings or without.</summary>
    public static string Build(int registers, int fieldsPerRegister, bool docs)
    {
        var sb = new StringBuilder("namespace: Synthetic\nblocks:\n  - name: Big\n    registers:\n");
        for (int r = 0; r < registers; r++)
        {
            sb.Append($"      - name: REG{r}\n        offset: {r * 4}\n");
            if (docs) sb.Append($"        doc: Register number {r} of the synthetic map\n");
            sb.Append("        fields:\n");
            for (int f = 0; f < fieldsPerRegister; f++)
                sb.Append($"          - {{ name: F{f}, bits: \"{f * 4 + (f % 2 == 0 ? 0 : 3)}:{f * 4}\"{(docs ? $", doc: Field {f} of register {r}" : "")} }}\n");
        }
        return sb.ToString();
    }
}
