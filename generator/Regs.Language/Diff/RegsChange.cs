using Regs.Language.Model;

namespace Regs.Language.Diff;

/// <summary>
/// One semantic change between two versions of a register map, classified for code that uses the
/// generated API. Names locate it: <see cref="Block"/> is the top-level definition (a block, or a
/// layout, enum or flags set, see <see cref="Container"/>); <see cref="Register"/> the item inside
/// it (a register, qualified by its group as <c>Group.REG</c>; a group, constant, port, layout
/// member, enum value or flag bit); <see cref="Field"/> a bit field. The location is in the new
/// version, except for removed items, which are located in the old one.
/// </summary>
public sealed record RegsChange(
    ChangeKind Kind,
    ChangeTarget Target,
    bool Breaking,
    ContainerKind Container,
    string Block,
    string? Register,
    string? Field,
    string? Old,
    string? New,
    string Message,
    string Path,
    Loc Loc)
{
    /// <summary>The dotted name of the changed item: <c>Block.Register.Field</c>.</summary>
    public string Subject => Register == null ? Block : Field == null ? $"{Block}.{Register}" : $"{Block}.{Register}.{Field}";

    /// <summary>MSBuild-style location: <c>path(line,col)</c>.</summary>
    public string Location => $"{Path}{Loc}";
}
