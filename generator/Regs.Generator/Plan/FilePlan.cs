using Regs.Language.Model;

namespace Regs.Generator.Plan;

/// <summary>
/// One register file, resolved for emission: every name is the C# text the emitter writes,
/// every size, mask and choice is decided. An equatable value (records and EquatableArray, no
/// Roslyn symbols), so the Emit step stays cached while the resolved file is unchanged.
/// </summary>
internal sealed record FilePlan(
    string FileName,
    string Namespace,
    EquatableArray<EnumPlan> Enums,
    EquatableArray<FlagsPlan> Flags,
    EquatableArray<BlockPlan> Blocks,
    EquatableArray<LayoutPlan> Layouts);

/// <summary>An enum; <c>Underlying</c> is its C# integer type.</summary>
internal sealed record EnumPlan(string Name, string? Doc, string Underlying, EquatableArray<EnumValuePlan> Values);

internal sealed record EnumValuePlan(string Name, string? Doc, ulong Value);

/// <summary>
/// A [Flags] enum. A set that extends another repeats the other's members (<c>Inherited</c>,
/// all of them, transitively) as casts of <c>Base</c>, its C# name.
/// </summary>
internal sealed record FlagsPlan(string Name, string? Doc, string Underlying, string? Base, EquatableArray<string> Inherited, EquatableArray<FlagBitPlan> Bits);

internal sealed record FlagBitPlan(string Name, string? Doc, int Bit);
