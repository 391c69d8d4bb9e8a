using System.Collections.Generic;
using Regs.Language.Model;

namespace Regs.Language.Validation;

public enum SymbolKind { Enum, Flags, Block, Layout }

/// <summary>
/// What one file exports, reduced to what other files need to check and emit references:
/// no documentation, no locations inside, so that editing a comment in one file leaves the
/// table (and so every other file's output) unchanged.
/// </summary>
public sealed record TypeSymbol(
    SymbolKind Kind,
    string Namespace,
    string Name,
    string Path,
    bool Clean,
    int Width,
    ulong MaxValue,
    ulong Size,
    bool Indirect,
    bool HasQueueArray,
    EquatableArray<string> Members)
{
    /// <summary>Fully qualified C# name.</summary>
    public string FullName => $"global::{Namespace}.{Name}";
}

/// <summary>Every exported type of every register file in a compilation.</summary>
public sealed class SymbolTable : System.IEquatable<SymbolTable>
{
    private readonly Dictionary<(string Ns, string Name), TypeSymbol> _byName = new();

    private SymbolTable(EquatableArray<TypeSymbol> symbols, EquatableArray<string> namespaces)
    {
        Symbols = symbols;
        Namespaces = namespaces;
        foreach (TypeSymbol s in symbols)
            if (!_byName.ContainsKey((s.Namespace, s.Name))) _byName[(s.Namespace, s.Name)] = s;
    }

    public EquatableArray<TypeSymbol> Symbols { get; }
    public EquatableArray<string> Namespaces { get; }

    public static SymbolTable Empty { get; } = new(EquatableArray<TypeSymbol>.Empty, EquatableArray<string>.Empty);

    /// <summary>Exports of <paramref name="files"/>; files not in <paramref name="clean"/> had errors.</summary>
    public static SymbolTable Build(IEnumerable<FileModel> files, ICollection<string> clean)
    {
        var list = new List<TypeSymbol>();
        var namespaces = new SortedSet<string>(System.StringComparer.Ordinal);
        var flagsDefs = new Dictionary<(string, string), FlagsDef>();
        var ordered = new List<FileModel>(files);
        ordered.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));
        foreach (FileModel f in ordered)
            foreach (FlagsDef d in f.Flags) flagsDefs[(f.Namespace, d.N.Name)] = d;

        foreach (FileModel f in ordered)
        {
            namespaces.Add(f.Namespace);
            bool ok = clean.Contains(f.Path);
            foreach (EnumDef e in f.Enums)
            {
                ulong max = 0;
                var names = new List<string>();
                foreach (EnumValueDef v in e.Values) { if (v.Value > max) max = v.Value; names.Add(v.N.Name); }
                list.Add(new TypeSymbol(SymbolKind.Enum, f.Namespace, e.N.Name, f.Path, ok, e.Width, max, 0, false, false, names.ToEquatableArray()));
            }
            foreach (FlagsDef d in f.Flags)
            {
                var names = new List<string>();
                int highest = -1;
                CollectFlags(f, d, flagsDefs, names, ref highest, 0);
                ulong max = highest < 0 ? 0 : highest >= 63 ? ulong.MaxValue : (2UL << highest) - 1;
                list.Add(new TypeSymbol(SymbolKind.Flags, f.Namespace, d.N.Name, f.Path, ok, d.Width, max, 0, false, false, names.ToEquatableArray()));
            }
            foreach (BlockDef b in f.Blocks)
                list.Add(new TypeSymbol(SymbolKind.Block, f.Namespace, b.N.Name, f.Path, ok, b.Width, 0, 0, b.Indirect, false, EquatableArray<string>.Empty));
            foreach (LayoutDef l in f.Layouts)
            {
                bool queue = false;
                ulong size = l.Size ?? 0;
                foreach (MemberDef m in l.Members)
                {
                    if (m.CountKind == CountKind.Queue || m.After != null) { queue = true; continue; }
                    if (l.Size == null && m.Offset is ulong off && m.Element == null)
                    {
                        ulong end = Saturating.Add(off, Saturating.Mul((ulong)m.Width / 8, m.CountKind == CountKind.Fixed ? m.Count : 1));
                        if (end > size) size = end;
                    }
                }
                list.Add(new TypeSymbol(SymbolKind.Layout, f.Namespace, l.N.Name, f.Path, ok, 0, 0, size, false, queue, EquatableArray<string>.Empty));
            }
        }
        return new SymbolTable(list.ToEquatableArray(), namespaces.ToEquatableArray());
    }

    private static void CollectFlags(FileModel f, FlagsDef d, Dictionary<(string, string), FlagsDef> all, List<string> names, ref int highest, int depth)
    {
        if (depth > 16) return; // an 'extends' cycle; reported by the reference validator
        if (d.Extends is Ref ext)
        {
            FlagsDef? baseDef = null;
            if (all.TryGetValue((f.Namespace, ext.Name), out FlagsDef? same)) baseDef = same;
            else foreach (string ns in f.Imports) if (all.TryGetValue((ns, ext.Name), out FlagsDef? imported)) { baseDef = imported; break; }
            if (baseDef != null) CollectFlags(f, baseDef, all, names, ref highest, depth + 1);
        }
        foreach (FlagBitDef b in d.Bits)
        {
            names.Add(b.N.Name);
            if (b.Bit > highest) highest = b.Bit;
        }
    }

    /// <summary>Finds a type by simple name from a file: its own namespace first, then its imports in order.</summary>
    public TypeSymbol? Lookup(string name, string fromNamespace, IEnumerable<string> imports)
    {
        if (_byName.TryGetValue((fromNamespace, name), out TypeSymbol? own)) return own;
        foreach (string ns in imports)
            if (_byName.TryGetValue((ns, name), out TypeSymbol? imported)) return imported;
        return null;
    }

    public TypeSymbol? Lookup(string name, FileModel from) => Lookup(name, from.Namespace, from.Imports);

    public bool Equals(SymbolTable? other) => other != null && Symbols.Equals(other.Symbols) && Namespaces.Equals(other.Namespaces);
    public override bool Equals(object? obj) => Equals(obj as SymbolTable);
    public override int GetHashCode() => Symbols.GetHashCode();
}
