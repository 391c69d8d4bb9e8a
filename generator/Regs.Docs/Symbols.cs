using System.Collections.Generic;
using Regs.Language.Model;

namespace Regs.Docs;

/// <summary>Where each enum, flags set, block and layout is documented, found by name as the language finds it.</summary>
internal sealed class Symbols
{
    private readonly Dictionary<(string Ns, string Name), Entry> _byNamespace = new();
    private readonly Dictionary<string, List<Entry>> _byName = new(System.StringComparer.Ordinal);

    internal sealed record Entry(object Def, FileModel File, Target Target);

    public void Add(FileModel file, string name, object def, Target target)
    {
        var e = new Entry(def, file, target);
        var key = (file.Namespace, name + "/" + Kind(def));
        if (!_byNamespace.ContainsKey(key)) _byNamespace[key] = e;
        string k = name + "/" + Kind(def);
        if (!_byName.TryGetValue(k, out var list)) _byName[k] = list = new List<Entry>();
        list.Add(e);
    }

    private static string Kind(object def) => def switch
    {
        EnumDef or FlagsDef or LayoutDef => "type",
        BlockDef => "block",
        _ => "other",
    };

    /// <summary>A type (enum, flags, layout) by name, seen from <paramref name="from"/>: its own namespace, then its imports, then anywhere.</summary>
    public Entry? Type(string name, FileModel from) => Find(name + "/type", from);

    /// <summary>A block by name, seen from <paramref name="from"/>.</summary>
    public Entry? Block(string name, FileModel from) => Find(name + "/block", from);

    private Entry? Find(string key, FileModel from)
    {
        if (_byNamespace.TryGetValue((from.Namespace, key), out Entry? e)) return e;
        foreach (string ns in from.Imports)
            if (_byNamespace.TryGetValue((ns, key), out e)) return e;
        return _byName.TryGetValue(key, out var list) && list.Count > 0 ? list[0] : null;
    }
}
