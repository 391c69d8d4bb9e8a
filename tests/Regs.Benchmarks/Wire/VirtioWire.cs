using System;

namespace Regs.Benchmarks.Wire;

/// <summary>The device's side of one split virtqueue (virtio 1.2 2.7) on plain memory.</summary>
public unsafe struct VirtioWireQueue
{
    public byte* Desc, Avail, Used;
    public ushort Size, LastAvail, UsedIdx;

    public readonly ushort AvailIdx => *(ushort*)(Avail + 2);
    public readonly ushort AvailRing(ushort i) => *(ushort*)(Avail + 4 + 2 * (i & (Size - 1)));

    public void PushUsed(uint id, uint length)
    {
        byte* e = Used + 4 + 8 * (UsedIdx & (Size - 1));
        *(uint*)e = id;
        *(uint*)(e + 4) = length;
        UsedIdx++;
        *(ushort*)(Used + 2) = UsedIdx;
    }

    /// <summary>avail_event (2.7.8, RING_EVENT_IDX): ask to be notified when the driver passes what the device has seen.</summary>
    public readonly void SetAvailEvent() => *(ushort*)(Used + 4 + 8 * Size) = LastAvail;
}

/// <summary>One virtio-net port: receive queue 0, transmit queue 1 and how it reaches DMA memory.</summary>
public unsafe struct VirtioWirePort
{
    public VirtioWireQueue Rx, Tx;
    public byte* DmaCpu;
    public ulong DmaDevice;
    public uint HeaderLength;

    public readonly byte* Cpu(ulong deviceAddress) => DmaCpu + (deviceAddress - DmaDevice);
}

/// <summary>
/// The least a virtio-net device does to move frames from one port's transmit queue into another
/// port's receive queue (virtio 1.2 2.7.5 descriptors, direct, chained or indirect; 5.1.6 header),
/// on plain memory and with no checks: the "device" of the wire benchmarks.
/// </summary>
public static unsafe class VirtioWire
{
    private const ushort Next = 1, Indirect = 4;
    private const int MaxFrame = 2048;

    /// <summary>Moves every chain the driver made available on <paramref name="from"/>'s transmit queue; returns frames delivered.</summary>
    public static int Step(ref VirtioWirePort from, ref VirtioWirePort to)
    {
        byte* frame = stackalloc byte[MaxFrame + 64];
        int moved = 0;
        ushort availIdx = from.Tx.AvailIdx;
        while (from.Tx.LastAvail != availIdx)
        {
            ushort head = from.Tx.AvailRing(from.Tx.LastAvail);
            from.Tx.LastAvail++;
            uint length = Gather(ref from, head, frame);
            if (to.Rx.LastAvail != to.Rx.AvailIdx)
            {
                ushort rxHead = to.Rx.AvailRing(to.Rx.LastAvail);
                to.Rx.LastAvail++;
                uint written = Scatter(ref to, rxHead, frame, length);
                to.Rx.PushUsed(rxHead, written);
                moved++;
            }
            from.Tx.PushUsed(head, 0);
        }
        from.Tx.SetAvailEvent();
        to.Rx.SetAvailEvent();
        return moved;
    }

    /// <summary>Copies a transmit chain (header and frame) to <paramref name="destination"/>; returns its length.</summary>
    private static uint Gather(ref VirtioWirePort port, ushort head, byte* destination)
    {
        byte* table = port.Tx.Desc;
        uint index = head, count = port.Tx.Size, length = 0;
        byte* d = table + 16 * index;
        if ((*(ushort*)(d + 12) & Indirect) != 0)
        {
            table = port.Cpu(*(ulong*)d);
            count = *(uint*)(d + 8) / 16;
            index = 0;
        }
        for (uint n = 0; n < count; n++)
        {
            d = table + 16 * index;
            uint len = *(uint*)(d + 8);
            if (length + len > MaxFrame + 64) break;
            Buffer.MemoryCopy(port.Cpu(*(ulong*)d), destination + length, len, len);
            length += len;
            if ((*(ushort*)(d + 12) & Next) == 0) break;
            index = *(ushort*)(d + 14);
        }
        return length;
    }

    /// <summary>Writes <paramref name="length"/> bytes (header and frame) into a receive chain; returns bytes written.</summary>
    private static uint Scatter(ref VirtioWirePort port, ushort head, byte* source, uint length)
    {
        byte* table = port.Rx.Desc;
        uint index = head, count = port.Rx.Size, written = 0;
        byte* d = table + 16 * index;
        if ((*(ushort*)(d + 12) & Indirect) != 0)
        {
            table = port.Cpu(*(ulong*)d);
            count = *(uint*)(d + 8) / 16;
            index = 0;
        }
        for (uint n = 0; n < count && written < length; n++)
        {
            d = table + 16 * index;
            uint len = Math.Min(*(uint*)(d + 8), length - written);
            Buffer.MemoryCopy(source + written, port.Cpu(*(ulong*)d), len, len);
            written += len;
            if ((*(ushort*)(d + 12) & Next) == 0) break;
            index = *(ushort*)(d + 14);
        }
        return written;
    }
}
