using System;
using Regs.Igb;
using Regs.Nic;
using Regs.Runtime;

namespace Regs.Drivers.Igb;

// The register block, not this namespace.
using Igb = global::Regs.Igb.Igb;

/// <summary>
/// Receive queue 0: a ring of advanced receive descriptors (datasheet 7.1.5) and one packet buffer
/// per descriptor, both in DMA memory. The value lives in the driver's private memory; the device
/// sees only the descriptors and buffers.
/// </summary>
/// <remarks>
/// Ownership (datasheet 7.1.4): the device owns the descriptors from RDH up to RDT - 1. The driver
/// reads from <see cref="Next"/> while the write-back has DD set, re-arms each descriptor in the
/// read format and then moves RDT once, to the last descriptor it re-armed, which keeps one
/// descriptor back so that RDH == RDT always means "ring empty". The data path never reads RDH:
/// the driver's own index and the DD bits are the only truth it uses (the watchdog reads RDH to
/// check the device's health). The held-back descriptor at <see cref="Tail"/> was never posted,
/// so DD found on it when RDT moves past it is a device fault, as is a write-back that could not
/// be true (length 0 or beyond the buffer, no EOP although every buffer holds a whole frame): a
/// stale buffer is never delivered.
/// </remarks>
internal unsafe struct IgbRxRing
{
    /// <summary>Packet buffers start on a cache line (the device needs bit 0 clear).</summary>
    public const uint BufferAlignment = 128;
    /// <summary>Microseconds to wait for RXDCTL.ENABLE to read back as written.</summary>
    public const uint EnableTimeoutMicroseconds = 10_000;

    /// <summary>The descriptor ring.</summary>
    public DmaBuffer Descriptors;
    /// <summary>Size packet buffers of BufferSize bytes, buffer i belonging to descriptor i.</summary>
    public DmaBuffer Buffers;
    /// <summary>Descriptors in the ring.</summary>
    public uint Size;
    /// <summary>Bytes per packet buffer (a multiple of <see cref="Igb.BsizePacketUnit"/>, the unit of SRRCTL.BSIZEPACKET).</summary>
    public uint BufferSize;
    /// <summary>The longest frame the receiver accepts (the MTU plus 18, no FCS): longer chains are device faults.</summary>
    public int MaxFrameLength;
    /// <summary>Report the write-back's checksum status in each frame's offload metadata (RXCSUM offloads on).</summary>
    public bool ReportChecksums;
    /// <summary>The next descriptor the driver looks at.</summary>
    public uint Next;
    /// <summary>The value last written to RDT: the descriptor held back from the device.</summary>
    public uint Tail;
    /// <summary>When the watchdog first saw the device's head past <see cref="Next"/> without DD there (host clock), 0 when it did not.</summary>
    public ulong StalledSince;

    /// <summary>Allocates the ring and its buffers (only while initialising).</summary>
    public static NicStatus Allocate<THost>(ref THost host, uint size, uint bufferSize, out IgbRxRing ring)
        where THost : struct, IDriverHost
    {
        ring = default;
        nuint ringBytes = (nuint)size * (nuint)sizeof(AdvRxDesc);
        nuint bufferBytes = (nuint)size * bufferSize;
        DmaBuffer descriptors = host.AllocateDma(ringBytes, Igb.RingBaseAlignment);
        if (descriptors.IsEmpty || descriptors.Length < ringBytes) return NicStatus.OutOfMemory;
        DmaBuffer buffers = host.AllocateDma(bufferBytes, BufferAlignment);
        if (buffers.IsEmpty || buffers.Length < bufferBytes) return NicStatus.OutOfMemory;
        ring.Descriptors = descriptors;
        ring.Buffers = buffers;
        ring.Size = size;
        ring.BufferSize = bufferSize;
        return NicStatus.Ok;
    }

    /// <summary>Descriptor <paramref name="i"/>; an index outside the ring (never produced) reads descriptor 0, so memory outside it is never touched.</summary>
    public readonly AdvRxDesc* Descriptor(uint i) => Descriptors.As<AdvRxDesc>((nuint)(i < Size ? i : 0) * (nuint)sizeof(AdvRxDesc));

    /// <summary>The packet buffer of descriptor <paramref name="i"/> (bounded like <see cref="Descriptor"/>).</summary>
    public readonly DmaBuffer Buffer(uint i) => Buffers.Slice((nuint)(i < Size ? i : 0) * BufferSize, BufferSize);

    /// <summary>The index after <paramref name="i"/>, wrapping at the ring size (a compare: a division per descriptor costs more than the rest of the loop).</summary>
    public readonly uint After(uint i) => i + 1 >= Size ? 0 : i + 1;

    /// <summary>
    /// Hands descriptor <paramref name="i"/> back in the read format (datasheet 7.1.5): the packet
    /// buffer's device address and header address 0 (no header split). Writing the second quadword
    /// also clears the DD bit of the previous write-back.
    /// </summary>
    public readonly void Arm(uint i)
    {
        AdvRxDesc* d = Descriptor(i);
        d->Read.PacketAddress = Buffer(i).Device;
        d->Read.HeaderAddress = 0;
    }

    /// <summary>True when the device has written back the descriptor at <see cref="Next"/>.</summary>
    public readonly bool HasPacket() => Size != 0 && Descriptor(Next)->WriteBack.StatusError.DD;

    /// <summary>
    /// Receive queue set-up (receive initialisation, datasheet 4.5.9; registers 8.10): stop the
    /// queue, program the ring base and length, the buffer size and descriptor type in SRRCTL, fill
    /// every descriptor, RDH = RDT = 0 while the queue is still off, enable the queue and wait until
    /// RXDCTL.ENABLE reads 1, and only then give the device all descriptors but one (RDT = size - 1).
    /// RCTL is programmed by the caller.
    /// </summary>
    public NicStatus Start<TAccess, THost>(Igb<TAccess> regs, ref THost host)
        where TAccess : struct, IRegisterAccess<TAccess>
        where THost : struct, IDriverHost
    {
        Igb<TAccess>.RxQueueView queue = regs.RxQueue(0);

        // The queue must be disabled while its ring registers change; RXDCTL0 comes up enabled after reset.
        Igb.RXDCTL rxdctl = queue.RXDCTL.Read();
        rxdctl.ENABLE = false;
        queue.RXDCTL.Write(rxdctl);
        if (!WaitForEnable(queue, ref host, false)) return NicStatus.Timeout;

        queue.RDBAL.Write((uint)Descriptors.Device);
        queue.RDBAH.Write((uint)(Descriptors.Device >> 32));
        queue.RDLEN.Write(Size * (uint)sizeof(AdvRxDesc));
        // Head and tail while the queue is off (Linux igb_configure_rx_ring writes both as 0
        // before enabling): with RDH == RDT the device owns nothing yet.
        queue.RDH.Write(0u);
        queue.RDT.Write(0u);

        // One buffer per descriptor, advanced format, and drop (rather than stall) when the ring is
        // empty. RDMTS raises RXDMT0 when half the ring is left, or at the field's largest count
        // for rings of 1,024 and more (half of those would not fit its 5 bits).
        Igb.SRRCTL srrctl = default;
        srrctl.BSIZEPACKET = BufferSize / Igb.BsizePacketUnit;
        srrctl.DESCTYPE = SrrctlDescType.ADV_ONEBUF;
        srrctl.DROP_EN = true;
        uint threshold = Size / 2 / Igb.RdmtsUnit;
        srrctl.RDMTS = threshold < Igb.RdmtsMax ? threshold : Igb.RdmtsMax;
        queue.SRRCTL.Write(srrctl);

        for (uint i = 0; i < Size; i++) Arm(i);
        Next = 0;
        Tail = Size - 1;
        StalledSince = 0;

        // Thresholds as Linux igb uses them on the 82576: prefetch 8, host 8, write back each descriptor.
        rxdctl = default;
        rxdctl.PTHRESH = 8;
        rxdctl.HTHRESH = 8;
        rxdctl.WTHRESH = 1;
        rxdctl.ENABLE = true;
        queue.RXDCTL.Write(rxdctl);
        if (!WaitForEnable(queue, ref host, true)) return NicStatus.Timeout;

        // The tail may move only once ENABLE reads 1.
        MemoryOrder.Full();
        queue.RDT.Write(Tail);
        return NicStatus.Ok;
    }

    private static bool WaitForEnable<TAccess, THost>(Igb<TAccess>.RxQueueView queue, ref THost host, bool enabled)
        where TAccess : struct, IRegisterAccess<TAccess>
        where THost : struct, IDriverHost
    {
        Deadline deadline = Deadline.After(ref host, EnableTimeoutMicroseconds);
        while (queue.RXDCTL.Read().ENABLE != enabled)
        {
            if (deadline.Expired(ref host)) return false;
            host.Delay(10);
        }
        return true;
    }

    /// <summary>
    /// Moves the frames the device has written back (datasheet 7.1.5.2, the write-back format) into
    /// <paramref name="batch"/>, re-arms their descriptors and moves RDT once. A frame longer than
    /// one buffer spans consecutive descriptors, each full but the last, which has EOP (datasheet
    /// 7.1.5; Linux igb_is_non_eop): the driver gathers them into one contiguous batch frame. A
    /// frame whose descriptors are not all written back yet stays for the next call. A write-back
    /// that could not be true is counted in <see cref="NicStats.ProtocolErrors"/> and sets
    /// <paramref name="deviceFault"/> (the frames before it are delivered, the caller resets the
    /// device): a length of 0 or beyond the buffer, a partly filled buffer without EOP, a frame
    /// longer than <see cref="MaxFrameLength"/> or still without EOP after the most descriptors
    /// such a frame takes, or DD on the held-back descriptor. Frames with RXE are dropped; a frame
    /// longer than the caller's empty batch is dropped and counted in <see cref="NicStats.RxDropped"/>.
    /// With <see cref="ReportChecksums"/>, the EOP write-back's checksum status (IPCS, L4I, IPE,
    /// L4E; datasheet 7.1.5.2, Linux igb_rx_checksum) goes into the frame's <see cref="FrameOffload"/>.
    /// </summary>
    public int Receive<TAccess>(Igb<TAccess> regs, ref FrameBatch batch, ref NicStats stats, ref IgbDeviceStats device, ref bool deviceFault)
        where TAccess : struct, IRegisterAccess<TAccess>
    {
        batch.Clear();
        int count = 0;
        bool moved = false;
        uint last = 0;
        uint maxParts = ((uint)MaxFrameLength + BufferSize - 1) / BufferSize;

        // At most Size - 1 descriptors can be owned by the device at once: a bound that holds even
        // if a faulty device sets DD on descriptors it was never given.
        uint seen = 0;
        while (seen < Size - 1 && !batch.IsFull)
        {
            if (!Descriptor(Next)->WriteBack.StatusError.DD) break;

            // The frame's descriptors, from Next to the one with EOP.
            uint parts = 0, total = 0, at = Next;
            bool complete = false, bad = false;
            AdvRxDesc.WriteBackView.StatusErrorValue status = default;
            while (true)
            {
                AdvRxDesc* d = Descriptor(at);
                status = d->WriteBack.StatusError;
                if (!status.DD) break;                        // the rest is not written back yet
                uint length = d->WriteBack.Length;
                parts++;
                total += length;
                if (length == 0 || length > BufferSize || (!status.EOP && length != BufferSize) || total > (uint)MaxFrameLength)
                {
                    bad = true;
                    break;
                }
                if (status.EOP) { complete = true; break; }
                if (parts >= maxParts || seen + parts >= Size - 1) { bad = true; break; }
                at = After(at);
            }
            if (bad)
            {
                stats.ProtocolErrors++;
                deviceFault = true;
                break;
            }
            if (!complete) break;

            if (status.RXE)
            {
                device.RxErrorDescriptors++;
            }
            else if ((int)total > batch.FreeBytes)
            {
                // A frame the batch has no room for stays in the ring for the next call, unless the
                // batch is empty: then it can never fit, and is dropped rather than stall the ring.
                if (batch.Count != 0) break;
                stats.RxDropped++;
            }
            else
            {
                Span<byte> free = batch.Free();
                uint offset = 0, index = Next;
                for (uint p = 0; p < parts; p++)
                {
                    uint length = Descriptor(index)->WriteBack.Length;
                    new ReadOnlySpan<byte>(Buffer(index).Cpu, (int)length).CopyTo(free.Slice((int)offset));
                    offset += length;
                    index = After(index);
                }
                int frame = batch.Commit((int)total);
                if (ReportChecksums && frame >= 0) Checks(status, ref batch.Offload(frame));
                count++;
                stats.RxFrames++;
                stats.RxBytes += total;
            }

            for (uint p = 0; p < parts; p++)
            {
                Arm(Next);
                last = Next;
                Next = After(Next);
            }
            seen += parts;
            moved = true;
        }

        if (moved && !deviceFault)
        {
            // Moving RDT hands the held-back descriptor over: it must still be as the driver armed it.
            if (Descriptor(Tail)->WriteBack.StatusError.DD)
            {
                stats.ProtocolErrors++;
                deviceFault = true;
                return count;
            }
            // The re-armed descriptors must be visible before the tail hands them back.
            MemoryOrder.Full();
            Tail = last;
            regs.RxQueue(0).RDT.Write(last);
        }
        return count;
    }

    /// <summary>
    /// The receive checksum status of an EOP write-back (datasheet 7.1.5.2; Linux igb_rx_checksum):
    /// nothing when IXSM says to ignore it; IPCS/IPE for the IPv4 header, L4I (TCP or UDP, UDPCS
    /// for UDP) and L4E for the transport checksum. DataValid when a transport checksum was
    /// checked and nothing was wrong.
    /// </summary>
    private static void Checks(AdvRxDesc.WriteBackView.StatusErrorValue status, ref FrameOffload offload)
    {
        if (status.IXSM) return;
        byte checks = 0;
        if (status.IPCS) checks |= FrameOffload.IpChecked;
        if (status.IPCS && status.IPE) checks |= FrameOffload.IpBad;
        if (status.L4I || status.UDPCS) checks |= FrameOffload.L4Checked;
        if ((status.L4I || status.UDPCS) && status.L4E) checks |= FrameOffload.L4Bad;
        offload.Checks = checks;
        if ((checks & FrameOffload.L4Checked) != 0 && (checks & (FrameOffload.IpBad | FrameOffload.L4Bad)) == 0)
            offload.Flags |= FrameOffload.DataValid;
    }
}
