using Regs.Language.Model;

namespace Regs.Generator.Plan;

/// <summary>
/// A block: a static class of constants and value structs, and a struct of register handles
/// over a backend (an IRegisterAccess, or an IIndirectPort when <c>Indirect</c>).
/// </summary>
internal sealed record BlockPlan(
    string Name,
    string? Doc,
    bool Indirect,
    EquatableArray<ConstantPlan> Constants,
    EquatableArray<CountPlan> Counts,
    EquatableArray<ValuePlan> Values,
    SnapshotPlan? Snapshot,
    EquatableArray<HandlePlan> Handles,
    EquatableArray<GroupPlan> Groups,
    EquatableArray<PortPlan> Ports,
    EquatableArray<OwnHandlePlan> OwnHandles);

/// <summary>
/// A handle type generated for one register (nested in the block's struct, named <c>Name</c>)
/// because its side effects give an operation set no runtime handle has. Each operation is one
/// method: <c>Read</c> names the read (Read, ReadAndClear, ReadAndSet, ReadAndUnlatch or none),
/// <c>Write</c> the plain write, <c>WriteAll</c> a write every bit of which has an effect
/// (WriteAndClear, WriteAndSet), and Clear/Set/Toggle the bit-selective writes.
/// </summary>
internal sealed record OwnHandlePlan(string Name, string Register, string ValueType, bool Indirect, ReadEffect Read, bool Write, WriteEffect WriteAll, bool Clear, bool Set, bool Toggle);

/// <summary>A constant of the YAML; <c>Type</c> is uint, or ulong when the value needs it.</summary>
internal sealed record ConstantPlan(string Name, string? Doc, string Type, ulong Value);

/// <summary>A generated element count: <c>TableCount</c> for array <c>Table</c>, likewise for repeated groups.</summary>
internal sealed record CountPlan(string Name, ulong Count);

/// <summary>
/// A register's handle property: a runtime handle type (RegisterRW, WindowRO, IndirectRO...)
/// over the register's value type, at <c>Offset</c>; through a window, or indexed when an array.
/// <c>Own</c>: <c>Handle</c> names a handle type generated in the block (see <see cref="OwnHandlePlan"/>).
/// </summary>
internal sealed record HandlePlan(string Name, string? Doc, string Handle, string ValueType, ulong Offset, SelectorPlan? Window, ArrayPlan? Array, bool Own = false);

/// <summary>The register written to choose a window half or a group instance.</summary>
internal sealed record SelectorPlan(string Register, ulong Offset, int Width);

/// <summary>Array elements: one range for a regular array, several (each from its own offset) for an irregular one.</summary>
internal sealed record ArrayPlan(ulong Count, ulong Stride, EquatableArray<ArrayRangePlan> Ranges);

/// <summary>Elements <c>First</c> to <c>First + Count - 1</c> of an irregular array, starting at <c>Offset</c>.</summary>
internal sealed record ArrayRangePlan(ulong First, ulong Count, ulong Offset);

/// <summary>
/// A group: a view struct <c>ViewName</c> of handles, reached either by writing the selector
/// (<c>Select</c>) or at <c>Offset + n * Stride</c> for n below <c>Count</c>.
/// </summary>
internal sealed record GroupPlan(string Name, string? Doc, string ViewName, SelectorPlan? Select, ulong Offset, ulong Count, ulong Stride, EquatableArray<HandlePlan> Registers);
