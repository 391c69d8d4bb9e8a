using System;
using System.Collections.Generic;
using System.Linq;
using Regs.Language.Reading;

namespace Regs.Generator.Tests.Fuzz;

/// <summary>
/// Mutations of the YAML tree: each keeps the file well-formed YAML (mostly) but breaks or
/// stretches the register language: deleted, duplicated, moved and swapped nodes, boundary
/// scalars, renamed keys, subtrees spliced from other files, access kinds, side effects, bit ranges, offsets,
/// widths and counts.
/// </summary>
internal static class StructureMutator
{
    public delegate void Mutation(Random rng, FNode root, FuzzCorpus corpus);

    public static readonly (string Name, Mutation Apply)[] All =
    {
        ("delete", Delete),
        ("duplicate", Duplicate),
        ("move", Move),
        ("swap-siblings", SwapSiblings),
        ("boundary-scalar", BoundaryScalar),
        ("rename-key", RenameKey),
        ("splice", Splice),
        ("access-kind", AccessKind),
        ("side-effect", SideEffect),
        ("bit-range", BitRange),
        ("offsets", Offsets),
        ("width-count", WidthCount),
        ("node-kind", NodeKind),
    };

    /// <summary>Numbers and names at the edges: sign, 31/32/63/64 bits, floats, huge hex, empty, long, Unicode, keywords.</summary>
    public static readonly string[] Boundary =
    {
        "0", "-1", "1", "7", "8", "63", "64", "255", "256", "65535", "65536", "65537",
        "2147483647", "2147483648", "4294967295", "4294967296", "9223372036854775807", "9223372036854775808",
        "18446744073709551615", "18446744073709551616", "-9223372036854775808", "1e309", "-0", "0.5", ".inf", "NaN",
        "0x" + new string('F', 40), "0xFFFFFFFF", "0xFFFFFFFFFFFFFFFF", "0x1_0000_0000", "0x", "0b", "0b2", "0x_", "_", "1__0", " 7 ",
        "", " ", "~", "null", "true", "no", new string('A', 300), new string('x', 20000), "ünïcödé", "名前", "\U0001D518", "\u202Eevil",
        "with space", "class", "namespace", "int", "Bits", "Reset", "Io", "Value", "__x", "1abc", "a.b", "a-b", "a\nb", "\t", "\0", "\uFFFD",
        "ro", "queue", "high_first", "9:8", "63:0", "64:0",
    };

    private static readonly string[] AllKeys = typeof(LanguageKeys).GetFields()
        .SelectMany(f => (string[])f.GetValue(null)!).Distinct().OrderBy(k => k, StringComparer.Ordinal).ToArray();

    private static T Pick<T>(Random rng, IReadOnlyList<T> list) => list[rng.Next(list.Count)];

    private static List<FNode> Containers(FNode root) => root.All().Where(n => n is FMap { Entries.Count: > 0 } or FSeq { Items.Count: > 0 }).ToList();

    private static List<FEntry> Entries(FNode root, Func<FEntry, bool>? where = null)
        => root.All().OfType<FMap>().SelectMany(m => m.Entries).Where(e => where == null || where(e)).ToList();

    private static void Delete(Random rng, FNode root, FuzzCorpus corpus)
    {
        var c = Containers(root);
        if (c.Count == 0) return;
        switch (Pick(rng, c))
        {
            case FMap m: m.Entries.RemoveAt(rng.Next(m.Entries.Count)); break;
            case FSeq s: s.Items.RemoveAt(rng.Next(s.Items.Count)); break;
        }
    }

    private static void Duplicate(Random rng, FNode root, FuzzCorpus corpus)
    {
        var c = Containers(root);
        if (c.Count == 0) return;
        switch (Pick(rng, c))
        {
            case FMap m: { int i = rng.Next(m.Entries.Count); m.Entries.Insert(i + 1, new FEntry(m.Entries[i].Key, m.Entries[i].Value.Clone())); break; }
            case FSeq s: { int i = rng.Next(s.Items.Count); s.Items.Insert(i + 1, s.Items[i].Clone()); break; }
        }
    }

    private static void Move(Random rng, FNode root, FuzzCorpus corpus)
    {
        var c = Containers(root);
        if (c.Count == 0) return;
        FNode from = Pick(rng, c);
        string key;
        FNode moved;
        if (from is FMap m) { int i = rng.Next(m.Entries.Count); key = m.Entries[i].Key; moved = m.Entries[i].Value; m.Entries.RemoveAt(i); }
        else { var s = (FSeq)from; int i = rng.Next(s.Items.Count); key = Pick(rng, AllKeys); moved = s.Items[i]; s.Items.RemoveAt(i); }
        var targets = root.All().Where(n => n is FMap or FSeq).Where(n => !moved.All().Contains(n)).ToList();
        if (targets.Count == 0) return;
        switch (Pick(rng, targets))
        {
            case FMap tm: tm.Entries.Insert(rng.Next(tm.Entries.Count + 1), new FEntry(key, moved)); break;
            case FSeq ts: ts.Items.Insert(rng.Next(ts.Items.Count + 1), moved); break;
        }
    }

    private static void SwapSiblings(Random rng, FNode root, FuzzCorpus corpus)
    {
        var c = root.All().Where(n => n is FMap { Entries.Count: >= 2 } or FSeq { Items.Count: >= 2 }).ToList();
        if (c.Count == 0) return;
        switch (Pick(rng, c))
        {
            case FMap m:
            {
                int a = rng.Next(m.Entries.Count), b = rng.Next(m.Entries.Count);
                (m.Entries[a].Value, m.Entries[b].Value) = (m.Entries[b].Value, m.Entries[a].Value);
                break;
            }
            case FSeq s:
            {
                int a = rng.Next(s.Items.Count), b = rng.Next(s.Items.Count);
                (s.Items[a], s.Items[b]) = (s.Items[b], s.Items[a]);
                break;
            }
        }
    }

    private static void BoundaryScalar(Random rng, FNode root, FuzzCorpus corpus)
    {
        var scalars = root.All().OfType<FScalar>().ToList();
        if (scalars.Count > 0) Pick(rng, scalars).Value = Pick(rng, Boundary);
    }

    private static void RenameKey(Random rng, FNode root, FuzzCorpus corpus)
    {
        var entries = Entries(root);
        if (entries.Count == 0) return;
        FEntry e = Pick(rng, entries);
        e.Key = rng.Next(4) switch
        {
            0 => e.Key.Length > 1 ? e.Key.Remove(rng.Next(e.Key.Length), 1) : "",
            1 => e.Key.ToUpperInvariant(),
            2 => Pick(rng, Boundary),
            _ => Pick(rng, AllKeys),
        };
    }

    /// <summary>Replaces a value with a subtree of another file, preferring one found under the same key.</summary>
    private static void Splice(Random rng, FNode root, FuzzCorpus corpus)
    {
        var entries = Entries(root);
        if (entries.Count == 0) return;
        FEntry target = Pick(rng, entries);
        FNode donor = Pick(rng, corpus.Seeds).Tree;
        var same = Entries(donor, e => e.Key == target.Key);
        target.Value = same.Count > 0 && rng.Next(4) != 0 ? Pick(rng, same).Value.Clone() : Pick(rng, donor.All().ToList()).Clone();
    }

    private static readonly string[] AccessKinds = { "ro", "wo", "rw", "w1c", "w1s", "rc", "rc/w1c", "RW", "rx", "" };

    private static void AccessKind(Random rng, FNode root, FuzzCorpus corpus)
    {
        var entries = Entries(root, e => e.Key == "access");
        if (entries.Count > 0 && rng.Next(3) != 0) { Pick(rng, entries).Value = new FScalar(Pick(rng, AccessKinds)); return; }
        var named = root.All().OfType<FMap>().Where(m => m.Entries.Any(e => e.Key == "name") && m.Entries.All(e => e.Key != "access")).ToList();
        if (named.Count > 0) Pick(rng, named).Entries.Add(new FEntry("access", new FScalar(Pick(rng, AccessKinds))));
    }

    private static readonly (string Key, string[] Values)[] SideEffects =
    {
        ("onread", new[] { "rclr", "rset", "rc", "" }),
        ("onwrite", new[] { "woclr", "woset", "wot", "wzc", "wzs", "wzt", "wclr", "wset", "w1c", "" }),
        ("latch", new[] { "high", "low", "true", "" }),
    };

    /// <summary>onread/onwrite/latch keys, valid and not, on registers, fields and anything named (layout members too).</summary>
    private static void SideEffect(Random rng, FNode root, FuzzCorpus corpus)
    {
        var (key, values) = Pick(rng, SideEffects);
        var entries = Entries(root, e => e.Key == key);
        if (entries.Count > 0 && rng.Next(3) != 0) { Pick(rng, entries).Value = new FScalar(Pick(rng, values)); return; }
        var named = root.All().OfType<FMap>().Where(m => m.Entries.Any(e => e.Key == "name") && m.Entries.All(e => e.Key != key)).ToList();
        if (named.Count > 0) Pick(rng, named).Entries.Add(new FEntry(key, new FScalar(Pick(rng, values))));
    }

    /// <summary>Overlapping, reversed, out-of-register and malformed bit ranges.</summary>
    private static void BitRange(Random rng, FNode root, FuzzCorpus corpus)
    {
        var entries = Entries(root, e => e.Key is "bit" or "bits");
        if (entries.Count == 0) return;
        FEntry e = Pick(rng, entries);
        int hi = rng.Next(70), lo = rng.Next(70);
        string value = rng.Next(6) switch
        {
            0 => Pick(rng, entries).Value is FScalar s ? s.Value : "0",
            1 => $"{hi}:{lo}",
            2 => $"{Math.Max(hi, lo)}:{Math.Min(hi, lo)}",
            3 => Pick(rng, new[] { "63:0", "31:0", "0:0", "64:63", "3:0:1", " 3 : 0 ", "a:b", ":", "3:", "0x3:0b1", "18446744073709551616:0" }),
            4 => rng.Next(70).ToString(),
            _ => "63",
        };
        e.Key = rng.Next(5) == 0 ? (e.Key == "bit" ? "bits" : "bit") : e.Key;
        e.Value = new FScalar(value);
    }

    /// <summary>Offsets equal to a sibling's, out of order, misaligned or huge.</summary>
    private static void Offsets(Random rng, FNode root, FuzzCorpus corpus)
    {
        var entries = Entries(root, e => e.Key is "offset" or "stride" or "size" or "reset" or "value");
        if (entries.Count == 0) return;
        FEntry e = Pick(rng, entries);
        ulong current = e.Value is FScalar s && Numbers.TryParse(s.Value, out ulong v) == Numbers.Result.Ok ? v : 0;
        e.Value = new FScalar(rng.Next(7) switch
        {
            0 => Pick(rng, entries).Value is FScalar o ? o.Value : "0",
            1 => (current + 1).ToString(),
            2 => current == 0 ? "0" : (current - 1).ToString(),
            3 => "0x" + (current * 2).ToString("X"),
            4 => "0x" + (ulong.MaxValue - (ulong)rng.Next(16)).ToString("X"),
            5 => "0x" + ((ulong)rng.Next() << rng.Next(40)).ToString("X"),
            _ => Pick(rng, Boundary),
        });
        if (rng.Next(3) == 0)
        {
            var lists = root.All().OfType<FSeq>().Where(q => q.Items.Count > 1).ToList();
            if (lists.Count > 0) Pick(rng, lists).Items.Reverse();
        }
    }

    private static void WidthCount(Random rng, FNode root, FuzzCorpus corpus)
    {
        var entries = Entries(root, e => e.Key is "width" or "count" or "stride" or "poll_us" or "timeout_us");
        if (entries.Count == 0) return;
        Pick(rng, entries).Value = new FScalar(Pick(rng, new[]
        {
            "0", "1", "8", "16", "32", "64", "12", "128", "65536", "65537", "1000000000", "4294967296", "queue", "-8", "0x40",
        }));
    }

    private static void NodeKind(Random rng, FNode root, FuzzCorpus corpus)
    {
        var entries = Entries(root);
        if (entries.Count == 0) return;
        FEntry e = Pick(rng, entries);
        e.Value = e.Value switch
        {
            FScalar s => rng.Next(3) switch
            {
                0 => new FSeq(new List<FNode> { s }),
                1 => new FMap(new List<FEntry> { new(Pick(rng, AllKeys), s) }),
                _ => new FMap(new List<FEntry>()),
            },
            FSeq q => q.Items.Count > 0 && rng.Next(2) == 0 ? q.Items[0] : new FScalar(Pick(rng, Boundary)),
            FMap m => rng.Next(2) == 0 ? new FSeq(new List<FNode> { m }) : new FScalar(Pick(rng, Boundary)),
            _ => e.Value,
        };
    }
}
