using System;
using Regs.Igb;
using Regs.Net;
using Regs.Nic;
using Regs.Runtime;

namespace Regs.Drivers.Igb;

// The register block, not this namespace.
using Igb = global::Regs.Igb.Igb;

/// <summary>
/// Transmit queue 0: a ring of advanced transmit data descriptors (datasheet 7.2.2.3) and one
/// frame buffer per descriptor in DMA memory, plus each slot's frame length in private memory.
/// </summary>
/// <remarks>
/// Ownership (datasheet 7.2.2): the driver fills descriptors at <see cref="Tail"/> and publishes
/// them with one TDT write per batch; every descriptor asks for status (RS), so the device sets
/// DD in its write-back once the frame has left, and the driver reclaims from <see cref="Clean"/>
/// while DD is set. TDH is never read. One slot stays empty so that a full ring and an empty ring
/// differ.
/// </remarks>
internal unsafe struct IgbTxRing
{
    /// <summary>Bytes per transmit buffer: one batch slot.</summary>
    public const uint BufferSize = FrameBatch.SlotSize;
    /// <summary>Largest frame accepted for sending: 1514 bytes plus an 802.1Q tag; the device appends the CRC (IFCS).</summary>
    public const int MaxFrameLength = EthernetFrames.MaxStandardLength;
    /// <summary>Microseconds to wait for TXDCTL.ENABLE to read back as written.</summary>
    public const uint EnableTimeoutMicroseconds = 10_000;
    /// <summary>
    /// Shortest frame handed to the device: 60 bytes (ETH_ZLEN; the MAC adds the CRC). TCTL.PSP pads
    /// only frames of 17 bytes and more (Linux igb_xmit_frame pads shorter ones in software), so
    /// every shorter frame is padded with zeros in the driver's copy.
    /// </summary>
    public const int MinFrameLength = EthernetFrames.MinimumLength;

    /// <summary>The descriptor ring.</summary>
    public DmaBuffer Descriptors;
    /// <summary>Size buffers of BufferSize bytes, buffer i belonging to descriptor i.</summary>
    public DmaBuffer Buffers;
    /// <summary>Frame length queued in each slot (private memory), for the byte counters.</summary>
    public ushort* Lengths;
    /// <summary>Descriptors in the ring.</summary>
    public uint Size;
    /// <summary>The next descriptor the driver fills (the value last written to TDT).</summary>
    public uint Tail;
    /// <summary>The oldest descriptor not yet reclaimed.</summary>
    public uint Clean;
    /// <summary>When the watchdog first saw descriptors pending without progress (host clock), 0 when it did not.</summary>
    public ulong StalledSince;
    /// <summary>Frames completed (NicStats.TxFrames) at the last health check: unchanged with descriptors pending means no progress.</summary>
    public ulong WatchedCompletions;

    /// <summary>Allocates the ring, its buffers and the length table (only while initialising).</summary>
    public static NicStatus Allocate<THost>(ref THost host, uint size, out IgbTxRing ring)
        where THost : struct, IDriverHost
    {
        ring = default;
        nuint ringBytes = (nuint)size * (nuint)sizeof(AdvTxDesc);
        nuint bufferBytes = (nuint)size * BufferSize;
        DmaBuffer descriptors = host.AllocateDma(ringBytes, Igb.RingBaseAlignment);
        if (descriptors.IsEmpty || descriptors.Length < ringBytes) return NicStatus.OutOfMemory;
        DmaBuffer buffers = host.AllocateDma(bufferBytes, IgbRxRing.BufferAlignment);
        if (buffers.IsEmpty || buffers.Length < bufferBytes) return NicStatus.OutOfMemory;
        ushort* lengths = (ushort*)host.AllocatePrivate((nuint)size * sizeof(ushort));
        if (lengths == null) return NicStatus.OutOfMemory;
        ring.Descriptors = descriptors;
        ring.Buffers = buffers;
        ring.Lengths = lengths;
        ring.Size = size;
        return NicStatus.Ok;
    }

    /// <summary>Descriptor <paramref name="i"/>; an index outside the ring (never produced) reads descriptor 0, so memory outside it is never touched.</summary>
    public readonly AdvTxDesc* Descriptor(uint i) => Descriptors.As<AdvTxDesc>((nuint)(i < Size ? i : 0) * (nuint)sizeof(AdvTxDesc));

    /// <summary>The frame buffer of descriptor <paramref name="i"/> (bounded like <see cref="Descriptor"/>).</summary>
    public readonly DmaBuffer Buffer(uint i) => Buffers.Slice((nuint)(i < Size ? i : 0) * BufferSize, BufferSize);

    /// <summary>The index after <paramref name="i"/>, wrapping at the ring size (a compare, not a division).</summary>
    public readonly uint After(uint i) => i + 1 >= Size ? 0 : i + 1;

    /// <summary>Descriptors handed to the device and not yet reclaimed.</summary>
    public readonly uint InFlight => Tail >= Clean ? Tail - Clean : Tail + Size - Clean;

    /// <summary>Descriptors the driver may fill now.</summary>
    public readonly uint Free => Size - 1 - InFlight;

    /// <summary>
    /// Transmit queue set-up (transmit initialisation, datasheet 4.5, subsection not confirmed;
    /// registers 8.12, TXDCTL 8.12.13): stop the queue, program base, length, head and tail, clear
    /// the descriptors, then enable the queue with its thresholds and wait until TXDCTL.ENABLE
    /// reads 1. TCTL is programmed by the caller.
    /// </summary>
    public NicStatus Start<TAccess, THost>(Igb<TAccess> regs, ref THost host)
        where TAccess : struct, IRegisterAccess<TAccess>
        where THost : struct, IDriverHost
    {
        Igb<TAccess>.TxQueueView queue = regs.TxQueue(0);

        Igb.TXDCTL txdctl = queue.TXDCTL.Read();
        txdctl.ENABLE = false;
        queue.TXDCTL.Write(txdctl);
        if (!WaitForEnable(queue, ref host, false)) return NicStatus.Timeout;

        Descriptors.Span.Clear();
        Tail = 0;
        Clean = 0;
        StalledSince = 0;

        queue.TDBAL.Write((uint)Descriptors.Device);
        queue.TDBAH.Write((uint)(Descriptors.Device >> 32));
        queue.TDLEN.Write(Size * (uint)sizeof(AdvTxDesc));
        queue.TDH.Write(0u);
        queue.TDT.Write(0u);

        // Prefetch 8, host 1, write back every descriptor that asks (RS): the values Linux igb
        // uses for the 82576.
        txdctl = default;
        txdctl.PTHRESH = 8;
        txdctl.HTHRESH = 1;
        txdctl.WTHRESH = 1;
        txdctl.ENABLE = true;
        queue.TXDCTL.Write(txdctl);
        if (!WaitForEnable(queue, ref host, true)) return NicStatus.Timeout;
        return NicStatus.Ok;
    }

    private static bool WaitForEnable<TAccess, THost>(Igb<TAccess>.TxQueueView queue, ref THost host, bool enabled)
        where TAccess : struct, IRegisterAccess<TAccess>
        where THost : struct, IDriverHost
    {
        Deadline deadline = Deadline.After(ref host, EnableTimeoutMicroseconds);
        while (queue.TXDCTL.Read().ENABLE != enabled)
        {
            if (deadline.Expired(ref host)) return false;
            host.Delay(10);
        }
        return true;
    }

    /// <summary>
    /// Reclaims descriptors whose write-back has DD set, oldest first, counting their frames as
    /// sent; returns how many. Stops at the first descriptor still owned by the device.
    /// </summary>
    public uint Reclaim(ref NicStats stats)
    {
        uint reclaimed = 0;
        while (Clean != Tail)
        {
            if (!Descriptor(Clean)->WriteBack.Status.DD) break;
            stats.TxFrames++;
            stats.TxBytes += Lengths[Clean < Size ? Clean : 0];
            Clean = After(Clean);
            reclaimed++;
        }
        return reclaimed;
    }

    /// <summary>
    /// Copies frames of <paramref name="batch"/> into free slots and describes each with one
    /// advanced data descriptor (DTYP data, DEXT, EOP, IFCS, RS, PAYLEN = frame length; frames
    /// shorter than <see cref="MinFrameLength"/> padded with zeros to it), then
    /// publishes them with a single TDT write after a fence. Returns how many frames of the batch
    /// were consumed: queued ones, plus ones refused as empty or too long (counted in
    /// <see cref="NicStats.TxRejected"/>). Stops when the ring is full.
    /// </summary>
    public int Send<TAccess>(Igb<TAccess> regs, in FrameBatch batch, ref NicStats stats)
        where TAccess : struct, IRegisterAccess<TAccess>
    {
        int consumed = 0;
        bool queued = false;
        for (int i = 0; i < batch.Count; i++)
        {
            int length = batch.Length(i);
            if (length == 0 || length > MaxFrameLength)
            {
                stats.TxRejected++;
                consumed++;
                continue;
            }
            if (Free == 0) break;

            DmaBuffer buffer = Buffer(Tail);
            Span<byte> copy = buffer.Span;
            batch.Frame(i).CopyTo(copy);
            if (length < MinFrameLength)
            {
                copy.Slice(length, MinFrameLength - length).Clear();
                length = MinFrameLength;
            }
            Lengths[Tail < Size ? Tail : 0] = (ushort)length;

            AdvTxDesc* d = Descriptor(Tail);
            d->Read.BufferAddress = buffer.Device;
            AdvTxDesc.ReadView.OlinfoStatusValue olinfo = default;
            olinfo.PAYLEN = (uint)length;
            d->Read.OlinfoStatus = olinfo;
            AdvTxDesc.ReadView.CmdTypeLenValue cmd = default;
            cmd.DTALEN = (uint)length;
            cmd.DTYP = AdvTxDescType.Data;
            cmd.DEXT = true;
            cmd.EOP = true;
            cmd.IFCS = true;
            cmd.RS = true;
            d->Read.CmdTypeLen = cmd;

            Tail = After(Tail);
            consumed++;
            queued = true;
        }

        if (queued)
        {
            // Frames and descriptors must be visible to the device before the tail moves.
            MemoryOrder.Full();
            regs.TxQueue(0).TDT.Write(Tail);
        }
        return consumed;
    }
}
