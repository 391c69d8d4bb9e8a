namespace Regs.Language.Model;

/// <summary>Registers reached through a register-access backend, or (indirect) through a port.</summary>
public sealed record BlockDef(
    Named N,
    int Width,
    Access Access,
    ByteOrder Order,
    bool Indirect,
    Ref? Features,
    EquatableArray<ConstantDef> Constants,
    EquatableArray<RegisterDef> Registers,
    EquatableArray<GroupDef> Groups,
    EquatableArray<PortDef> Ports);

public sealed record ConstantDef(Named N, ulong Value);

public sealed record RegisterDef(
    Named N,
    ulong Offset,
    Loc OffsetLoc,
    int Width,
    Loc WidthLoc,
    Access Access,
    Loc AccessLoc,
    ByteOrder Order,
    ulong? Reset,
    Loc ResetLoc,
    EquatableArray<FieldDef> Fields,
    Ref? Type,
    Ref? AliasOf,
    bool HighFirst,
    ArrayDef? Array,
    WindowDef? Window,
    EquatableArray<Ref> Requires,
    SideEffects Effects = default)
{
    /// <summary>Width of the value the driver sees: the window's when seen through one.</summary>
    public int ValueWidth => Window?.Width ?? Width;
}

/// <summary>A field: bits <c>Lo..Hi</c> inclusive.</summary>
public sealed record FieldDef(
    Named N,
    int Lo,
    int Hi,
    Loc BitsLoc,
    Access? Access,
    Loc AccessLoc,
    Ref? Enum,
    Ref? Flags,
    ulong? Reset,
    Loc ResetLoc,
    bool Reserved,
    int WriteAs,
    SideEffects Effects = default)
{
    public int Width => Hi - Lo + 1;
}

/// <summary>Array elements: one range for a regular array, several for an irregular one.</summary>
public sealed record ArrayDef(Loc Loc, ulong Stride, EquatableArray<ArrayRange> Ranges)
{
    public ulong Count
    {
        // Saturating: ranges whose counts add up past 2^64 must not wrap to a small, accepted count.
        get { ulong n = 0; foreach (ArrayRange r in Ranges) n = n > ulong.MaxValue - r.Count ? ulong.MaxValue : n + r.Count; return n; }
    }
}

public sealed record ArrayRange(ulong Count, ulong Offset);

public sealed record WindowDef(Ref Select, int Width, Loc Loc);

/// <summary>Registers repeated <c>Count</c> times <c>Stride</c> apart, or chosen by writing <c>Select</c>.</summary>
public sealed record GroupDef(Named N, ulong Offset, ulong Count, ulong Stride, Ref? Select, EquatableArray<RegisterDef> Registers);

public readonly record struct PortSetting(Ref Field, ulong Value);

/// <summary>An indirect register space reached through a command register.</summary>
public sealed record PortDef(
    Named N,
    Ref Space,
    Ref Register,
    Ref Address,
    Ref Data,
    Ref? Opcode,
    Ref? ReadOp,
    Ref? WriteOp,
    Ref? Start,
    Ref Done,
    Ref? Error,
    EquatableArray<PortSetting> Set,
    uint PollUs,
    uint TimeoutUs);
