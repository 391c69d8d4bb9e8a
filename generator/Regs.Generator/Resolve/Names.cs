using Regs.Language.Model;
using Regs.Language.Validation;

namespace Regs.Generator.Resolve;

/// <summary>
/// The one place names are looked up: a referenced type's symbol and C# name as seen from one
/// file, and documentation text. Used only after the reference checks passed, so every lookup
/// succeeds.
/// </summary>
internal sealed class Names
{
    private readonly FileModel _file;
    private readonly SymbolTable _symbols;

    public Names(FileModel file, SymbolTable symbols) { _file = file; _symbols = symbols; }

    public TypeSymbol Symbol(Ref r) => _symbols.Lookup(r.Name, _file)!;

    /// <summary>The C# name of a referenced enum, flags set, block or layout: short in the file's own namespace.</summary>
    public string Type(Ref r)
    {
        TypeSymbol s = Symbol(r);
        return s.Namespace == _file.Namespace ? s.Name : s.FullName;
    }

    /// <summary>Doc text: the sentence, then the spec reference "(virtio 1.2 5.1.3)".</summary>
    public string? Doc(Named n)
    {
        string? spec = n.Spec == null ? null : _file.Spec == null ? n.Spec : $"{_file.Spec} {n.Spec}";
        if (n.Doc == null) return spec == null ? null : $"See {spec}.";
        string doc = n.Doc.TrimEnd();
        if (spec == null) return doc;
        return doc.EndsWith(".") ? $"{doc.Substring(0, doc.Length - 1)} ({spec})." : $"{doc} ({spec}).";
    }

    /// <summary>The unsigned C# type that holds <paramref name="width"/> bits.</summary>
    public static string Unsigned(int width) => width switch
    {
        <= 8 => "byte",
        <= 16 => "ushort",
        <= 32 => "uint",
        _ => "ulong",
    };

    /// <summary>The smallest of uint/ulong that holds <paramref name="width"/> bits: a field's natural type.</summary>
    public static string Natural(int width) => width <= 32 ? "uint" : "ulong";
}
