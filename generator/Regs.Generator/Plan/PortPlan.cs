using Regs.Language.Model;

namespace Regs.Generator.Plan;

/// <summary>
/// A port: an IIndirectPort struct <c>PortType</c> that runs the command-register protocol, and a
/// property <c>Name</c> of the indirect space's block type over it. A null <c>Read</c> or
/// <c>Write</c> command means the port cannot do that and reports a device error.
/// </summary>
internal sealed record PortPlan(
    string Name,
    string? Doc,
    string SpaceType,
    string SpaceName,
    string PortType,
    string CommandRegister,
    string CommandType,
    string CommandHandle,
    ulong CommandOffset,
    CommandPlan? Read,
    CommandPlan? Write,
    string Done,
    string? Error,
    string Data,
    bool DataIsBool,
    uint PollUs,
    uint TimeoutUs);

/// <summary>The assignments that build one command value, in the order they are written.</summary>
internal sealed record CommandPlan(EquatableArray<FieldAssignment> Assignments);

/// <summary>How a command field gets its value.</summary>
internal enum AssignmentKind
{
    /// <summary><c>c.F = (Type)(Value);</c></summary>
    Cast,
    /// <summary><c>c.F = (Value) != 0;</c> for a one-bit field.</summary>
    NonZero,
    /// <summary><c>c.F = Type.Value;</c>: an enum member.</summary>
    Member,
    /// <summary><c>c.F = true;</c>: the start bit.</summary>
    SetBit,
}

/// <summary>One field of a command: <c>Value</c> is a C# expression (address, value, a number) or an enum member name.</summary>
internal sealed record FieldAssignment(string Field, AssignmentKind Kind, string Type, string Value);
