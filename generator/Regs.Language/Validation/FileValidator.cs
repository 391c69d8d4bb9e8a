using System.Collections.Generic;
using Regs.Language.Model;

namespace Regs.Language.Validation;

/// <summary>
/// Rules that one file can be checked against on its own: names, widths, fits, overlaps,
/// access kinds, arrays, windows, groups and ports. Every diagnostic points at the exact key.
/// </summary>
internal sealed class FileValidator
{
    /// <summary>Array and group counts above this are rejected: no device has that many registers.</summary>
    public const ulong MaxCount = 65536;
    /// <summary>Register instances checked for overlap per block, bounding time and memory.</summary>
    public const int MaxInstances = 1 << 20;
    /// <summary>Register addresses (byte offsets, or register numbers of an indirect space) are 32-bit: the generated handles take uint/nuint.</summary>
    public const ulong MaxAddress = 1UL << 32;
    /// <summary>Largest fixed part of a layout, in bytes: descriptors are tens of bytes; run-time arrays ('count: queue') do not count.</summary>
    public const ulong MaxLayoutBytes = 1 << 20;

    /// <summary>Members every generated value struct has; fields may not take these names.</summary>
    internal static readonly string[] ValueMembers = { "Bits", "Reset", "Value", "Equals", "GetHashCode", "ToString", "GetType" };
    /// <summary>Members every generated block struct has.</summary>
    internal static readonly string[] BlockMembers = { "Io", "Equals", "GetHashCode", "ToString", "GetType" };

    private readonly string _path;
    private readonly List<RegsDiagnostic> _d;

    private FileValidator(string path, List<RegsDiagnostic> diagnostics) { _path = path; _d = diagnostics; }

    public static void Validate(FileModel file, List<RegsDiagnostic> diagnostics)
    {
        var v = new FileValidator(file.Path, diagnostics);
        v.CheckTypeNames(file);
        foreach (EnumDef e in file.Enums) v.CheckEnum(e);
        foreach (FlagsDef f in file.Flags) v.CheckFlags(f);
        foreach (BlockDef b in file.Blocks) v.CheckBlock(b);
        foreach (LayoutDef l in file.Layouts) v.CheckLayout(l);
    }

    private void Report(RegsDiagnostic d) => _d.Add(d);

    private void CheckTypeNames(FileModel file)
    {
        var seen = new Dictionary<string, string>();
        void Add(Named n, string kind)
        {
            if (seen.TryGetValue(n.Name, out string? other))
                Report(Diagnostics.DuplicateName(_path, n.Loc, kind, n.Name, $"namespace {file.Namespace} (it is also a {other})"));
            else seen[n.Name] = kind;
        }
        foreach (EnumDef e in file.Enums) Add(e.N, "enum");
        foreach (FlagsDef f in file.Flags) Add(f.N, "flags set");
        foreach (BlockDef b in file.Blocks) Add(b.N, "block");
        foreach (LayoutDef l in file.Layouts) Add(l.N, "layout");
    }

    private void CheckEnum(EnumDef e)
    {
        var names = new HashSet<string>();
        foreach (EnumValueDef v in e.Values)
        {
            if (!names.Add(v.N.Name)) Report(Diagnostics.DuplicateName(_path, v.N.Loc, "enum value", v.N.Name, $"enum '{e.N.Name}'"));
            if (!Fits(v.Value, e.Width)) Report(Diagnostics.ValueTooLarge(_path, v.ValueLoc, $"value of '{v.N.Name}'", v.Value, e.Width));
        }
    }

    private void CheckFlags(FlagsDef f)
    {
        var names = new HashSet<string>();
        var bits = new Dictionary<int, string>();
        foreach (FlagBitDef b in f.Bits)
        {
            if (!names.Add(b.N.Name)) Report(Diagnostics.DuplicateName(_path, b.N.Loc, "flag", b.N.Name, $"flags set '{f.N.Name}'"));
            if (b.Bit >= f.Width) Report(Diagnostics.FieldOutside(_path, b.BitLoc, b.N.Name, b.Bit, f.Width, f.N.Name));
            else if (bits.TryGetValue(b.Bit, out string? other)) Report(Diagnostics.FieldOverlap(_path, b.BitLoc, b.N.Name, other, f.N.Name));
            else bits[b.Bit] = b.N.Name;
        }
    }

    private void CheckBlock(BlockDef b)
    {
        _indirect = b.Indirect;
        var members = new Dictionary<string, Loc>();
        void Member(Named n, string kind)
        {
            if (members.ContainsKey(n.Name)) Report(Diagnostics.DuplicateName(_path, n.Loc, kind, n.Name, $"block '{b.N.Name}'"));
            else if (System.Array.IndexOf(BlockMembers, n.Name) >= 0) Report(Diagnostics.NameClash(_path, n.Loc, n.Name, $"a member every generated block has ({string.Join(", ", BlockMembers)})"));
            else if (n.Name == b.N.Name) Report(Diagnostics.NameClash(_path, n.Loc, n.Name, "the block's own name"));
            else members[n.Name] = n.Loc;
        }
        var registers = new Dictionary<string, RegisterDef>();
        foreach (RegisterDef r in b.Registers) { Member(r.N, "register"); registers[r.N.Name] = r; }
        foreach (GroupDef g in b.Groups)
        {
            Member(g.N, "group");
            foreach (RegisterDef r in g.Registers) { Member(r.N, "register"); if (!registers.ContainsKey(r.N.Name)) registers[r.N.Name] = r; }
        }
        foreach (PortDef p in b.Ports) Member(p.N, "port");
        foreach (ConstantDef c in b.Constants) Member(c.N, "constant");
        // Generated names in the block's static class: value structs, constants, array counts.
        foreach (RegisterDef r in registers.Values)
            if (r.Array != null && members.ContainsKey(r.N.Name + "Count"))
                Report(Diagnostics.NameClash(_path, r.N.Loc, r.N.Name, $"'{r.N.Name}Count', generated for its element count"));
        // Generated handle types nested in the block's struct: {register}Handle.
        foreach (RegisterDef r in registers.Values)
            if (HandleFacts.NeedsOwnHandle(b, r) && members.TryGetValue(HandleFacts.HandleTypeName(r), out Loc clash))
                Report(Diagnostics.NameClash(_path, clash, HandleFacts.HandleTypeName(r), $"the handle type generated for register '{r.N.Name}' (its side effects)"));
        if (HasRequires(b) && members.ContainsKey("Snapshot"))
            Report(Diagnostics.NameClash(_path, members["Snapshot"], "Snapshot", "the generated configuration snapshot type"));

        if (b.Indirect && b.Groups.Count > 0)
            Report(Diagnostics.InvalidStructure(_path, b.Groups[0].N.Loc, $"indirect block '{b.N.Name}' cannot have groups; list its registers by number"));
        if (b.Indirect && b.Ports.Count > 0)
            Report(Diagnostics.InvalidStructure(_path, b.Ports[0].N.Loc, $"indirect block '{b.N.Name}' cannot itself have ports"));

        foreach (RegisterDef r in b.Registers) CheckRegister(b, r, registers);
        foreach (GroupDef g in b.Groups) CheckGroup(b, g, registers);
        foreach (PortDef p in b.Ports) CheckPort(p, registers);
        if (CheckAddresses(b)) CheckOverlaps(b);
    }

    private static bool HasRequires(BlockDef b)
    {
        foreach (RegisterDef r in b.Registers) if (r.Requires.Count > 0) return true;
        return false;
    }

    private void CheckRegister(BlockDef b, RegisterDef r, Dictionary<string, RegisterDef> registers)
    {
        int width = r.ValueWidth;
        if (r.Reset is ulong reset && !Fits(reset, width))
            Report(Diagnostics.ValueTooLarge(_path, r.ResetLoc, $"reset value of '{r.N.Name}'", reset, width));
        if (r.Type != null && r.Fields.Count > 0)
            Report(Diagnostics.InvalidStructure(_path, r.Type.Value.Loc, $"register '{r.N.Name}' has both 'type' and 'fields'; a typed register is one value, so keep one"));
        if (r.HighFirst && r.Width != 64)
            Report(Diagnostics.InvalidStructure(_path, r.N.Loc, $"'split' applies to 64-bit registers; '{r.N.Name}' is {r.Width} bits"));
        if (r.Requires.Count > 0 && b.Features == null)
            Report(Diagnostics.InvalidStructure(_path, r.Requires[0].Loc, $"'requires' names features, but block '{b.N.Name}' declares no 'features:' flags set"));
        if (b.Indirect && r.Window != null)
            Report(Diagnostics.InvalidStructure(_path, r.Window.Loc, "registers of an indirect block cannot have windows"));
        CheckFields(r.N.Name, r.Fields, width, r.Access);
        CheckEffects(b, r);

        if (r.Window is WindowDef w)
        {
            if (r.Array != null)
                Report(Diagnostics.InvalidStructure(_path, w.Loc, $"register '{r.N.Name}' cannot be both an array and a window"));
            if (r.Width != 32 || w.Width <= 32)
                Report(Diagnostics.InvalidStructure(_path, w.Loc, $"a window shows a 64-bit value through a 32-bit register; '{r.N.Name}' is {r.Width} bits with a {w.Width}-bit window"));
            if (r.Access is not (Access.RO or Access.WO or Access.RW))
                Report(Diagnostics.AccessConflict(_path, r.AccessLoc, $"a window is read (ro), written (wo) or both (rw); '{r.N.Name}' is {r.Access.Keyword()}"));
            CheckSelector(w.Select, "window", registers);
        }
        if (r.Array is ArrayDef a)
        {
            ulong count = a.Count;
            if (count == 0 || count > MaxCount)
                Report(Diagnostics.Limit(_path, a.Loc, $"array '{r.N.Name}' has {count} elements; an array has 1 to {MaxCount}"));
            if (a.Stride < Extent(r))
                Report(Diagnostics.StrideTooSmall(_path, a.Loc, r.N.Name, a.Stride, (int)Extent(r)));
            if (a.Ranges.Count > 1 && a.Ranges[0].Offset != r.Offset)
                Report(Diagnostics.InvalidStructure(_path, r.OffsetLoc, $"the first range of irregular array '{r.N.Name}' must start at its offset 0x{r.Offset:X}"));
        }
        if (r.AliasOf is Ref alias && !registers.ContainsKey(alias.Name))
            Report(Diagnostics.UnknownReference(_path, alias.Loc, "register", alias.Name, $"in block '{b.N.Name}'"));
    }

    /// <summary>
    /// Side effects (onread, onwrite, latch) against the access kinds they sit on: each
    /// impossible combination is REGS021 at the key that makes it impossible.
    /// </summary>
    private void CheckEffects(BlockDef b, RegisterDef r)
    {
        if (r.Window != null && r.Effects.Any)
            Report(Diagnostics.SideEffectConflict(_path, FirstEffectLoc(r.Effects), $"window '{r.N.Name}' is accessed part by part through its selector; a side effect would happen once per part; declare it without onread/onwrite/latch"));
        bool anyField = false;
        foreach (FieldDef f in r.Fields) anyField |= !f.Reserved;
        // Register-level keys: checked against the register's access when they describe the whole register.
        if (!anyField) CheckEffect($"register '{r.N.Name}'", r.Access, r.Effects, null, r.ValueWidth);
        else if (r.Effects.Any)
        {
            // They are defaults of the fields that declare nothing themselves; each such field must allow them.
            foreach (FieldDef f in r.Fields)
                if (!f.Reserved && !f.Effects.Any && f.Access == null)
                    CheckEffect($"register '{r.N.Name}' (a default of its field '{f.N.Name}')", r.Access, r.Effects, f.Enum != null ? f : null, f.Width);
        }
        bool wclr = false, wset = false;
        foreach (FieldDef f in r.Fields)
        {
            if (f.Reserved)
            {
                if (f.Effects.Any)
                    Report(Diagnostics.SideEffectConflict(_path, FirstEffectLoc(f.Effects), $"reserved field '{f.N.Name}' gets no accessor, so its side effect could never be used on purpose; name the field instead of reserving it"));
                continue;
            }
            if (f.Effects.Any) CheckEffect($"field '{f.N.Name}'", f.Access ?? r.Access, f.Effects, f.Enum != null ? f : null, f.Width);
            BitBehaviour fb = RegisterBehaviour.Of(f, r);
            if (fb.Writable && fb.OnWrite == OnWrite.Clear) wclr = true;
            if (fb.Writable && fb.OnWrite == OnWrite.Set) wset = true;
            if (wclr && wset)
            {
                Report(Diagnostics.SideEffectConflict(_path, f.Effects.OnWrite != null ? f.Effects.OnWriteLoc : f.N.Loc,
                    $"register '{r.N.Name}' has fields that any write clears (wclr) and fields that any write sets (wset), so no write can leave both; describe the two halves as registers with 'alias_of'"));
                wclr = wset = false;
            }
        }
    }

    /// <summary>One set of side-effect keys on bits of access <paramref name="access"/>; <paramref name="typed"/> is the field when it has an enum.</summary>
    private void CheckEffect(string what, Access access, SideEffects e, FieldDef? typed, int width)
    {
        if (e.OnWrite is OnWrite w)
        {
            if (access == Access.RO || access == Access.RC)
                Report(Diagnostics.SideEffectConflict(_path, e.OnWriteLoc, $"{what} is read-only ({access.Keyword()}), so a write cannot {w.Keyword()} it; make it rw (or wo) if the device accepts writes"));
            else if (access is not (Access.RW or Access.WO))
                Report(Diagnostics.SideEffectConflict(_path, e.OnWriteLoc, $"{what} is {access.Keyword()}, which already says what a write does; write 'access: rw' with 'onwrite: {w.Keyword()}' instead"));
            else if (w.Bitwise() && typed != null && width > 1)
                Report(Diagnostics.SideEffectConflict(_path, e.OnWriteLoc, $"{what} is a {width}-bit enum, but '{w.Keyword()}' acts bit by bit; an enum names whole values: drop the enum (or use flags)"));
        }
        if (e.OnRead is OnRead rd)
        {
            if (!access.Readable())
                Report(Diagnostics.SideEffectConflict(_path, e.OnReadLoc, $"{what} is write-only (wo), so no read can {rd.Keyword()} it; make it rw if the device can be read"));
            else if (access is not (Access.RO or Access.RW))
                Report(Diagnostics.SideEffectConflict(_path, e.OnReadLoc, $"{what} is {access.Keyword()}, which already says what a read does; write 'access: ro' or 'rw' with 'onread: {rd.Keyword()}' instead"));
            else if (e.Latch != null)
                Report(Diagnostics.SideEffectConflict(_path, e.OnReadLoc, $"{what} latches until read, which already says what a read does; keep 'latch' or 'onread', not both"));
        }
        if (e.Latch is Latch l)
        {
            if (access != Access.RO)
                Report(Diagnostics.SideEffectConflict(_path, e.LatchLoc, $"{what} is {access.Keyword()}, but a latched status bit (latch: {l.Keyword()}) is set by the device and released by a read only; make it ro"));
            else if (typed != null && width > 1)
                Report(Diagnostics.SideEffectConflict(_path, e.LatchLoc, $"{what} is a {width}-bit enum, but each bit latches on its own; an enum names whole values: drop the enum (or use flags)"));
        }
    }

    private static Loc FirstEffectLoc(SideEffects e) => e.OnRead != null ? e.OnReadLoc : e.OnWrite != null ? e.OnWriteLoc : e.LatchLoc;

    private void CheckSelector(Ref select, string what, Dictionary<string, RegisterDef> registers)
    {
        if (!registers.TryGetValue(select.Name, out RegisterDef? sel))
        {
            Report(Diagnostics.UnknownReference(_path, select.Loc, "register", select.Name, $"to select this {what}"));
            return;
        }
        if (!sel.Access.Writable() || sel.Window != null || sel.Array != null || sel.Width == 64)
            Report(Diagnostics.AccessConflict(_path, select.Loc, $"the selector '{select.Name}' of a {what} must be a plain writable 8-, 16- or 32-bit register"));
    }

    private void CheckFields(string owner, EquatableArray<FieldDef> fields, int width, Access access)
    {
        var names = new HashSet<string>();
        var taken = new List<FieldDef>();
        foreach (FieldDef f in fields)
        {
            if (!names.Add(f.N.Name)) Report(Diagnostics.DuplicateName(_path, f.N.Loc, "field", f.N.Name, $"'{owner}'"));
            else if (f.N.Name == owner) Report(Diagnostics.NameClash(_path, f.N.Loc, f.N.Name, "its register (C# forbids a member named like its type)"));
            else if (System.Array.IndexOf(ValueMembers, f.N.Name) >= 0) Report(Diagnostics.NameClash(_path, f.N.Loc, f.N.Name, $"a member every generated value has ({string.Join(", ", ValueMembers)})"));
            if (f.Hi >= width) { Report(Diagnostics.FieldOutside(_path, f.BitsLoc, f.N.Name, f.Hi, width, owner)); continue; }
            foreach (FieldDef other in taken)
                if (f.Lo <= other.Hi && other.Lo <= f.Hi) { Report(Diagnostics.FieldOverlap(_path, f.BitsLoc, f.N.Name, other.N.Name, owner)); break; }
            taken.Add(f);
            if (f.Access is Access fa && !AccessFacts.FieldAllowed(access, fa))
                Report(Diagnostics.AccessConflict(_path, f.AccessLoc, $"field '{f.N.Name}' is {fa.Keyword()} but its register '{owner}' is {access.Keyword()}; a field cannot allow what its register does not"));
            if (f.Reset is ulong reset && !Fits(reset, f.Width))
                Report(Diagnostics.ValueTooLarge(_path, f.ResetLoc, $"reset value of field '{f.N.Name}'", reset, f.Width));
            if (f.Reserved && (f.Enum != null || f.Flags != null))
                Report(Diagnostics.InvalidStructure(_path, f.N.Loc, $"reserved field '{f.N.Name}' gets no accessor, so it cannot have a type"));
        }
    }

    private void CheckGroup(BlockDef b, GroupDef g, Dictionary<string, RegisterDef> registers)
    {
        if (g.Select is Ref select)
            CheckSelector(select, "group", registers);
        else
        {
            if (g.Count == 0 || g.Count > MaxCount)
                Report(Diagnostics.Limit(_path, g.N.Loc, $"group '{g.N.Name}' has {g.Count} instances; a group has 1 to {MaxCount}"));
            foreach (RegisterDef r in g.Registers)
                if (Saturating.Add(r.Offset, Extent(r)) > g.Stride)
                    Report(Diagnostics.StrideTooSmall(_path, r.OffsetLoc, $"{g.N.Name}.{r.N.Name}", g.Stride, (int)(r.Offset + Extent(r))));
        }
        foreach (RegisterDef r in g.Registers)
        {
            if (r.Requires.Count > 0)
                Report(Diagnostics.InvalidStructure(_path, r.Requires[0].Loc, "'requires' applies to a block's own registers, not to a group's"));
            CheckRegister(b, r, registers);
        }
    }

    private void CheckPort(PortDef p, Dictionary<string, RegisterDef> registers)
    {
        if (!registers.TryGetValue(p.Register.Name, out RegisterDef? cmd))
        {
            Report(Diagnostics.UnknownReference(_path, p.Register.Loc, "register", p.Register.Name, "for this port's commands"));
            return;
        }
        if (cmd.Access != Access.RW)
            Report(Diagnostics.AccessConflict(_path, p.Register.Loc, $"a port writes commands to '{cmd.N.Name}' and reads its status back, so it must be rw, not {cmd.Access.Keyword()}"));
        else if (RegisterBehaviour.Of(cmd).UsesSideEffectKeys)
            Report(Diagnostics.SideEffectConflict(_path, p.Register.Loc, $"a port polls '{cmd.N.Name}' with plain reads and sends commands with plain writes; a command register cannot have onread, onwrite or latch"));
        FieldDef? Field(Ref? r, bool single)
        {
            if (r == null) return null;
            foreach (FieldDef f in cmd.Fields)
                if (f.N.Name == r.Value.Name)
                {
                    if (single && f.Width != 1)
                        Report(Diagnostics.InvalidStructure(_path, r.Value.Loc, $"'{f.N.Name}' is polled or set as one bit, but it is {f.Width} bits wide"));
                    if (f.Reserved)
                        Report(Diagnostics.InvalidStructure(_path, r.Value.Loc, $"'{f.N.Name}' is reserved"));
                    return f;
                }
            Report(Diagnostics.UnknownReference(_path, r.Value.Loc, "field", r.Value.Name, $"in register '{cmd.N.Name}'"));
            return null;
        }
        Field(p.Address, false);
        Field(p.Data, false);
        Field(p.Done, true);
        Field(p.Error, true);
        Field(p.Start, true);
        FieldDef? op = Field(p.Opcode, false);
        if (op != null && op.Enum == null)
            foreach (Ref? v in new[] { p.ReadOp, p.WriteOp })
                if (v is Ref value)
                {
                    if (Reading.Numbers.TryParse(value.Name, out ulong n) != Reading.Numbers.Result.Ok)
                        Report(Diagnostics.WrongType(_path, value.Loc, "an opcode of an untyped field", "a number", $"'{value.Name}'"));
                    else if (!Fits(n, op.Width))
                        Report(Diagnostics.ValueTooLarge(_path, value.Loc, "opcode", n, op.Width));
                }
        foreach (PortSetting s in p.Set)
            if (Field(s.Field, false) is FieldDef f && !Fits(s.Value, f.Width))
                Report(Diagnostics.ValueTooLarge(_path, s.Field.Loc, $"value for '{f.N.Name}'", s.Value, f.Width));
    }

    /// <summary>Addresses one register instance spans: bytes, or one register number in an indirect space.</summary>
    private ulong Extent(RegisterDef r) => _indirect ? 1 : (ulong)r.Width / 8;

    private bool _indirect;

    private readonly record struct Span(ulong Start, ulong End, RegisterDef Owner);

    /// <summary>Every instance of every register ends within <see cref="MaxAddress"/>; false if one does not.</summary>
    private bool CheckAddresses(BlockDef b)
    {
        bool ok = true;
        void Check(RegisterDef r, ulong baseOffset, ulong instances, ulong stride)
        {
            ulong last = 0;
            if (r.Array is ArrayDef a)
            {
                foreach (ArrayRange range in a.Ranges)
                    last = System.Math.Max(last, Saturating.Add(range.Offset, Saturating.Mul(range.Count == 0 ? 0 : range.Count - 1, a.Stride)));
                if (a.Stride >= MaxAddress) last = ulong.MaxValue;
            }
            else last = r.Offset;
            if (instances > 0) last = Saturating.Add(last, Saturating.Mul(instances - 1, stride));
            if (stride >= MaxAddress) last = ulong.MaxValue;
            ulong end = Saturating.Add(Saturating.Add(baseOffset, last), Extent(r));
            if (end <= MaxAddress) return;
            ok = false;
            Report(Diagnostics.Limit(_path, r.OffsetLoc, $"register '{r.N.Name}' reaches {(end == ulong.MaxValue ? "beyond 2^64" : "0x" + end.ToString("X"))}; register addresses are 32-bit (0 to 0xFFFFFFFF), strides included"));
        }
        foreach (RegisterDef r in b.Registers) Check(r, 0, 1, 0);
        foreach (GroupDef g in b.Groups)
            foreach (RegisterDef r in g.Registers)
                if (g.Select != null) Check(r, 0, 1, 0);
                else Check(r, g.Offset, System.Math.Min(g.Count, MaxCount), g.Stride);
        return ok;
    }

    private void CheckOverlaps(BlockDef b)
    {
        var spans = new List<Span>();
        bool tooMany = false;
        void Add(RegisterDef r, ulong baseOffset)
        {
            if (tooMany) return;
            if (r.Array is ArrayDef a)
            {
                if (a.Count > MaxCount) return;
                foreach (ArrayRange range in a.Ranges)
                    for (ulong i = 0; i < range.Count; i++)
                        spans.Add(new Span(baseOffset + range.Offset + i * a.Stride, baseOffset + range.Offset + i * a.Stride + Extent(r), r));
            }
            else spans.Add(new Span(baseOffset + r.Offset, baseOffset + r.Offset + Extent(r), r));
            if (spans.Count > MaxInstances)
            {
                tooMany = true;
                Report(Diagnostics.Limit(_path, r.N.Loc, $"block '{b.N.Name}' has more than {MaxInstances} register instances"));
            }
        }
        foreach (RegisterDef r in b.Registers) Add(r, 0);
        foreach (GroupDef g in b.Groups)
        {
            if (g.Select != null)
            {
                foreach (RegisterDef r in g.Registers) Add(r, 0);
                continue;
            }
            if (g.Count > MaxCount) continue;
            // Registers inside one instance are checked against each other; instances cannot
            // overlap each other (each fits its stride), so the group as a whole is one span.
            var inner = new List<Span>();
            foreach (RegisterDef r in g.Registers) inner.Add(new Span(r.Offset, r.Offset + Extent(r), r));
            CheckSorted(inner);
            if (g.Registers.Count > 0)
                spans.Add(new Span(g.Offset, g.Offset + g.Count * g.Stride, g.Registers[0] with { N = g.N }));
        }
        if (!tooMany) CheckSorted(spans);
    }

    private void CheckSorted(List<Span> spans)
    {
        spans.Sort((x, y) => x.Start != y.Start ? x.Start.CompareTo(y.Start) : x.End.CompareTo(y.End));
        var reported = new HashSet<(string, string)>();
        Span? open = null;
        foreach (Span s in spans)
        {
            if (open is Span o && s.Start < o.End && !ReferenceEquals(o.Owner, s.Owner) && !Aliased(o.Owner, s.Owner))
            {
                if (reported.Add((s.Owner.N.Name, o.Owner.N.Name)))
                    Report(Diagnostics.RegisterOverlap(_path, s.Owner.N.Loc, s.Owner.N.Name, s.Start, o.Owner.N.Name));
            }
            if (open is not Span cur || s.End > cur.End) open = s;
        }
    }

    private static bool Aliased(RegisterDef a, RegisterDef b)
        => a.AliasOf?.Name == b.N.Name || b.AliasOf?.Name == a.N.Name
           || (a.AliasOf != null && a.AliasOf?.Name == b.AliasOf?.Name);

    private void CheckLayout(LayoutDef l)
    {
        if (l.Size > MaxLayoutBytes)
            Report(Diagnostics.Limit(_path, l.SizeLoc, $"layout '{l.N.Name}' has size {l.Size}; a layout's fixed part is at most {MaxLayoutBytes} bytes"));
        if (l.Views.Count > 0)
        {
            var viewNames = new HashSet<string>();
            foreach (ViewDef v in l.Views)
            {
                if (!viewNames.Add(v.N.Name)) Report(Diagnostics.DuplicateName(_path, v.N.Loc, "view", v.N.Name, $"layout '{l.N.Name}'"));
                if (v.N.Name == l.N.Name) Report(Diagnostics.NameClash(_path, v.N.Loc, v.N.Name, "its layout (C# forbids a member named like its type)"));
                CheckMembers(l, v.N.Name, v.Members);
            }
            if (l.Size == null) Report(Diagnostics.MissingKey(_path, l.N.Loc, "size", $"layout '{l.N.Name}' with views"));
        }
        else CheckMembers(l, l.N.Name, l.Members);
    }

    private void CheckMembers(LayoutDef l, string owner, EquatableArray<MemberDef> members)
    {
        var names = new HashSet<string>();
        var spans = new List<(ulong Start, ulong End, MemberDef M)>();
        bool queueSeen = false;
        foreach (MemberDef m in members)
        {
            if (!names.Add(m.N.Name)) Report(Diagnostics.DuplicateName(_path, m.N.Loc, "member", m.N.Name, $"'{owner}'"));
            else if (m.N.Name == owner || m.N.Name == l.N.Name) Report(Diagnostics.NameClash(_path, m.N.Loc, m.N.Name, "its layout (C# forbids a member named like its type)"));
            else if (m.N.Name is "SizeOf" or "Equals" or "GetHashCode" or "ToString" or "GetType")
                Report(Diagnostics.NameClash(_path, m.N.Loc, m.N.Name, "a generated layout member"));
            if (m.Type != null && m.Fields.Count > 0)
                Report(Diagnostics.InvalidStructure(_path, m.N.Loc, $"member '{m.N.Name}' has both 'type' and 'fields'; keep one"));
            if (m.Element != null && (m.Fields.Count > 0 || m.Type != null))
                Report(Diagnostics.InvalidStructure(_path, m.N.Loc, $"member '{m.N.Name}' is an array of '{m.Element.Value.Name}'; fields and type belong to that layout"));
            if (m.CountKind != CountKind.One && (m.Fields.Count > 0 || m.Type != null))
                Report(Diagnostics.InvalidStructure(_path, m.N.Loc, $"array member '{m.N.Name}' cannot have fields or a type; make its element a layout"));
            if (m.CountKind == CountKind.Fixed && (m.Count == 0 || m.Count > MaxCount))
                Report(Diagnostics.Limit(_path, m.N.Loc, $"member '{m.N.Name}' has {m.Count} elements; an array has 1 to {MaxCount}"));
            if (m.Element != null && m.CountKind == CountKind.One)
                Report(Diagnostics.InvalidStructure(_path, m.N.Loc, $"member '{m.N.Name}' has an 'element' but no 'count'; embedding one layout in another needs 'count: 1' at least"));
            CheckFields(m.N.Name, m.Fields, m.Width == 0 ? 64 : m.Width, Access.RW);
            foreach (FieldDef f in m.Fields)
                if (f.Effects.Any)
                    Report(Diagnostics.SideEffectConflict(_path, FirstEffectLoc(f.Effects), $"field '{f.N.Name}' is memory shared by DMA, not a register: reading or writing it has no side effect; remove onread/onwrite/latch"));
            if (m.After is Ref after)
            {
                MemberDef? target = null;
                foreach (MemberDef x in members) if (x.N.Name == after.Name) target = x;
                if (target == null) Report(Diagnostics.UnknownReference(_path, after.Loc, "member", after.Name, $"in '{owner}'"));
                else if (target.CountKind != CountKind.Queue) Report(Diagnostics.InvalidStructure(_path, after.Loc, $"'after' places a member behind an array whose length is known only at run time ('count: queue'); '{after.Name}' is not one"));
            }
            else if (m.Offset is ulong off)
            {
                if (queueSeen && m.CountKind == CountKind.Queue)
                    Report(Diagnostics.InvalidStructure(_path, m.N.Loc, "a layout has at most one run-time array"));
                if (m.CountKind == CountKind.Queue) { queueSeen = true; continue; }
                if (m.Element != null) continue; // size known only with the symbol table
                ulong end = Saturating.Add(off, Saturating.Mul((ulong)m.Width / 8, m.CountKind == CountKind.Fixed ? m.Count : 1));
                if (end > MaxLayoutBytes)
                {
                    Report(Diagnostics.Limit(_path, m.N.Loc, $"member '{m.N.Name}' ends beyond byte {MaxLayoutBytes}; a layout's fixed part is at most {MaxLayoutBytes} bytes"));
                    continue;
                }
                if (l.Size is ulong size && end > size)
                    Report(Diagnostics.MemberBeyondSize(_path, m.N.Loc, m.N.Name, end, size));
                if (off % (ulong)(m.Width / 8) != 0)
                    Report(Diagnostics.InvalidStructure(_path, m.N.Loc, $"member '{m.N.Name}' at offset {off} is not aligned to its {m.Width / 8}-byte width"));
                spans.Add((off, end, m));
            }
        }
        spans.Sort((a, b) => a.Start.CompareTo(b.Start));
        for (int i = 1; i < spans.Count; i++)
            if (spans[i].Start < spans[i - 1].End)
                Report(Diagnostics.MemberOverlap(_path, spans[i].M.N.Loc, spans[i].M.N.Name, spans[i].Start, spans[i - 1].M.N.Name));
    }

    internal static bool Fits(ulong value, int bits) => bits >= 64 || value >> bits == 0;
}
