using System.Runtime.CompilerServices;
using System;
using System.Runtime.InteropServices;
using System.Threading;
using Regs.Nic;

namespace Regs.Benchmarks.Wire;

/// <summary>
/// The baseline for the virtio-net driver: a minimal hand-written raw-pointer split-virtqueue
/// loop doing the same work as <c>VirtioNet.Send</c>/<c>Receive</c> with the same memory layout
/// (one slot per head: 12-byte header, a two-entry indirect table, the frame), RING_EVENT_IDX
/// notification decisions, one fence and at most one notify per batch, in the style of ixy, with
/// the spec's numbers inline and none of the driver's checks (used ids, lengths, in-flight counts).
/// A's transmit queue and B's receive queue only.
/// </summary>
public unsafe struct HandWrittenVirtio
{
    // virtio 1.2 2.7.5 descriptor flags; 5.1.6 header (VERSION_1, no MRG_RXBUF) is 12 bytes.
    private const ushort Next = 1, Write = 2, Indirect = 4;
    private const uint Header = 12, Stride = 64 + FrameBatch.SlotSize, TableAt = 16, DataAt = 64;

    private Queue _tx, _rx;
    private ushort* _free;
    private uint _freeCount;
    private byte* _notify;

    private struct Queue
    {
        public byte* Desc, Avail, Used, Slots;
        public ushort Size, AvailIdx, Published, LastUsed;

        public readonly ushort UsedIdx => Volatile.Read(ref *(ushort*)(Used + 2));
        public readonly uint UsedId(ushort i) => *(uint*)(Used + 4 + 8 * (i & (Size - 1)));
        public readonly uint UsedLength(ushort i) => *(uint*)(Used + 8 + 8 * (i & (Size - 1)));

        public void Post(ushort head)
        {
            *(ushort*)(Avail + 4 + 2 * (AvailIdx & (Size - 1))) = head;
            AvailIdx++;
        }

        /// <summary>2.7.13.3-4: publish the index, fence, then the RING_EVENT_IDX test.</summary>
        public bool Publish()
        {
            ushort old = Published;
            if (old == AvailIdx) return false;
            Volatile.Write(ref *(ushort*)(Avail + 2), AvailIdx);
            Published = AvailIdx;
            Interlocked.MemoryBarrier();
            ushort ev = *(ushort*)(Used + 4 + 8 * Size);
            return (ushort)(AvailIdx - ev - 1) < (ushort)(AvailIdx - old);
        }
    }

    /// <summary>Queues of <paramref name="size"/> entries in native memory (device address = pointer) and the two wire ports over them.</summary>
    public static HandWrittenVirtio Create(ushort size, out VirtioWirePort a, out VirtioWirePort b)
    {
        var r = new HandWrittenVirtio();
        r._tx = NewQueue(size, writable: false);
        r._rx = NewQueue(size, writable: true);
        r._free = (ushort*)Alloc(2u * size);
        for (ushort i = 0; i < size; i++) r._free[r._freeCount++] = i;
        r._notify = Alloc(64);
        for (ushort i = 0; i < size; i++) r._rx.Post(i);
        r._rx.Publish();

        a = new VirtioWirePort { Tx = Wire(r._tx), HeaderLength = Header };
        b = new VirtioWirePort { Rx = Wire(r._rx), HeaderLength = Header };
        return r;
    }

    private static VirtioWireQueue Wire(in Queue q) => new() { Desc = q.Desc, Avail = q.Avail, Used = q.Used, Size = q.Size };

    private static Queue NewQueue(ushort size, bool writable)
    {
        uint usedAt = (16u * size + 6 + 2u * size + 4095) & ~4095u;
        byte* area = Alloc(usedAt + 6 + 8u * size);
        var q = new Queue { Desc = area, Avail = area + 16 * size, Used = area + usedAt, Size = size, Slots = Alloc(size * Stride) };
        for (uint i = 0; i < size; i++)
        {
            byte* slot = q.Slots + i * Stride;
            Describe(area + 16 * i, slot + TableAt, 32, Indirect, 0);
            Describe(slot + TableAt, slot, Header, (ushort)(Next | (writable ? Write : 0)), 1);
            Describe(slot + TableAt + 16, slot + DataAt, writable ? (uint)FrameBatch.SlotSize : 0u, writable ? Write : (ushort)0, 0);
        }
        return q;
    }

    private static void Describe(byte* d, byte* buffer, uint length, ushort flags, ushort next)
    {
        *(ulong*)d = (ulong)buffer;
        *(uint*)(d + 8) = length;
        *(ushort*)(d + 12) = flags;
        *(ushort*)(d + 14) = next;
    }

    private static byte* Alloc(uint bytes)
    {
        byte* p = (byte*)NativeMemory.AlignedAlloc(bytes, 4096);
        new Span<byte>(p, (int)bytes).Clear();
        return p;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]   // called like the driver's, one call per batch
    public int Send(in FrameBatch batch)
    {
        while (_tx.UsedIdx != _tx.LastUsed)
        {
            _free[_freeCount++] = (ushort)_tx.UsedId(_tx.LastUsed);
            _tx.LastUsed++;
        }
        int sent = 0;
        for (; sent < batch.Count && _freeCount != 0; sent++)
        {
            ushort slot = _free[--_freeCount];
            byte* s = _tx.Slots + slot * Stride;
            new Span<byte>(s, (int)Header).Clear();
            batch.Frame(sent).CopyTo(new Span<byte>(s + DataAt, FrameBatch.SlotSize));
            *(uint*)(s + TableAt + 16 + 8) = (uint)batch.Length(sent);
            _tx.Post(slot);
        }
        if (_tx.Publish()) Volatile.Write(ref *(ushort*)(_notify + 4), (ushort)1);
        return sent;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    public int Receive(ref FrameBatch batch)
    {
        batch.Clear();
        int count = 0;
        while (!batch.IsFull && _rx.UsedIdx != _rx.LastUsed)
        {
            uint id = _rx.UsedId(_rx.LastUsed);
            uint length = _rx.UsedLength(_rx.LastUsed) - Header;
            _rx.LastUsed++;
            new ReadOnlySpan<byte>(_rx.Slots + id * Stride + DataAt, (int)length).CopyTo(batch.Free());
            batch.Commit((int)length);
            count++;
            _rx.Post((ushort)id);
        }
        if (_rx.Publish()) Volatile.Write(ref *(ushort*)(_notify), (ushort)0);
        return count;
    }
}
