using System;
using System.Collections.Generic;
using System.Globalization;
using Regs.Language.Model;
using Regs.Language.Validation;
using Regs.Language.Yaml;

namespace Regs.Language.Reading;

/// <summary>
/// Reads one YAML mapping against the keys it may have: typed getters that report wrong types
/// and missing keys at the value's location, and <see cref="Finish"/> that reports every key
/// nobody asked for as a typo, with the closest known key as a suggestion.
/// </summary>
internal sealed class MapReader
{
    private readonly string _path;
    private readonly List<RegsDiagnostic> _diagnostics;
    private readonly YMap _map;
    private readonly string _where;
    private readonly string[] _known;

    public MapReader(string path, List<RegsDiagnostic> diagnostics, YMap map, string where, string[] known)
    {
        _path = path;
        _diagnostics = diagnostics;
        _map = map;
        _where = where;
        _known = known;
    }

    public Loc Loc => _map.Loc;
    public string Path => _path;

    public void Report(RegsDiagnostic d) => _diagnostics.Add(d);

    public YNode? Node(string key)
    {
        foreach (var e in _map.Entries)
            if (e.Key.Value == key) return e.Value;
        return null;
    }

    public bool Has(string key) => Node(key) != null;

    /// <summary>Reports keys this kind of mapping does not have.</summary>
    public void Finish()
    {
        foreach (var e in _map.Entries)
        {
            if (System.Array.IndexOf(_known, e.Key.Value) >= 0) continue;
            _diagnostics.Add(Language.Diagnostics.UnknownKey(_path, e.Key.Loc, e.Key.Value, _where,
                Closest(e.Key.Value, _known), string.Join(", ", _known)));
        }
    }

    /// <summary>name (required, a C# identifier), doc and spec.</summary>
    public Named Named(string kind)
    {
        YScalar? name = Scalar("name", required: true);
        string text = name?.Value ?? "";
        if (name != null)
        {
            string? why = Identifiers.Problem(text);
            if (why != null) Report(Language.Diagnostics.InvalidIdentifier(_path, name.Loc, text, why));
        }
        return new Named(text, name?.Loc ?? _map.Loc, String("doc"), String("spec"));
    }

    public YScalar? Scalar(string key, bool required = false)
    {
        YNode? node = Node(key);
        if (node == null)
        {
            if (required) Report(Language.Diagnostics.MissingKey(_path, _map.Loc, key, _where));
            return null;
        }
        if (node is YScalar s) return s;
        Report(Language.Diagnostics.WrongType(_path, node.Loc, $"'{key}'", "a single value", node.KindName));
        return null;
    }

    public string? String(string key, bool required = false) => Scalar(key, required)?.Value;

    public Ref? Reference(string key, bool required = false)
    {
        YScalar? s = Scalar(key, required);
        if (s == null) return null;
        if (Identifiers.Problem(s.Value) != null)
        {
            Report(Language.Diagnostics.InvalidIdentifier(_path, s.Loc, s.Value, Identifiers.Problem(s.Value)!));
            return null;
        }
        return new Ref(s.Value, s.Loc);
    }

    public ulong? Number(string key, out Loc loc, bool required = false)
    {
        YScalar? s = Scalar(key, required);
        loc = s?.Loc ?? _map.Loc;
        if (s == null) return null;
        return ParseNumber(s, $"'{key}'");
    }

    public ulong? ParseNumber(YScalar s, string what)
    {
        switch (Numbers.TryParse(s.Value, out ulong value))
        {
            case Numbers.Result.Ok: return value;
            case Numbers.Result.TooLarge:
                Report(Language.Diagnostics.Limit(_path, s.Loc, $"{what} {s.Value} is larger than 64 bits"));
                return null;
            default:
                Report(Language.Diagnostics.WrongType(_path, s.Loc, what, "a number (decimal, 0x hex or 0b binary)", $"'{s.Value}'"));
                return null;
        }
    }

    /// <summary>A register or member width: 8, 16, 32 or 64.</summary>
    public int? Width(string key, out Loc loc)
    {
        ulong? w = Number(key, out loc);
        if (w == null) return null;
        if (w is 8 or 16 or 32 or 64) return (int)w.Value;
        Report(Language.Diagnostics.InvalidValue(_path, loc, "width", w.Value.ToString(CultureInfo.InvariantCulture), "8, 16, 32 or 64"));
        return null;
    }

    public bool? Bool(string key)
    {
        YScalar? s = Scalar(key);
        if (s == null) return null;
        if (s.Value is "true" or "True" or "yes") return true;
        if (s.Value is "false" or "False" or "no") return false;
        Report(Language.Diagnostics.WrongType(_path, s.Loc, $"'{key}'", "true or false", $"'{s.Value}'"));
        return null;
    }

    public Access? AccessKind(string key, out Loc loc)
    {
        YScalar? s = Scalar(key);
        loc = s?.Loc ?? _map.Loc;
        if (s == null) return null;
        if (AccessFacts.TryParse(s.Value, out Access a)) return a;
        Report(Language.Diagnostics.InvalidValue(_path, s.Loc, "access kind", s.Value, "ro, wo, rw, w1c, w1s, rc or rc/w1c"));
        return null;
    }

    /// <summary>The side-effect keys <c>onread</c>, <c>onwrite</c> and <c>latch</c>; invalid words are reported and left out.</summary>
    public SideEffects Effects()
    {
        OnRead? onRead = null; OnWrite? onWrite = null; Latch? latch = null;
        Loc readLoc = _map.Loc, writeLoc = _map.Loc, latchLoc = _map.Loc;
        if (Scalar("onread") is YScalar r)
        {
            readLoc = r.Loc;
            if (SideEffectFacts.TryParseOnRead(r.Value, out OnRead v)) onRead = v;
            else Report(Language.Diagnostics.InvalidValue(_path, r.Loc, "onread side effect", r.Value, SideEffectFacts.OnReadKeywords));
        }
        if (Scalar("onwrite") is YScalar w)
        {
            writeLoc = w.Loc;
            if (SideEffectFacts.TryParseOnWrite(w.Value, out OnWrite v)) onWrite = v;
            else Report(Language.Diagnostics.InvalidValue(_path, w.Loc, "onwrite side effect", w.Value, SideEffectFacts.OnWriteKeywords));
        }
        if (Scalar("latch") is YScalar l)
        {
            latchLoc = l.Loc;
            if (SideEffectFacts.TryParseLatch(l.Value, out Latch v)) latch = v;
            else Report(Language.Diagnostics.InvalidValue(_path, l.Loc, "latch", l.Value, SideEffectFacts.LatchKeywords));
        }
        return new SideEffects(onRead, readLoc, onWrite, writeLoc, latch, latchLoc);
    }

    public ByteOrder? Order(string key)
    {
        YScalar? s = Scalar(key);
        if (s == null) return null;
        if (s.Value == "little") return ByteOrder.Little;
        if (s.Value == "big") return ByteOrder.Big;
        Report(Language.Diagnostics.InvalidValue(_path, s.Loc, "byte order", s.Value, "little or big"));
        return null;
    }

    /// <summary>A list of mappings, each read by <paramref name="read"/>; wrong items are reported and skipped.</summary>
    public List<T> List<T>(string key, string itemWhere, string[] itemKeys, Func<MapReader, T?> read) where T : class
    {
        var result = new List<T>();
        YNode? node = Node(key);
        if (node == null) return result;
        if (node is not YSequence seq)
        {
            Report(Language.Diagnostics.WrongType(_path, node.Loc, $"'{key}'", "a list", node.KindName));
            return result;
        }
        foreach (YNode item in seq.Items)
        {
            if (item is not YMap m)
            {
                Report(Language.Diagnostics.WrongType(_path, item.Loc, $"each item of '{key}'", "a mapping", item.KindName));
                continue;
            }
            var reader = new MapReader(_path, _diagnostics, m, itemWhere, itemKeys);
            T? value = read(reader);
            reader.Finish();
            if (value != null) result.Add(value);
        }
        return result;
    }

    /// <summary>A nested mapping read by <paramref name="read"/>.</summary>
    public T? Map<T>(string key, string where, string[] keys, Func<MapReader, T?> read) where T : class
    {
        YNode? node = Node(key);
        if (node == null) return null;
        if (node is not YMap m)
        {
            Report(Language.Diagnostics.WrongType(_path, node.Loc, $"'{key}'", "a mapping", node.KindName));
            return null;
        }
        var reader = new MapReader(_path, _diagnostics, m, where, keys);
        T? value = read(reader);
        reader.Finish();
        return value;
    }

    /// <summary>A name or a list of names.</summary>
    public List<Ref> References(string key) => References(key, Identifiers.Problem);

    /// <summary>Like <see cref="References(string)"/>, with <paramref name="problem"/> deciding which names are valid (namespaces may be dotted).</summary>
    public List<Ref> References(string key, System.Func<string, string?> problem)
    {
        var result = new List<Ref>();
        YNode? node = Node(key);
        IEnumerable<YNode> items = node switch
        {
            null => System.Array.Empty<YNode>(),
            YSequence seq => seq.Items,
            _ => new[] { node },
        };
        foreach (YNode item in items)
        {
            if (item is YScalar s && problem(s.Value) == null)
                result.Add(new Ref(s.Value, s.Loc));
            else if (item is YScalar bad)
                Report(Language.Diagnostics.InvalidIdentifier(_path, bad.Loc, bad.Value, problem(bad.Value)!));
            else
                Report(Language.Diagnostics.WrongType(_path, item.Loc, $"'{key}'", "a name or a list of names", item.KindName));
        }
        return result;
    }

    /// <summary>The known key closest to a typo, if it is close enough to be the likely intent.</summary>
    internal static string? Closest(string key, string[] known)
    {
        string? best = null;
        int bestDistance = int.MaxValue;
        foreach (string k in known)
        {
            int d = Distance(key, k);
            if (d < bestDistance) { bestDistance = d; best = k; }
        }
        return bestDistance <= Math.Max(1, key.Length / 3) ? best : null;
    }

    private static int Distance(string a, string b)
    {
        if (Math.Abs(a.Length - b.Length) > 3) return int.MaxValue;
        var prev = new int[b.Length + 1];
        var cur = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++) prev[j] = j;
        for (int i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            for (int j = 1; j <= b.Length; j++)
                cur[j] = Math.Min(Math.Min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (prev, cur) = (cur, prev);
        }
        return prev[b.Length];
    }
}
