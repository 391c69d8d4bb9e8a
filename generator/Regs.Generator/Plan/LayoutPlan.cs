using Regs.Language.Model;

namespace Regs.Generator.Plan;

/// <summary>
/// A layout: one explicit-layout struct, or (with views) an outer struct of <c>Size</c> bytes
/// whose views overlay each other at offset 0.
/// </summary>
internal sealed record LayoutPlan(string Name, string? Doc, StructPlan? Struct, ulong Size, EquatableArray<ViewPlan> Views);

/// <summary>One format of a layout with views: a field of struct type <c>Struct.Name</c>.</summary>
internal sealed record ViewPlan(string Name, string? Doc, StructPlan Struct);

/// <summary>
/// An explicit-layout struct of <c>Size</c> bytes; <c>Unsafe</c> when it has array accessors
/// (they take a pointer). <c>Queue</c> describes its run-time length, if it has one.
/// </summary>
internal sealed record StructPlan(string Name, ulong Size, bool Unsafe, EquatableArray<MemberPlan> Members, QueuePlan? Queue);

/// <summary>
/// A run-time array ('count: queue') at <c>Offset</c> of <c>ElementSize</c>-byte elements,
/// followed by <c>Tail</c> bytes of members placed 'after' it.
/// </summary>
internal sealed record QueuePlan(ulong Offset, ulong ElementSize, ulong Tail);

/// <summary>A member of a layout struct.</summary>
internal abstract record MemberPlan(string Name, string? Doc);

/// <summary>A word whose volatile field is the API: <c>Type</c> is its raw type, or an enum or flags set of its width.</summary>
internal sealed record VolatileFieldPlan(string Name, string? Doc, ulong Offset, string Type) : MemberPlan(Name, Doc);

/// <summary>How a word property converts its raw bits.</summary>
internal enum Conversion
{
    /// <summary>The raw type itself.</summary>
    None,
    /// <summary>A cast to and from an enum or flags set.</summary>
    Cast,
    /// <summary>The member's own value struct (<c>Value</c>), built from and stored as its bits.</summary>
    ValueStruct,
}

/// <summary>
/// A word behind a private volatile field (two 32-bit halves, low first, when 64 bits wide),
/// byte-swapped when big-endian, exposed as a property of <c>Type</c>.
/// </summary>
internal sealed record PropertyPlan(string Name, string? Doc, ulong Offset, int Width, string Raw, bool BigEndian, string Type, Conversion Conversion, ValuePlan? Value) : MemberPlan(Name, Doc);

/// <summary>Where an array's element <c>n</c> lives.</summary>
internal enum ArrayKind
{
    /// <summary>A fixed count: the index wraps.</summary>
    Fixed,
    /// <summary>A run-time length: the caller keeps the index in range.</summary>
    Queue,
    /// <summary>One element placed after the run-time array; found from the queue size.</summary>
    AfterQueue,
}

/// <summary>
/// A static accessor returning a reference to an element of <c>Element</c> type at <c>Offset</c>
/// (<c>Count</c> of them when fixed) inside the struct <c>Owner</c>, given a pointer to it.
/// </summary>
internal sealed record ArrayAccessorPlan(string Name, string? Doc, string Owner, string Element, ArrayKind Kind, ulong Offset, ulong Count, QueuePlan? Queue) : MemberPlan(Name, Doc);
