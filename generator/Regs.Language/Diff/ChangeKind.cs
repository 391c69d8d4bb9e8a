namespace Regs.Language.Diff;

/// <summary>What changed between two versions of a register map.</summary>
public enum ChangeKind
{
    /// <summary>An item exists only in the new version (or a field stopped being reserved).</summary>
    Added,
    /// <summary>An item exists only in the old version (or a field became reserved).</summary>
    Removed,
    /// <summary>An item has a new name at the same place: same offset and width, same bits, same value.</summary>
    Renamed,
    /// <summary>A register, group or layout member is at a different offset.</summary>
    Moved,
    /// <summary>A register, member, enum or flags set has a different width; a layout a different size.</summary>
    WidthChanged,
    /// <summary>A field covers a different bit range.</summary>
    BitsChanged,
    /// <summary>A register or field has a different access kind (ro, rw, w1c, ...).</summary>
    AccessChanged,
    /// <summary>A register or field has a different reset value.</summary>
    ResetChanged,
    /// <summary>An enum value or flag bit is renumbered, or a constant has a different value.</summary>
    ValueChanged,
    /// <summary>A field, register or member is typed by a different enum, flags set or layout.</summary>
    TypeChanged,
    /// <summary>An array or repeated group has more elements, the existing ones unchanged.</summary>
    ArrayGrown,
    /// <summary>An array or repeated group lost elements, changed stride, or stopped (or started) being one.</summary>
    ArrayChanged,
    /// <summary>A register or layout has a different byte order.</summary>
    ByteOrderChanged,
    /// <summary>A block, layout, enum or flags set moved to another C# namespace.</summary>
    NamespaceChanged,
    /// <summary>Only documentation changed: <c>doc:</c> or <c>spec:</c> text.</summary>
    DocChanged,
    /// <summary>Another property that shapes the generated code: split order, window, alias, requires, ports, selects.</summary>
    OtherChanged,
    /// <summary>A register or field has a different side effect (onread, onwrite, latch): the same call may now do something else.</summary>
    SideEffectChanged,
}

/// <summary>What kind of item a change is about.</summary>
public enum ChangeTarget
{
    /// <summary>A block of registers.</summary>
    Block,
    /// <summary>A repeated or selected group of registers in a block.</summary>
    Group,
    /// <summary>A register of a block (or of a group in it).</summary>
    Register,
    /// <summary>A bit field of a register or layout member.</summary>
    Field,
    /// <summary>A named constant of a block.</summary>
    Constant,
    /// <summary>An indirect port of a block.</summary>
    Port,
    /// <summary>A DMA layout.</summary>
    Layout,
    /// <summary>A view (alternative format) of a layout.</summary>
    View,
    /// <summary>A member of a layout (or of a view).</summary>
    Member,
    /// <summary>An enum type.</summary>
    Enum,
    /// <summary>A value of an enum.</summary>
    EnumValue,
    /// <summary>A flags set.</summary>
    Flags,
    /// <summary>A bit of a flags set.</summary>
    FlagBit,
}

/// <summary>The top-level definition a change belongs to; reports group changes by it.</summary>
public enum ContainerKind
{
    /// <summary>A block of registers.</summary>
    Block,
    /// <summary>A DMA layout.</summary>
    Layout,
    /// <summary>An enum type.</summary>
    Enum,
    /// <summary>A flags set.</summary>
    Flags,
}
