namespace Regs.Language.Model;

/// <summary>A structure in memory shared with a device by DMA.</summary>
public sealed record LayoutDef(
    Named N,
    ulong? Size,
    Loc SizeLoc,
    ByteOrder Order,
    EquatableArray<MemberDef> Members,
    EquatableArray<ViewDef> Views);

/// <summary>One format of a layout whose bytes mean different things at different times.</summary>
public sealed record ViewDef(Named N, EquatableArray<MemberDef> Members);

/// <summary>How many elements a member has.</summary>
public enum CountKind { One, Fixed, Queue }

/// <summary>A register in memory: a word with optional fields, or an array of words or of another layout.</summary>
public sealed record MemberDef(
    Named N,
    ulong? Offset,
    Ref? After,
    int Width,
    Loc WidthLoc,
    ByteOrder Order,
    EquatableArray<FieldDef> Fields,
    Ref? Type,
    Ref? Element,
    CountKind CountKind,
    ulong Count);
