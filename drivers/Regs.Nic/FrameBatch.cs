using System.Runtime.CompilerServices;
using System;

namespace Regs.Nic;

/// <summary>
/// One frame's place in a <see cref="FrameBatch"/>: storage the caller provides (one per frame the
/// batch may hold), written only by the batch.
/// </summary>
public struct FrameEntry
{
    internal int Start;
    internal int Length;
    internal FrameOffload Offload;
}

/// <summary>
/// A batch of Ethernet frames in caller memory: <see cref="SlotCount"/> slots of
/// <see cref="SlotSize"/> bytes, and one <see cref="FrameEntry"/> per frame. A frame longer than a
/// slot (a jumbo frame, a TCP segmentation train of up to 64 KiB) takes as many consecutive slots
/// as it needs, so every frame is one contiguous span. Sending reads <see cref="Count"/> frames;
/// receiving appends frames. Storage is the caller's (stackalloc, a pinned array), so the data path
/// allocates nothing.
/// </summary>
public ref struct FrameBatch
{
    /// <summary>Bytes per slot: a full 1514-byte frame fits in one, rounded to a cache-friendly size.</summary>
    public const int SlotSize = 2048;

    /// <summary>The longest frame a batch can hold: a 64 KiB TCP segmentation train with its Ethernet header and a tag.</summary>
    public const int MaxLength = 65536 + 18;

    private readonly Span<byte> _data;
    private readonly Span<FrameEntry> _frames;
    private readonly bool _view;
    private int _count;
    private int _slotsUsed;

    /// <summary>A batch over <paramref name="data"/> (whole <see cref="SlotSize"/> slots are used) holding at most <paramref name="frames"/>.Length frames.</summary>
    public FrameBatch(Span<byte> data, Span<FrameEntry> frames)
    {
        _data = data.Slice(0, data.Length / SlotSize * SlotSize);
        _frames = frames;
        _view = false;
        _count = 0;
        _slotsUsed = 0;
    }

    // A view of the frames from `first` on (same slots).
    private FrameBatch(Span<byte> data, Span<FrameEntry> frames, int count, int slotsUsed)
    {
        _data = data;
        _frames = frames;
        _view = true;
        _count = count;
        _slotsUsed = slotsUsed;
    }

    /// <summary>How many frames the batch can hold at most (fewer when frames take several slots).</summary>
    public readonly int Capacity { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => _frames.Length < SlotCount ? _frames.Length : SlotCount; }

    /// <summary>Slots in the batch.</summary>
    public readonly int SlotCount { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => _data.Length / SlotSize; }

    /// <summary>Frames in the batch.</summary>
    public readonly int Count { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => _count; }

    /// <summary>True when no further frame fits (no frame entry or no slot left).</summary>
    public readonly bool IsFull { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => _count >= _frames.Length || _slotsUsed >= SlotCount; }

    /// <summary>Bytes free for the next frame: the slots after the last frame.</summary>
    public readonly int FreeBytes { [MethodImpl(MethodImplOptions.AggressiveInlining)] get => _view || _count >= _frames.Length ? 0 : _data.Length - _slotsUsed * SlotSize; }

    /// <summary>Frame <paramref name="i"/> (its bytes, as long as its length).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly Span<byte> Frame(int i)
    {
        ref FrameEntry e = ref _frames[i];
        return _data.Slice(e.Start, e.Length);
    }

    /// <summary>Frame <paramref name="i"/>'s length.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly int Length(int i) => _frames[i].Length;

    /// <summary>Frame <paramref name="i"/>'s offload metadata (zero unless set).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly ref FrameOffload Offload(int i) => ref _frames[i].Offload;

    /// <summary>Empties the batch (a <see cref="Skip"/> view stays one: it cannot take frames).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Clear()
    {
        _count = 0;
        _slotsUsed = 0;
    }

    /// <summary>
    /// The free space for the next frame, to write it in place: <see cref="FreeBytes"/> long, empty
    /// when the batch is full. <see cref="Commit"/> then makes it a frame.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public readonly Span<byte> Free() => _view || _count >= _frames.Length ? default : _data.Slice(_slotsUsed * SlotSize);

    /// <summary>
    /// Makes the first <paramref name="length"/> bytes of <see cref="Free"/> the next frame, with no
    /// offload metadata, and returns its index; -1 (nothing changed) when the batch is full or the
    /// length is negative or longer than the free space. A frame of length 0 still takes a slot.
    /// </summary>
    public int Commit(int length)
    {
        if (_view || _count >= _frames.Length || (uint)length > (uint)FreeBytes) return -1;
        int slots = length <= SlotSize ? 1 : (length + SlotSize - 1) / SlotSize;
        if (_slotsUsed + slots > SlotCount) return -1;
        ref FrameEntry e = ref _frames[_count];
        e.Start = _slotsUsed * SlotSize;
        e.Length = length;
        e.Offload = default;
        _slotsUsed += slots;
        return _count++;
    }

    /// <summary>Appends a copy of <paramref name="frame"/>; false (nothing changed) when it does not fit.</summary>
    public bool Add(ReadOnlySpan<byte> frame)
    {
        if (frame.Length > FreeBytes) return false;
        frame.CopyTo(_data.Slice(_slotsUsed * SlotSize));
        return Commit(frame.Length) >= 0;
    }

    /// <summary>Appends a copy of <paramref name="frame"/> with its offload metadata; false (nothing changed) when it does not fit.</summary>
    public bool Add(ReadOnlySpan<byte> frame, in FrameOffload offload)
    {
        if (!Add(frame)) return false;
        _frames[_count - 1].Offload = offload;
        return true;
    }

    /// <summary>
    /// The frames from <paramref name="first"/> on, as a batch over the same memory (to send again
    /// what <see cref="INic.Send"/> did not consume). A view: it cannot take frames.
    /// </summary>
    public readonly FrameBatch Skip(int first) => Slice(first, _count - first);

    /// <summary>
    /// <paramref name="count"/> frames from <paramref name="first"/> on (both clamped to the
    /// batch), as a batch over the same memory. A view: it cannot take frames.
    /// </summary>
    public readonly FrameBatch Slice(int first, int count)
    {
        if (first < 0) first = 0;
        if (first > _count) first = _count;
        if (count < 0) count = 0;
        if (count > _count - first) count = _count - first;
        return new FrameBatch(_data, _frames.Slice(first, count), count, SlotCount);
    }

    /// <summary>
    /// The first <paramref name="count"/> frames an earlier batch over the same
    /// <paramref name="data"/> and <paramref name="frames"/> wrote (frames prepared once and sent
    /// many times). A view: it cannot take frames. Entries that do not lie inside
    /// <paramref name="data"/> end it early.
    /// </summary>
    public static FrameBatch Resume(Span<byte> data, Span<FrameEntry> frames, int count)
    {
        data = data.Slice(0, data.Length / SlotSize * SlotSize);
        if (count > frames.Length) count = frames.Length;
        int valid = 0;
        while (valid < count && frames[valid].Start >= 0 && frames[valid].Length >= 0
               && (long)frames[valid].Start + frames[valid].Length <= data.Length) valid++;
        return new FrameBatch(data, frames.Slice(0, valid), valid, data.Length / SlotSize);
    }
}
