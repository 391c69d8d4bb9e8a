using Regs.Language.Model;

namespace Regs.Generator.Plan;

/// <summary>
/// A value struct: raw bits (of C# type <c>BitsType</c>) with one property per field, or typed as
/// a whole by an enum or flags set (<c>TypedAs</c>), or (<c>RawConversions</c>, when it has no
/// fields at all) converting implicitly to and from its bits. Registers' values also implement
/// IRegisterValue (<c>Register</c>); layout members' do not: memory has no access kinds.
/// </summary>
internal sealed record ValuePlan(string Name, string? Doc, string BitsType, RegisterValuePlan? Register, string? TypedAs, bool RawConversions, EquatableArray<FieldPlan> Fields);

/// <summary>
/// What the generic handles need to know about a register, as constants the JIT folds: width and
/// access order, the bits whose write has an effect (write 1 or 0 to clear, set, toggle), and reserved bits written as 0 or 1.
/// </summary>
internal sealed record RegisterValuePlan(ulong? Reset, int Width, bool BigEndian, bool HighFirst, ulong W1CMask, ulong W1SMask, ulong Zeros, ulong Ones,
    ulong W1TMask = 0, ulong W0CMask = 0, ulong W0SMask = 0, ulong W0TMask = 0);

/// <summary>How a field reads: one bit as bool, a number, or an enum or flags set.</summary>
internal enum FieldKind { Bool, Number, Typed }

/// <summary>
/// A field property over bits <c>Lo</c>..<c>Lo + Width - 1</c>. <c>Type</c> is its C# type;
/// <c>Natural</c> the uint or ulong its bits are extracted as; <c>Narrow</c> when a uint field
/// is read from 64-bit bits; settable unless the register's access forbids writing it.
/// </summary>
internal sealed record FieldPlan(string Name, string? Doc, int Lo, int Width, FieldKind Kind, string Type, string Natural, bool Narrow, bool Settable);
