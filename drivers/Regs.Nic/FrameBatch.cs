using System.Runtime.CompilerServices;
using System;

namespace Regs.Nic;

/// <summary>
/// A batch of Ethernet frames in caller memory: <c>Capacity</c> slots of <see cref="SlotSize"/>
/// bytes and a length per slot. Sending reads <see cref="Count"/> frames; receiving fills slots and
/// sets <see cref="Count"/>. Storage is the caller's (stackalloc, a pinned array), so the data
/// path allocates nothing.
/// </summary>
public ref struct FrameBatch
{
    /// <summary>Bytes per slot: a full 1514-byte frame fits, rounded to a cache-friendly size.</summary>
    public const int SlotSize = 2048;

    private readonly Span<byte> _data;
    private readonly Span<ushort> _lengths;

    /// <summary>A batch over <paramref name="data"/> (a multiple of <see cref="SlotSize"/>) and <paramref name="lengths"/> (one per slot).</summary>
    public FrameBatch(Span<byte> data, Span<ushort> lengths)
    {
        int slots = data.Length / SlotSize;
        if (lengths.Length < slots) slots = lengths.Length;
        _data = data.Slice(0, slots * SlotSize);
        _lengths = lengths.Slice(0, slots);
        Count = 0;
    }

    /// <summary>Slots in the batch.</summary>
    public readonly int Capacity { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => _lengths.Length; }

    /// <summary>Frames in the batch.</summary>
    public int Count { readonly get; set; }

    /// <summary>Frame <paramref name="i"/> (its bytes, as long as its length).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly Span<byte> Frame(int i) => _data.Slice(i * SlotSize, _lengths[i]);

    /// <summary>The whole slot <paramref name="i"/>, for writing a frame into.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly Span<byte> Slot(int i) => _data.Slice(i * SlotSize, SlotSize);

    /// <summary>Sets frame <paramref name="i"/>'s length.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly void SetLength(int i, int length) => _lengths[i] = (ushort)(length < SlotSize ? length : SlotSize);

    /// <summary>Frame <paramref name="i"/>'s length.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly int Length(int i) => _lengths[i];

    /// <summary>Appends a copy of <paramref name="frame"/>; false when the batch is full or the frame too long.</summary>
    public bool Add(ReadOnlySpan<byte> frame)
    {
        if (Count >= Capacity || frame.Length > SlotSize) return false;
        frame.CopyTo(Slot(Count));
        _lengths[Count] = (ushort)frame.Length;
        Count++;
        return true;
    }
}
