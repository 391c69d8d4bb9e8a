using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using Regs.Language.Model;

namespace Regs.Language.Diff;

/// <summary>
/// The semantic diff of two register maps (each a set of checked files). Blocks, layouts, enums and
/// flags sets match by name; registers, fields, members, values and bits by name within their
/// parent, and an item that disappeared matches one that appeared at the same place (same offset
/// and width; same bits; same value) as a rename. Locations never matter, only meaning.
/// </summary>
public static class RegsComparer
{
    /// <summary>Every change from <paramref name="oldFiles"/> to <paramref name="newFiles"/>, classified.</summary>
    public static List<RegsChange> Compare(IEnumerable<FileModel> oldFiles, IEnumerable<FileModel> newFiles)
    {
        var run = new Run();
        List<FileModel> olds = oldFiles.ToList(), news = newFiles.ToList();
        run.TopLevel(ContainerKind.Block, ChangeTarget.Block, olds, news, f => f.Blocks, b => b.N, run.Block);
        run.TopLevel(ContainerKind.Layout, ChangeTarget.Layout, olds, news, f => f.Layouts, l => l.N, run.Layout);
        run.TopLevel(ContainerKind.Enum, ChangeTarget.Enum, olds, news, f => f.Enums, e => e.N, run.Enum);
        run.TopLevel(ContainerKind.Flags, ChangeTarget.Flags, olds, news, f => f.Flags, f => f.N, run.Flags);
        return run.Changes;
    }

    /// <summary>A top-level definition with the file it is in.</summary>
    private sealed record Item<T>(FileModel File, T Def, Named N);

    /// <summary>One comparison: collects changes in the context of the current container.</summary>
    private sealed class Run
    {
        public readonly List<RegsChange> Changes = new();
        private ContainerKind _container;
        private string _block = "";
        private string _oldPath = "", _newPath = "";

        private void Add(ChangeKind kind, ChangeTarget target, string? register, string? field, string? old, string? @new,
            string message, bool removed, Loc loc, bool reservedOnly = false)
            => Changes.Add(new RegsChange(kind, target, BreakingRules.IsBreaking(kind, old, @new, reservedOnly), _container, _block,
                register, field, old, @new, message, removed ? _oldPath : _newPath, loc));

        private void Changed(ChangeKind kind, ChangeTarget target, string? register, string? field, string old, string @new,
            string what, Loc loc, bool reservedOnly = false)
        {
            if (old != @new) Add(kind, target, register, field, old, @new, $"{what}: {old} -> {@new}", false, loc, reservedOnly);
        }

        public void TopLevel<T>(ContainerKind kind, ChangeTarget target, List<FileModel> olds, List<FileModel> news,
            Func<FileModel, EquatableArray<T>> select, Func<T, Named> named, Action<T, T> compare) where T : IEquatable<T>
        {
            var o = olds.SelectMany(f => select(f).Select(d => new Item<T>(f, d, named(d)))).ToList();
            var n = news.SelectMany(f => select(f).Select(d => new Item<T>(f, d, named(d)))).ToList();
            // Names are unique per namespace; only when one repeats across namespaces does the namespace join the key.
            bool qualify = o.GroupBy(i => i.N.Name).Any(g => g.Count() > 1) || n.GroupBy(i => i.N.Name).Any(g => g.Count() > 1);
            Func<Item<T>, string> key = qualify ? i => i.File.Namespace + "." + i.N.Name : i => i.N.Name;
            var oldByKey = new Dictionary<string, Item<T>>();
            foreach (Item<T> i in o) if (!oldByKey.ContainsKey(key(i))) oldByKey[key(i)] = i;
            var matched = new HashSet<string>();
            string what = Noun(target);
            foreach (Item<T> ni in n)
            {
                _container = kind; _block = ni.N.Name; _newPath = ni.File.Path;
                if (oldByKey.TryGetValue(key(ni), out Item<T> oi) && matched.Add(key(ni)))
                {
                    _oldPath = oi.File.Path;
                    Changed(ChangeKind.NamespaceChanged, target, null, null, oi.File.Namespace, ni.File.Namespace, "namespace", ni.N.Loc);
                    Doc(target, null, null, oi.N, ni.N);
                    compare(oi.Def, ni.Def);
                }
                else
                    Add(ChangeKind.Added, target, null, null, null, ni.File.Namespace, $"{what} added", false, ni.N.Loc);
            }
            foreach (Item<T> oi in o)
            {
                if (matched.Contains(key(oi))) continue;
                _container = kind; _block = oi.N.Name; _oldPath = oi.File.Path;
                Add(ChangeKind.Removed, target, null, null, oi.File.Namespace, null, $"{what} removed", true, oi.N.Loc);
            }
        }

        // ---- blocks ----

        public void Block(BlockDef o, BlockDef n)
        {
            Changed(ChangeKind.OtherChanged, ChangeTarget.Block, null, null, o.Indirect ? "indirect" : "direct", n.Indirect ? "indirect" : "direct", "register space", n.N.Loc);
            Changed(ChangeKind.OtherChanged, ChangeTarget.Block, null, null, o.Features?.Name ?? "none", n.Features?.Name ?? "none", "features", n.Features?.Loc ?? n.N.Loc);

            Match(o.Constants, n.Constants, c => c.N.Name, null,
                (a, b, _) =>
                {
                    Changed(ChangeKind.ValueChanged, ChangeTarget.Constant, b.N.Name, null, Hex(a.Value), Hex(b.Value), "value", b.N.Loc);
                    Doc(ChangeTarget.Constant, b.N.Name, null, a.N, b.N);
                },
                b => Add(ChangeKind.Added, ChangeTarget.Constant, b.N.Name, null, null, Hex(b.Value), "constant added", false, b.N.Loc),
                a => Add(ChangeKind.Removed, ChangeTarget.Constant, a.N.Name, null, Hex(a.Value), null, "constant removed", true, a.N.Loc));

            Registers(o.Registers, n.Registers, null);

            Match(o.Groups, n.Groups, g => g.N.Name, null,
                (a, b, _) => Group(a, b),
                b => Add(ChangeKind.Added, ChangeTarget.Group, b.N.Name, null, null, GroupText(b), "group added", false, b.N.Loc),
                a => Add(ChangeKind.Removed, ChangeTarget.Group, a.N.Name, null, GroupText(a), null, "group removed", true, a.N.Loc));

            Match(o.Ports, n.Ports, p => p.N.Name, null,
                (a, b, _) =>
                {
                    Changed(ChangeKind.OtherChanged, ChangeTarget.Port, b.N.Name, null, PortText(a), PortText(b), "port", b.N.Loc);
                    Doc(ChangeTarget.Port, b.N.Name, null, a.N, b.N);
                },
                b => Add(ChangeKind.Added, ChangeTarget.Port, b.N.Name, null, null, PortText(b), "port added", false, b.N.Loc),
                a => Add(ChangeKind.Removed, ChangeTarget.Port, a.N.Name, null, PortText(a), null, "port removed", true, a.N.Loc));
        }

        private void Group(GroupDef o, GroupDef n)
        {
            string g = n.N.Name;
            if (o.Select == null && n.Select == null)
            {
                Changed(ChangeKind.Moved, ChangeTarget.Group, g, null, Hex(o.Offset), Hex(n.Offset), "offset", n.N.Loc);
                if (o.Stride != n.Stride || o.Count != n.Count)
                {
                    bool grown = o.Stride == n.Stride && n.Count > o.Count;
                    Add(grown ? ChangeKind.ArrayGrown : ChangeKind.ArrayChanged, ChangeTarget.Group, g, null, GroupText(o), GroupText(n),
                        $"repeated group: {GroupText(o)} -> {GroupText(n)}", false, n.N.Loc);
                }
            }
            else
                Changed(ChangeKind.OtherChanged, ChangeTarget.Group, g, null, GroupText(o), GroupText(n), "group", n.N.Loc);
            Doc(ChangeTarget.Group, g, null, o.N, n.N);
            Registers(o.Registers, n.Registers, g);
        }

        private void Registers(EquatableArray<RegisterDef> olds, EquatableArray<RegisterDef> news, string? group)
        {
            Match(olds, news, r => r.N.Name, (a, b) => a.Offset == b.Offset && a.Width == b.Width,
                (a, b, renamed) =>
                {
                    string name = Qualify(group, b.N.Name);
                    if (renamed)
                        Add(ChangeKind.Renamed, ChangeTarget.Register, name, null, Qualify(group, a.N.Name), name,
                            $"register renamed: {a.N.Name} -> {b.N.Name} (offset {Hex(b.Offset)}, {b.Width} bits)", false, b.N.Loc);
                    Register(a, b, name);
                },
                b => Add(ChangeKind.Added, ChangeTarget.Register, Qualify(group, b.N.Name), null, null, Hex(b.Offset),
                    $"register added at offset {Hex(b.Offset)}", false, b.N.Loc),
                a => Add(ChangeKind.Removed, ChangeTarget.Register, Qualify(group, a.N.Name), null, Hex(a.Offset), null,
                    $"register removed (was at offset {Hex(a.Offset)})", true, a.N.Loc));
        }

        private void Register(RegisterDef o, RegisterDef n, string name)
        {
            const ChangeTarget R = ChangeTarget.Register;
            Changed(ChangeKind.Moved, R, name, null, Hex(o.Offset), Hex(n.Offset), "offset", At(n.OffsetLoc, n.N.Loc));
            Changed(ChangeKind.WidthChanged, R, name, null, o.Width.ToString(), n.Width.ToString(), "width", At(n.WidthLoc, n.N.Loc));
            Changed(ChangeKind.AccessChanged, R, name, null, o.Access.Keyword(), n.Access.Keyword(), AccessWhat(o.Access, n.Access), At(n.AccessLoc, n.N.Loc));
            Changed(ChangeKind.SideEffectChanged, R, name, null, o.Effects.Text(), n.Effects.Text(), "side effect", EffectLoc(n.Effects, n.N.Loc));
            Changed(ChangeKind.ByteOrderChanged, R, name, null, Order(o.Order), Order(n.Order), "byte order", n.N.Loc);
            Changed(ChangeKind.ResetChanged, R, name, null, HexOrNone(o.Reset), HexOrNone(n.Reset), "reset", At(n.ResetLoc, n.N.Loc));
            Changed(ChangeKind.TypeChanged, R, name, null, o.Type?.Name ?? "none", n.Type?.Name ?? "none", "type", n.Type?.Loc ?? n.N.Loc);
            Changed(ChangeKind.OtherChanged, R, name, null, o.AliasOf?.Name ?? "none", n.AliasOf?.Name ?? "none", "alias_of", n.AliasOf?.Loc ?? n.N.Loc);
            Changed(ChangeKind.OtherChanged, R, name, null, Split(o.HighFirst), Split(n.HighFirst), "split", n.N.Loc);
            Changed(ChangeKind.OtherChanged, R, name, null, WindowText(o.Window), WindowText(n.Window), "window", n.Window?.Loc ?? n.N.Loc);
            Changed(ChangeKind.OtherChanged, R, name, null, RefsText(o.Requires), RefsText(n.Requires), "requires", n.N.Loc);
            Array(R, name, o.Array, o.Offset, n.Array, n.Offset, n.Array?.Loc ?? n.N.Loc);
            Doc(R, name, null, o.N, n.N);
            Fields(o.Fields, n.Fields, o.Access, n.Access, name);
        }

        private void Array(ChangeTarget target, string name, ArrayDef? o, ulong oldBase, ArrayDef? n, ulong newBase, Loc loc)
        {
            string os = ArrayText(o, oldBase), ns = ArrayText(n, newBase);
            if (os == ns) return;
            bool grown = o != null && n != null && o.Stride == n.Stride && o.Ranges.Count == n.Ranges.Count && n.Count > o.Count
                && Enumerable.Range(0, o.Ranges.Count).All(i => o.Ranges[i].Offset - oldBase == n.Ranges[i].Offset - newBase && n.Ranges[i].Count >= o.Ranges[i].Count);
            Add(grown ? ChangeKind.ArrayGrown : ChangeKind.ArrayChanged, target, name, null, os, ns, $"array: {os} -> {ns}", false, loc);
        }

        // ---- fields ----

        private void Fields(EquatableArray<FieldDef> olds, EquatableArray<FieldDef> news, Access oldAccess, Access newAccess, string register)
        {
            const ChangeTarget F = ChangeTarget.Field;
            Match(olds, news, f => f.N.Name, (a, b) => a.Lo == b.Lo && a.Hi == b.Hi,
                (a, b, renamed) =>
                {
                    string f = b.N.Name;
                    bool reserved = a.Reserved || b.Reserved;
                    if (renamed)
                        Add(ChangeKind.Renamed, F, register, f, a.N.Name, f, $"field renamed: {a.N.Name} -> {f} (bits {Bits(b)})", false, b.N.Loc, reserved);
                    if (!a.Reserved && b.Reserved)
                        Add(ChangeKind.Removed, F, register, f, Bits(a), null, $"field became reserved (bits {Bits(b)}): it has no accessor any more", false, b.N.Loc);
                    if (a.Reserved && !b.Reserved)
                        Add(ChangeKind.Added, F, register, f, null, Bits(b), $"field no longer reserved (bits {Bits(b)})", false, b.N.Loc);
                    Changed(ChangeKind.BitsChanged, F, register, f, Bits(a), Bits(b), "bits", b.BitsLoc, reserved);
                    // A field that inherits its register's access changes with it; that change is the register's.
                    if (a.Access != null || b.Access != null)
                    {
                        Access oa = a.Access ?? oldAccess, na = b.Access ?? newAccess;
                        Changed(ChangeKind.AccessChanged, F, register, f, oa.Keyword(), na.Keyword(), AccessWhat(oa, na), At(b.AccessLoc, b.N.Loc), reserved);
                    }
                    // Like access: a field's own keys; one that inherits its register's changes with it (reported on the register).
                    Changed(ChangeKind.SideEffectChanged, F, register, f, a.Effects.Text(), b.Effects.Text(), "side effect", EffectLoc(b.Effects, b.N.Loc), reserved);
                    Changed(ChangeKind.TypeChanged, F, register, f, FieldType(a), FieldType(b), "type", (b.Enum ?? b.Flags)?.Loc ?? b.N.Loc, reserved);
                    Changed(ChangeKind.ResetChanged, F, register, f, HexOrNone(a.Reset), HexOrNone(b.Reset), "reset", At(b.ResetLoc, b.N.Loc), reserved);
                    Changed(ChangeKind.OtherChanged, F, register, f, WriteAs(a), WriteAs(b), "write_as", b.N.Loc, reserved);
                    Doc(F, register, f, a.N, b.N);
                },
                b => Add(ChangeKind.Added, F, register, b.N.Name, null, Bits(b), $"field added (bits {Bits(b)})", false, b.N.Loc, b.Reserved),
                a => Add(ChangeKind.Removed, F, register, a.N.Name, Bits(a), null, $"field removed (was bits {Bits(a)})", true, a.N.Loc, a.Reserved));
        }

        // ---- layouts ----

        public void Layout(LayoutDef o, LayoutDef n)
        {
            Changed(ChangeKind.WidthChanged, ChangeTarget.Layout, null, null, Size(o.Size), Size(n.Size), "size", At(n.SizeLoc, n.N.Loc));
            Changed(ChangeKind.ByteOrderChanged, ChangeTarget.Layout, null, null, Order(o.Order), Order(n.Order), "byte order", n.N.Loc);
            Members(o.Members, n.Members, null);
            Match(o.Views, n.Views, v => v.N.Name, null,
                (a, b, _) => { Doc(ChangeTarget.View, b.N.Name, null, a.N, b.N); Members(a.Members, b.Members, b.N.Name); },
                b => Add(ChangeKind.Added, ChangeTarget.View, b.N.Name, null, null, null, "view added", false, b.N.Loc),
                a => Add(ChangeKind.Removed, ChangeTarget.View, a.N.Name, null, null, null, "view removed", true, a.N.Loc));
        }

        private void Members(EquatableArray<MemberDef> olds, EquatableArray<MemberDef> news, string? view)
        {
            const ChangeTarget M = ChangeTarget.Member;
            Match(olds, news, m => m.N.Name, (a, b) => a.Offset != null && a.Offset == b.Offset && a.Width == b.Width,
                (a, b, renamed) =>
                {
                    string name = Qualify(view, b.N.Name);
                    if (renamed)
                        Add(ChangeKind.Renamed, M, name, null, Qualify(view, a.N.Name), name,
                            $"member renamed: {a.N.Name} -> {b.N.Name} ({Placement(b)}, {b.Width} bits)", false, b.N.Loc);
                    Changed(ChangeKind.Moved, M, name, null, Placement(a), Placement(b), "offset", b.N.Loc);
                    Changed(ChangeKind.WidthChanged, M, name, null, a.Width.ToString(), b.Width.ToString(), "width", At(b.WidthLoc, b.N.Loc));
                    Changed(ChangeKind.ByteOrderChanged, M, name, null, Order(a.Order), Order(b.Order), "byte order", b.N.Loc);
                    Changed(ChangeKind.TypeChanged, M, name, null, MemberType(a), MemberType(b), "type", b.N.Loc);
                    string oc = CountText(a), nc = CountText(b);
                    if (oc != nc)
                    {
                        bool grown = a.CountKind == CountKind.Fixed && b.CountKind == CountKind.Fixed && b.Count > a.Count;
                        Add(grown ? ChangeKind.ArrayGrown : ChangeKind.ArrayChanged, M, name, null, oc, nc, $"count: {oc} -> {nc}", false, b.N.Loc);
                    }
                    Doc(M, name, null, a.N, b.N);
                    Fields(a.Fields, b.Fields, Access.RW, Access.RW, name);
                },
                b => Add(ChangeKind.Added, M, Qualify(view, b.N.Name), null, null, Placement(b), $"member added ({Placement(b)})", false, b.N.Loc),
                a => Add(ChangeKind.Removed, M, Qualify(view, a.N.Name), null, Placement(a), null, $"member removed (was {Placement(a)})", true, a.N.Loc));
        }

        // ---- enums and flags ----

        public void Enum(EnumDef o, EnumDef n)
        {
            Changed(ChangeKind.WidthChanged, ChangeTarget.Enum, null, null, o.Width.ToString(), n.Width.ToString(), "width", n.N.Loc);
            const ChangeTarget V = ChangeTarget.EnumValue;
            Match(o.Values, n.Values, v => v.N.Name, (a, b) => a.Value == b.Value,
                (a, b, renamed) =>
                {
                    if (renamed)
                        Add(ChangeKind.Renamed, V, b.N.Name, null, a.N.Name, b.N.Name, $"value renamed: {a.N.Name} -> {b.N.Name} (= {Hex(b.Value)})", false, b.N.Loc);
                    Changed(ChangeKind.ValueChanged, V, b.N.Name, null, Hex(a.Value), Hex(b.Value), "renumbered", At(b.ValueLoc, b.N.Loc));
                    Doc(V, b.N.Name, null, a.N, b.N);
                },
                b => Add(ChangeKind.Added, V, b.N.Name, null, null, Hex(b.Value), $"value added (= {Hex(b.Value)})", false, b.N.Loc),
                a => Add(ChangeKind.Removed, V, a.N.Name, null, Hex(a.Value), null, $"value removed (was {Hex(a.Value)})", true, a.N.Loc));
        }

        public void Flags(FlagsDef o, FlagsDef n)
        {
            Changed(ChangeKind.WidthChanged, ChangeTarget.Flags, null, null, o.Width.ToString(), n.Width.ToString(), "width", n.N.Loc);
            Changed(ChangeKind.OtherChanged, ChangeTarget.Flags, null, null, o.Extends?.Name ?? "none", n.Extends?.Name ?? "none", "extends", n.Extends?.Loc ?? n.N.Loc);
            const ChangeTarget B = ChangeTarget.FlagBit;
            Match(o.Bits, n.Bits, v => v.N.Name, (a, b) => a.Bit == b.Bit,
                (a, b, renamed) =>
                {
                    if (renamed)
                        Add(ChangeKind.Renamed, B, b.N.Name, null, a.N.Name, b.N.Name, $"flag renamed: {a.N.Name} -> {b.N.Name} (bit {b.Bit})", false, b.N.Loc);
                    Changed(ChangeKind.ValueChanged, B, b.N.Name, null, a.Bit.ToString(), b.Bit.ToString(), "bit renumbered", At(b.BitLoc, b.N.Loc));
                    Doc(B, b.N.Name, null, a.N, b.N);
                },
                b => Add(ChangeKind.Added, B, b.N.Name, null, null, b.Bit.ToString(), $"flag added (bit {b.Bit})", false, b.N.Loc),
                a => Add(ChangeKind.Removed, B, a.N.Name, null, a.Bit.ToString(), null, $"flag removed (was bit {a.Bit})", true, a.N.Loc));
        }

        // ---- shared ----

        private void Doc(ChangeTarget target, string? register, string? field, Named o, Named n)
        {
            string od = Text(o.Doc), nd = Text(n.Doc), os = Text(o.Spec), ns = Text(n.Spec);
            if (od != nd) Add(ChangeKind.DocChanged, target, register, field, o.Doc, n.Doc, "doc text changed", false, n.Loc);
            if (os != ns) Add(ChangeKind.DocChanged, target, register, field, o.Spec, n.Spec, $"spec reference: {Quote(o.Spec)} -> {Quote(n.Spec)}", false, n.Loc);
        }

        /// <summary>
        /// Pairs items by name, then pairs the leftovers that <paramref name="samePlace"/> says are the
        /// same item under a new name (in order). <paramref name="both"/> gets (old, new, renamed).
        /// </summary>
        private static void Match<T>(EquatableArray<T> olds, EquatableArray<T> news, Func<T, string> name, Func<T, T, bool>? samePlace,
            Action<T, T, bool> both, Action<T> added, Action<T> removed) where T : class, IEquatable<T>
        {
            var oldByName = new Dictionary<string, T>();
            foreach (T o in olds) if (!oldByName.ContainsKey(name(o))) oldByName[name(o)] = o;
            var newNames = new HashSet<string>(news.Select(name));
            List<T> leftover = olds.Where(o => !newNames.Contains(name(o))).ToList();
            foreach (T n in news)
            {
                if (oldByName.TryGetValue(name(n), out T o)) { both(o, n, false); continue; }
                int i = samePlace == null ? -1 : leftover.FindIndex(x => samePlace(x, n));
                if (i < 0) { added(n); continue; }
                T was = leftover[i];
                leftover.RemoveAt(i);
                both(was, n, true);
            }
            foreach (T o in leftover) removed(o);
        }
    }

    private static string Noun(ChangeTarget t) => t switch
    {
        ChangeTarget.Block => "block", ChangeTarget.Layout => "layout", ChangeTarget.Enum => "enum", _ => "flags set",
    };

    private static Loc At(Loc specific, Loc fallback) => specific == default ? fallback : specific;
    private static string Qualify(string? prefix, string name) => prefix == null ? name : prefix + "." + name;
    private static string Hex(ulong v) => "0x" + v.ToString("X");
    private static string HexOrNone(ulong? v) => v is ulong x ? Hex(x) : "none";
    private static string Bits(FieldDef f) => f.Lo == f.Hi ? f.Lo.ToString() : $"{f.Hi}:{f.Lo}";
    private static string Order(ByteOrder o) => o == ByteOrder.Big ? "big" : "little";
    private static string Split(bool highFirst) => highFirst ? "high_first" : "low_first";
    private static string Size(ulong? s) => s is ulong x ? x + " bytes" : "none";
    private static string WriteAs(FieldDef f) => f.WriteAs < 0 ? "none" : f.WriteAs.ToString();
    private static string FieldType(FieldDef f) => f.Enum is Ref e ? "enum " + e.Name : f.Flags is Ref g ? "flags " + g.Name : "none";
    private static string MemberType(MemberDef m) => m.Element is Ref e ? "element " + e.Name : m.Type is Ref t ? t.Name : "none";
    private static string Placement(MemberDef m) => m.Offset is ulong o ? "offset " + Hex(o) : m.After is Ref a ? "after " + a.Name : "next";
    private static string CountText(MemberDef m) => m.CountKind switch { CountKind.One => "1", CountKind.Fixed => m.Count.ToString(), _ => "queue" };
    private static string GroupText(GroupDef g) => g.Select is Ref s ? "select " + s.Name : $"{g.Count} x stride {Hex(g.Stride)} at {Hex(g.Offset)}";
    private static string WindowText(WindowDef? w) => w == null ? "none" : $"select {w.Select.Name}, {w.Width} bits";
    private static string RefsText(EquatableArray<Ref> refs) => refs.Count == 0 ? "none" : string.Join(", ", refs.Select(r => r.Name).OrderBy(x => x, StringComparer.Ordinal));
    private static string Quote(string? s) => s == null ? "none" : "\"" + s + "\"";
    private static string Text(string? s) => s == null ? "" : Regex.Replace(s, @"\s+", " ").Trim();

    private static Loc EffectLoc(SideEffects e, Loc fallback)
        => e.OnRead != null ? e.OnReadLoc : e.OnWrite != null ? e.OnWriteLoc : e.Latch != null ? e.LatchLoc : fallback;

    private static string AccessWhat(Access o, Access n) => BreakingRules.Widens(o, n) ? "access widened" : "access";

    private static string ArrayText(ArrayDef? a, ulong registerOffset)
    {
        if (a == null) return "none";
        if (a.Ranges.Count == 1 && a.Ranges[0].Offset == registerOffset) return $"{a.Count} x stride {Hex(a.Stride)}";
        return $"stride {Hex(a.Stride)}, ranges " + string.Join(", ", a.Ranges.Select(r => $"{r.Count} at +{Hex(r.Offset - registerOffset)}"));
    }

    private static string PortText(PortDef p)
    {
        string Opt(Ref? r) => r?.Name ?? "-";
        return $"space {p.Space.Name}, register {p.Register.Name}, address {p.Address.Name}, data {p.Data.Name}, opcode {Opt(p.Opcode)}"
            + $" ({Opt(p.ReadOp)}/{Opt(p.WriteOp)}), start {Opt(p.Start)}, done {p.Done.Name}, error {Opt(p.Error)}, set {{"
            + string.Join(", ", p.Set.Select(s => $"{s.Field.Name}: {s.Value}")) + $"}}, poll {p.PollUs} us, timeout {p.TimeoutUs} us";
    }
}
