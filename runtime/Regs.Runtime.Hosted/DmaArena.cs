using System;
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
            var buffer = new DmaBuffer(_cpu + offset, start, length);
            buffer.Span.Clear();
            return buffer;
        }
    }

    /// <summary>True when [<paramref name="deviceAddress"/>, +<paramref name="length"/>) lies inside what was handed out.</summary>
    public bool Contains(ulong deviceAddress, ulong length)
        => deviceAddress >= _device && length <= (ulong)Used && deviceAddress - _device <= (ulong)Used - length;

    /// <summary>The CPU pointer for a device address inside the arena, or null when outside or too long.</summary>
    public byte* Translate(ulong deviceAddress, ulong length) => Contains(deviceAddress, length) ? _cpu + (deviceAddress - _device) : null;
}
