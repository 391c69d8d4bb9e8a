using Regs.Language.Model;

namespace Regs.Generator.Spec;

/// <summary>
/// One register file, resolved for emission: every name is the C# text the emitter writes,
/// every size, mask and choice is decided. An equatable value (records and EquatableArray, no
/// Roslyn symbols), so the Emit step stays cached while the resolved file is unchanged.
/// </summary>
internal sealed record FileSpec(
    string FileName,
    string Namespace,
    EquatableArray<EnumSpec> Enums,
    EquatableArray<FlagsSpec> Flags,
    EquatableArray<BlockSpec> Blocks,
    EquatableArray<LayoutSpec> Layouts);

/// <summary>An enum; <c>Underlying</c> is its C# integer type.</summary>
internal sealed record EnumSpec(string Name, string? Doc, string Underlying, EquatableArray<EnumValueSpec> Values);

internal sealed record EnumValueSpec(string Name, string? Doc, ulong Value);

/// <summary>
/// A [Flags] enum. A set that extends another repeats the other's members (<c>Inherited</c>,
/// all of them, transitively) as casts of <c>Base</c>, its C# name.
/// </summary>
internal sealed record FlagsSpec(string Name, string? Doc, string Underlying, string? Base, EquatableArray<string> Inherited, EquatableArray<FlagBitSpec> Bits);

internal sealed record FlagBitSpec(string Name, string? Doc, int Bit);
