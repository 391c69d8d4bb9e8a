using System.Linq;
using Regs.Generator.Plan;
using Regs.Language.Model;
using Regs.Language.Validation;

namespace Regs.Generator.Resolve;

/// <summary>
/// The step between validation and emission: a checked file and the symbols of all files to a
/// <see cref="FilePlan"/>, with every name, size and choice the emitters need decided here.
/// </summary>
internal static class FileResolver
{
    /// <summary>Resolves a file whose own and cross-file checks passed.</summary>
    public static FilePlan Resolve(FileModel file, SymbolTable symbols)
    {
        var names = new Names(file, symbols);
        return new FilePlan(
            System.IO.Path.GetFileName(file.Path),
            file.Namespace,
            file.Enums.Select(e => Enum(e, names)).ToEquatableArray(),
            file.Flags.Select(f => Flags(f, names)).ToEquatableArray(),
            file.Blocks.Select(b => BlockResolver.Resolve(b, names)).ToEquatableArray(),
            file.Layouts.Select(l => LayoutResolver.Resolve(l, names)).ToEquatableArray());
    }

    private static EnumPlan Enum(EnumDef e, Names names)
        => new(e.N.Name, names.Doc(e.N), Names.Unsigned(e.Width),
            e.Values.Select(v => new EnumValuePlan(v.N.Name, names.Doc(v.N), v.Value)).ToEquatableArray());

    private static FlagsPlan Flags(FlagsDef f, Names names)
    {
        // The symbol of the extended set lists its members transitively: repeat them all here.
        string? baseType = f.Extends is Ref ext ? names.Type(ext) : null;
        EquatableArray<string> inherited = f.Extends is Ref e ? names.Symbol(e).Members : EquatableArray<string>.Empty;
        return new FlagsPlan(f.N.Name, names.Doc(f.N), Names.Unsigned(f.Width), baseType, inherited,
            f.Bits.Select(b => new FlagBitPlan(b.N.Name, names.Doc(b.N), b.Bit)).ToEquatableArray());
    }
}
