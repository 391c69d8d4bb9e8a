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
    /// <summary>Largest frame of the default MTU: 1514 bytes plus an 802.1Q tag; the device appends the CRC (IFCS).</summary>
    public const int MaxStandardFrameLength = EthernetFrames.MaxStandardLength;
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
    /// <summary>Frame length queued, on each frame's first descriptor (private memory), for the byte counters.</summary>
    public uint* Lengths;
    /// <summary>Descriptors each frame took (context and data), on its first descriptor (private memory).</summary>
    public ushort* Parts;
    /// <summary>Largest frame sent as it is (the MTU plus 18); segmentation trains may be longer.</summary>
    public int MaxFrameLength;
    /// <summary>The transmit offloads turned on (TxChecksum, TxTcpSegmentationV4/V6).</summary>
    public NicOffloads Offloads;
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
        uint* lengths = (uint*)host.AllocatePrivate((nuint)size * sizeof(uint));
        if (lengths == null) return NicStatus.OutOfMemory;
        ushort* parts = (ushort*)host.AllocatePrivate((nuint)size * sizeof(ushort));
        if (parts == null) return NicStatus.OutOfMemory;
        ring.Descriptors = descriptors;
        ring.Buffers = buffers;
        ring.Lengths = lengths;
        ring.Parts = parts;
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
    /// Reclaims frames whose last descriptor (the one with RS) has DD in its write-back, oldest
    /// first, counting them as sent; returns how many. Stops at the first frame still owned by the
    /// device.
    /// </summary>
    public uint Reclaim(ref NicStats stats)
    {
        uint reclaimed = 0;
        while (Clean != Tail)
        {
            uint first = Clean < Size ? Clean : 0;
            uint parts = Parts[first];
            uint inFlight = InFlight;
            if (parts == 0 || parts > inFlight) parts = 1;   // never written so: a bound, not a guess
            uint last = first + parts - 1;
            if (last >= Size) last -= Size;
            if (!Descriptor(last)->WriteBack.Status.DD) break;
            stats.TxFrames++;
            stats.TxBytes += Lengths[first];
            Clean = After(last);
            reclaimed++;
        }
        return reclaimed;
    }

    /// <summary>What a frame asks of the device, worked out from its bytes and offload metadata.</summary>
    private struct Plan
    {
        /// <summary>An advanced context descriptor goes first (checksum or segmentation).</summary>
        public bool Context;
        public bool Segment;
        public bool IPv4;
        public bool Tcp;
        public uint MacLength;
        public uint IpLength;
        public uint L4Length;
        public uint Mss;
        /// <summary>Where the TCP/UDP checksum field is, and the pseudo-header sum to seed it with.</summary>
        public int ChecksumAt;
        public ushort Seed;
        /// <summary>PAYLEN: the whole frame, or with segmentation the TCP payload.</summary>
        public uint PayloadLength;
    }

    /// <summary>
    /// Checks a frame and its <see cref="FrameOffload"/> against what this ring can do; false means
    /// reject it. A plain frame is 1 to <see cref="MaxFrameLength"/> bytes. NeedsChecksum (with
    /// <see cref="NicOffloads.TxChecksum"/> on) takes TCP (ChecksumOffset 16) or UDP (6) right
    /// after an IPv4 or IPv6 header behind an Ethernet header with at most one 802.1Q tag, the
    /// layout the context descriptor describes (MACLEN 7 bits, IPLEN 9 bits; datasheet 7.2.2.x,
    /// Linux igb_tx_csum). GsoTcpV4/V6 (with the matching offload on, NeedsChecksum set, no ECN)
    /// takes TCP of the matching IP version, a segment size whose segments fit the MTU, and a
    /// train up to <see cref="FrameBatch.MaxLength"/> (Linux igb_tso).
    /// </summary>
    private readonly bool Check(ReadOnlySpan<byte> frame, in FrameOffload offload, out Plan plan)
    {
        plan = default;
        int length = frame.Length;
        plan.PayloadLength = (uint)length;
        if (length == 0) return false;
        if (offload.IsPlain) return length <= MaxFrameLength;
        if ((offload.Flags & FrameOffload.NeedsChecksum) == 0) return false;
        bool segment = offload.GsoType != FrameOffload.GsoNone;
        if (segment)
        {
            NicOffloads needed = offload.GsoType == FrameOffload.GsoTcpV4 ? NicOffloads.TxTcpSegmentationV4
                               : offload.GsoType == FrameOffload.GsoTcpV6 ? NicOffloads.TxTcpSegmentationV6 : NicOffloads.None;
            if (needed == NicOffloads.None || (Offloads & needed) == 0 || length > FrameBatch.MaxLength) return false;
        }
        else if ((Offloads & NicOffloads.TxChecksum) == 0 || length > MaxFrameLength) return false;

        // Ethernet header, at most one 802.1Q tag.
        if (length < 14) return false;
        uint macLength = 14;
        int type = frame[12] << 8 | frame[13];
        if (type == EtherType.Vlan)
        {
            if (length < 18) return false;
            macLength = 18;
            type = frame[16] << 8 | frame[17];
        }
        int l3 = (int)macLength;
        int l4 = offload.ChecksumStart;
        if (l4 <= l3 || l4 >= length) return false;
        uint ipLength = (uint)(l4 - l3);
        if (ipLength > 511) return false;

        // The IP header: version, addresses, protocol, and the transport length it states.
        bool ipv4;
        uint l4Bytes;
        byte protocol;
        if (type == EtherType.Ipv4 && frame[l3] >> 4 == 4)
        {
            uint ihl = (uint)(frame[l3] & 0xF) * 4;
            uint total = (uint)(frame[l3 + 2] << 8 | frame[l3 + 3]);
            if (ihl < 20 || ihl != ipLength || total < ihl || l3 + total > length) return false;
            ipv4 = true;
            protocol = frame[l3 + 9];
            l4Bytes = total - ihl;
        }
        else if (type == EtherType.Ipv6 && frame[l3] >> 4 == 6 && ipLength == 40)
        {
            uint payload = (uint)(frame[l3 + 4] << 8 | frame[l3 + 5]);
            if (l3 + 40 + payload > length) return false;
            ipv4 = false;
            protocol = frame[l3 + 6];
            l4Bytes = payload;
        }
        else return false;

        bool tcp = offload.ChecksumOffset == 16 && protocol == 6 && l4Bytes >= 20;
        bool udp = offload.ChecksumOffset == 6 && protocol == 17 && l4Bytes >= 8;
        if (!tcp && !udp) return false;
        int checksumAt = l4 + offload.ChecksumOffset;
        if (checksumAt + 2 > BufferSize) return false;   // seeded in the first buffer

        plan.Context = true;
        plan.IPv4 = ipv4;
        plan.Tcp = tcp;
        plan.MacLength = macLength;
        plan.IpLength = ipLength;
        plan.ChecksumAt = checksumAt;
        if (segment)
        {
            if (!tcp || ipv4 != (offload.GsoType == FrameOffload.GsoTcpV4)) return false;
            uint tcpLength = (uint)(frame[l4 + 12] >> 4) * 4;
            uint headers = (uint)l4 + tcpLength;
            uint mss = offload.SegmentSize;
            // Each segment must fit the MTU: IP and TCP headers plus MSS at most MTU (MaxFrameLength less header and tag).
            uint mtu = (uint)(MaxFrameLength - EthernetFrames.HeaderAndTagLength);
            if (tcpLength < 20 || headers >= (uint)length || headers > BufferSize || mss == 0 || headers - macLength + mss > mtu) return false;
            plan.Segment = true;
            plan.L4Length = tcpLength;
            plan.Mss = mss;
            plan.PayloadLength = (uint)length - headers;
            // The device puts each segment's length into its pseudo-header (Linux igb_tso removes it).
            plan.Seed = PseudoHeaderSum(frame, l3, ipv4, protocol, 0);
        }
        else
        {
            plan.Seed = PseudoHeaderSum(frame, l3, ipv4, protocol, l4Bytes);
        }
        return true;
    }

    /// <summary>
    /// The folded (not complemented) ones' complement sum of the TCP/UDP pseudo-header (RFC 793,
    /// RFC 768, RFC 8200 8.1): the value a checksum offload expects in the checksum field, which
    /// the device then adds the transport bytes to (Linux CHECKSUM_PARTIAL).
    /// </summary>
    private static ushort PseudoHeaderSum(ReadOnlySpan<byte> frame, int l3, bool ipv4, byte protocol, uint length)
    {
        uint sum = protocol + (length >> 16) + (length & 0xFFFF);
        int at = ipv4 ? l3 + 12 : l3 + 8;
        int words = ipv4 ? 4 : 16;
        for (int w = 0; w < words; w++) sum += (uint)(frame[at + 2 * w] << 8 | frame[at + 2 * w + 1]);
        while (sum >> 16 != 0) sum = (sum & 0xFFFF) + (sum >> 16);
        return (ushort)sum;
    }

    /// <summary>
    /// Queues frames of <paramref name="batch"/>: an advanced context descriptor first when the
    /// frame asks for an offload (datasheet 7.2.2.x: MACLEN, IPLEN, TUCMD IPV4 and L4T, and for
    /// segmentation MSS and L4LEN), then as many advanced data descriptors as 2 KiB buffers the
    /// frame needs (DTYP data, DEXT, IFCS; EOP and RS on the last; PAYLEN, POPTS TXSM (IXSM for
    /// IPv4 segmentation) on the first; TSE on all of a segmentation train), frames shorter than
    /// <see cref="MinFrameLength"/> padded with zeros to it unless they ask for an offload (TCTL.PSP
    /// pads those). The checksum field is seeded with the
    /// pseudo-header sum in the driver's copy (the caller's frame is not changed). Publishes them
    /// with a single TDT write after a fence. Returns how many frames of the batch were consumed:
    /// queued ones, plus refused ones (empty, too long, or asking for an offload that is off or a
    /// layout the device cannot describe; counted in <see cref="NicStats.TxRejected"/>). Stops when
    /// the ring has no room for the next frame.
    /// </summary>
    public int Send<TAccess>(Igb<TAccess> regs, in FrameBatch batch, ref NicStats stats)
        where TAccess : struct, IRegisterAccess<TAccess>
    {
        int consumed = 0;
        bool queued = false;
        for (int i = 0; i < batch.Count; i++)
        {
            ReadOnlySpan<byte> frame = batch.Frame(i);
            int length = frame.Length;
            uint dataParts = ((uint)length + BufferSize - 1) / BufferSize;
            if (!Check(frame, in batch.Offload(i), out Plan plan) || dataParts + 1 > Size - 1)
            {
                stats.TxRejected++;
                consumed++;
                continue;
            }
            uint needed = dataParts + (plan.Context ? 1u : 0u);
            if (Free < needed) break;

            uint first = Tail;
            Parts[first < Size ? first : 0] = (ushort)needed;
            Lengths[first < Size ? first : 0] = (uint)(length < MinFrameLength && !plan.Context ? MinFrameLength : length);

            if (plan.Context)
            {
                AdvTxContextDesc* c = (AdvTxContextDesc*)Descriptor(Tail);
                AdvTxContextDesc.VlanMacipLensValue lens = default;
                lens.IPLEN = plan.IpLength;
                lens.MACLEN = plan.MacLength;
                c->VlanMacipLens = lens;
                c->SeqnumSeed = 0;
                AdvTxContextDesc.TypeTucmdMlhlValue tucmd = default;
                tucmd.IPV4 = plan.IPv4;
                tucmd.L4T = plan.Tcp ? 1u : 0u;
                tucmd.DTYP = AdvTxDescType.Context;
                tucmd.DEXT = true;
                c->TypeTucmdMlhl = tucmd;
                AdvTxContextDesc.MssL4lenIdxValue mss = default;
                mss.L4LEN = plan.L4Length;
                mss.MSS = plan.Mss;
                c->MssL4lenIdx = mss;
                Tail = After(Tail);
            }

            int offset = 0;
            for (uint p = 0; p < dataParts; p++)
            {
                int chunk = length - offset < (int)BufferSize ? length - offset : (int)BufferSize;
                DmaBuffer buffer = Buffer(Tail);
                Span<byte> copy = buffer.Span;
                frame.Slice(offset, chunk).CopyTo(copy);
                if (p == 0 && plan.Context)
                {
                    copy[plan.ChecksumAt] = (byte)(plan.Seed >> 8);
                    copy[plan.ChecksumAt + 1] = (byte)plan.Seed;
                }
                bool last = p + 1 == dataParts;
                // Offload frames (42 bytes and more) are left to TCTL.PSP, which pads after the
                // checksum: QEMU (net_tx_pkt) sums a padded frame's zeros into its own
                // pseudo-header length, so a frame padded here would leave with a wrong checksum.
                if (last && length < MinFrameLength && !plan.Context)
                {
                    copy.Slice(chunk, MinFrameLength - length).Clear();
                    chunk = MinFrameLength - offset;
                }

                AdvTxDesc* d = Descriptor(Tail);
                d->Read.BufferAddress = buffer.Device;
                AdvTxDesc.ReadView.OlinfoStatusValue olinfo = default;
                if (p == 0)
                {
                    olinfo.PAYLEN = length < MinFrameLength && !plan.Context ? (uint)MinFrameLength : plan.PayloadLength;
                    AdvTxPopts popts = default;
                    if (plan.Context) popts |= AdvTxPopts.TXSM;
                    if (plan.Segment && plan.IPv4) popts |= AdvTxPopts.IXSM;
                    olinfo.POPTS = popts;
                }
                d->Read.OlinfoStatus = olinfo;
                AdvTxDesc.ReadView.CmdTypeLenValue cmd = default;
                cmd.DTALEN = (uint)chunk;
                cmd.DTYP = AdvTxDescType.Data;
                cmd.DEXT = true;
                cmd.IFCS = true;
                cmd.TSE = plan.Segment;
                cmd.EOP = last;
                cmd.RS = last;
                d->Read.CmdTypeLen = cmd;
                offset += chunk;
                Tail = After(Tail);
            }
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
