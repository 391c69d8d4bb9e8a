using System.Globalization;
using Regs.Language.Model;
using Regs.Language.Validation;

namespace Regs.Generator.Emit;

/// <summary>What every emitter needs: the file, the symbols of all files, and naming helpers.</summary>
internal sealed class EmitContext
{
    public EmitContext(FileModel file, SymbolTable symbols) { File = file; Symbols = symbols; }

    public FileModel File { get; }
    public SymbolTable Symbols { get; }

    /// <summary>The C# name of a referenced enum, flags set or layout: short in its own namespace.</summary>
    public string TypeName(Ref r)
    {
        TypeSymbol s = Symbols.Lookup(r.Name, File)!;
        return s.Namespace == File.Namespace ? s.Name : s.FullName;
    }

    public TypeSymbol Symbol(Ref r) => Symbols.Lookup(r.Name, File)!;

    /// <summary>Doc text: the sentence, then the spec reference "(virtio 1.2 5.1.3)".</summary>
    public string? DocText(Named n)
    {
        string? spec = n.Spec == null ? null : File.Spec == null ? n.Spec : $"{File.Spec} {n.Spec}";
        if (n.Doc == null) return spec == null ? null : $"See {spec}.";
        string doc = n.Doc.TrimEnd();
        if (spec == null) return doc;
        return doc.EndsWith(".") ? $"{doc.Substring(0, doc.Length - 1)} ({spec})." : $"{doc} ({spec}).";
    }

    public static string CsType(int width) => width switch
    {
        <= 8 => "byte",
        <= 16 => "ushort",
        <= 32 => "uint",
        _ => "ulong",
    };

    /// <summary>The smallest of uint/ulong that holds <paramref name="width"/> bits: a field's natural type.</summary>
    public static string FieldType(int width) => width <= 32 ? "uint" : "ulong";

    public static string Hex(ulong value) => "0x" + value.ToString("X", CultureInfo.InvariantCulture);

    /// <summary>A literal typed for <paramref name="width"/>: 0x1u, 0x1UL.</summary>
    public static string Literal(ulong value, int width) => width > 32 ? Hex(value) + "UL" : Hex(value) + "u";

    public static string Mask(int lo, int hi) => Hex((hi - lo >= 63 ? ulong.MaxValue : ((1UL << (hi - lo + 1)) - 1)) << lo);
}
