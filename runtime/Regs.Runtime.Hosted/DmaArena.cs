using System;
using System.Collections.Generic;
using System.Threading;

namespace Regs.Runtime.Hosted;

/// <summary>
/// Hands out DMA buffers from one block of memory the device can reach: guest RAM shared with
/// QEMU (qtest), an IOMMU-mapped block (VFIO) or a model's memory. A bump allocator: drivers
/// allocate while initialising and keep what they got, so nothing is ever freed.
/// </summary>
public sealed unsafe class DmaArena
{
    private readonly byte* _cpu;
    private readonly ulong _device;
    private readonly nuint _length;
    private List<(nuint Start, nuint End)>? _handedOut;   // recorded only for a poisoned arena
    private long _used;

    /// <summary>An arena over <paramref name="length"/> bytes seen by the CPU at <paramref name="cpu"/> and by the device at <paramref name="deviceAddress"/>.</summary>
    public DmaArena(byte* cpu, ulong deviceAddress, nuint length)
    {
        _cpu = cpu;
        _device = deviceAddress;
        _length = length;
    }

    /// <summary>The whole block.</summary>
    public DmaBuffer Whole => new(_cpu, _device, _length);

    /// <summary>Bytes handed out so far.</summary>
    public nuint Used => (nuint)Interlocked.Read(ref _used);

    /// <summary>Zeroed memory aligned to <paramref name="alignment"/> (device address and pointer alike); empty when exhausted.</summary>
    public DmaBuffer Allocate(nuint length, nuint alignment)
    {
        if (alignment == 0 || (alignment & (alignment - 1)) != 0) return default;
        while (true)
        {
            long used = Interlocked.Read(ref _used);
            ulong start = (_device + (ulong)used + alignment - 1) & ~((ulong)alignment - 1);
            ulong offset = start - _device;
            if (offset + length > _length || offset + length < offset) return default;
            if (Interlocked.CompareExchange(ref _used, (long)(offset + length), used) != used) continue;
            if (_handedOut != null) lock (_handedOut) _handedOut.Add(((nuint)offset, (nuint)(offset + length)));
            var buffer = new DmaBuffer(_cpu + offset, start, length);
            buffer.Span.Clear();
            return buffer;
        }
    }

    /// <summary>
    /// Fills the whole block with <paramref name="poison"/> and from then on records the buffers
    /// handed out, for <see cref="BytesChangedOutsideBuffers"/>; call before anything is handed out.
    /// </summary>
    public void Poison(byte poison)
    {
        new Span<byte>(_cpu, checked((int)_length)).Fill(poison);
        _handedOut = new();
    }

    /// <summary>
    /// Bytes outside every handed-out buffer (alignment gaps and the unused tail) that no longer hold
    /// <paramref name="poison"/>: anything but 0 means someone wrote outside the buffers it was given.
    /// </summary>
    public long BytesChangedOutsideBuffers(byte poison)
    {
        if (_handedOut == null) throw new InvalidOperationException("the arena was not poisoned");
        (nuint Start, nuint End)[] buffers;
        lock (_handedOut) buffers = _handedOut.ToArray();
        Array.Sort(buffers);
        long changed = 0;
        nuint at = 0;
        foreach (var (start, end) in buffers)
        {
            if (start > at) changed += CountOther(at, start, poison);
            if (end > at) at = end;
        }
        return changed + CountOther(at, _length, poison);
    }

    private long CountOther(nuint from, nuint to, byte poison)
    {
        long count = 0;
        for (nuint i = from; i < to; i++) if (_cpu[i] != poison) count++;
        return count;
    }

    /// <summary>True when [<paramref name="deviceAddress"/>, +<paramref name="length"/>) lies inside what was handed out.</summary>
    public bool Contains(ulong deviceAddress, ulong length)
        => deviceAddress >= _device && length <= (ulong)Used && deviceAddress - _device <= (ulong)Used - length;

    /// <summary>The CPU pointer for a device address inside the arena, or null when outside or too long.</summary>
    public byte* Translate(ulong deviceAddress, ulong length) => Contains(deviceAddress, length) ? _cpu + (deviceAddress - _device) : null;
}
