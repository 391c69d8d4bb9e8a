using Regs.Language.Model;

namespace Regs.Generator.Plan;

/// <summary>
/// A configuration snapshot of a block with features: the C# name of its features set and the
/// registers a snapshot holds (readable without side effects; arrays only if they pack into 64 bits).
/// </summary>
internal sealed record SnapshotPlan(string Features, EquatableArray<SnapshotRegisterPlan> Registers);

/// <summary>
/// One register of a snapshot. An array packs into a ulong of <c>Count</c> elements of <c>Width</c>
/// bits, each rebuilt as <c>BitsType</c>. <c>Requires</c> are the features it needs, as C# member
/// names (<c>VirtioNetFeatures.MAC</c>); empty when it is always present.
/// </summary>
internal sealed record SnapshotRegisterPlan(string Name, string? Doc, string ValueType, int Width, string BitsType, ulong? Count, EquatableArray<string> Requires);
