using System.Runtime.CompilerServices;
using System;
using System.Runtime.InteropServices;
using System.Threading;
using Regs.Igb;
using Regs.Nic;
using Regs.Runtime;

namespace Regs.Benchmarks.Wire;

/// <summary>
/// The baseline for the igb driver: a minimal hand-written raw-pointer ring loop doing the same
/// work as <c>IgbNic.Send</c>/<c>Receive</c> (reclaim by DD, copy each frame into its slot, one
/// advanced data descriptor per frame, one fence and one TDT write per batch; read write-backs by
/// DD, copy out, re-arm, one fence and one RDT write), in the style of ixy, with the datasheet's
/// numbers written inline and none of the driver's checks (lengths, EOP, errors, statistics).
/// A's transmit ring and B's receive ring only: what one direction of the benchmark uses.
/// </summary>
public unsafe struct HandWrittenIgb
{
    // Datasheet 8.12 / 8.10: queue 0 tails; 7.2.2.3: DTYP data (3 << 20), DEXT, EOP, IFCS, RS;
    // PAYLEN at bit 14 of olinfo; 7.1.5: DD in the write-back status.
    private const nuint Tdt0 = 0xE018, Rdt0 = 0xC018;
    private const uint TxCommand = (3u << 20) | (1u << 29) | (1u << 24) | (1u << 25) | (1u << 27);
    private const uint Dd = 1;
    private const uint Buffer = FrameBatch.SlotSize;

    private byte* _tx, _txBuffers, _txRegisters;
    private byte* _rx, _rxBuffers, _rxRegisters;
    private uint _size, _tail, _clean, _next;

    /// <summary>Rings of <paramref name="size"/> descriptors in native memory (device address = pointer) and the two wire ports over them.</summary>
    public static HandWrittenIgb Create(uint size, out IgbWirePort a, out IgbWirePort b)
    {
        var r = new HandWrittenIgb { _size = size };
        r._tx = Alloc(size * 16);
        r._txBuffers = Alloc(size * Buffer);
        r._rx = Alloc(size * 16);
        r._rxBuffers = Alloc(size * Buffer);
        r._txRegisters = Alloc(128 * 1024);
        r._rxRegisters = Alloc(128 * 1024);
        for (uint i = 0; i < size; i++) r.Arm(i);
        *(uint*)(r._rxRegisters + Rdt0) = size - 1;

        a = new IgbWirePort { Registers = new Igb<MmioPointer<NoClock>>(new MmioPointer<NoClock>(r._txRegisters)), TxRing = r._tx, TxSize = size };
        b = new IgbWirePort { Registers = new Igb<MmioPointer<NoClock>>(new MmioPointer<NoClock>(r._rxRegisters)), RxRing = r._rx, RxSize = size };
        return r;
    }

    private static byte* Alloc(uint bytes)
    {
        byte* p = (byte*)NativeMemory.AlignedAlloc(bytes, 4096);
        new Span<byte>(p, (int)bytes).Clear();
        return p;
    }

    private readonly void Arm(uint i)
    {
        byte* d = _rx + i * 16;
        *(ulong*)d = (ulong)(_rxBuffers + i * Buffer);
        *(ulong*)(d + 8) = 0;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]   // called like the driver's, one call per batch
    public int Send(in FrameBatch batch)
    {
        while (_clean != _tail && (*(uint*)(_tx + _clean * 16 + 12) & Dd) != 0) _clean = _clean + 1 == _size ? 0 : _clean + 1;
        int sent = 0;
        for (; sent < batch.Count; sent++)
        {
            uint next = _tail + 1 == _size ? 0 : _tail + 1;
            if (next == _clean) break;
            uint length = (uint)batch.Length(sent);
            byte* buffer = _txBuffers + _tail * Buffer;
            batch.Frame(sent).CopyTo(new Span<byte>(buffer, (int)Buffer));
            byte* d = _tx + _tail * 16;
            *(ulong*)d = (ulong)buffer;
            *(uint*)(d + 8) = TxCommand | length;
            *(uint*)(d + 12) = length << 14;
            _tail = next;
        }
        if (sent != 0)
        {
            Interlocked.MemoryBarrier();
            Volatile.Write(ref *(uint*)(_txRegisters + Tdt0), _tail);
        }
        return sent;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    public int Receive(ref FrameBatch batch)
    {
        batch.Clear();
        int count = 0;
        uint last = 0;
        while (!batch.IsFull)
        {
            byte* d = _rx + _next * 16;
            if ((Volatile.Read(ref *(uint*)(d + 8)) & Dd) == 0) break;
            uint length = *(ushort*)(d + 12);
            new ReadOnlySpan<byte>(_rxBuffers + _next * Buffer, (int)length).CopyTo(batch.Free());
            batch.Commit((int)length);
            count++;
            Arm(_next);
            last = _next;
            _next = _next + 1 == _size ? 0 : _next + 1;
        }
        if (count != 0)
        {
            Interlocked.MemoryBarrier();
            Volatile.Write(ref *(uint*)(_rxRegisters + Rdt0), last);
        }
        return count;
    }
}
