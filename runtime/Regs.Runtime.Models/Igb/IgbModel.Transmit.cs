using System;
using System.Buffers.Binary;
using static Regs.Runtime.Models.Igb.IgbRegisters;

namespace Regs.Runtime.Models.Igb;

// Transmit path (datasheet 7.2): queue gating, offloads the model performs (VLAN insertion,
// IPv4/TCP/UDP checksum insertion from the context descriptor, TCP segmentation), padding,
// loopback, statistics and TXDW.
public sealed partial class IgbModel
{
    private const uint PoptsIxsm = 1u << 8, PoptsTxsm = 1u << 9; // OLINFO_STATUS.POPTS (bits 13:8)

    // A TDT write: the queue runs if TCTL.EN, its TXDCTL.ENABLE and PCI bus mastering allow DMA.
    private void RunTransmit(IgbTxQueue q)
    {
        if ((Reg(TCTL) & TCTL_EN) == 0 || !q.Enabled || !BusMaster) return;
        if (q.Index == 0) CorruptHeads();
        bool wroteBack = q.Run();
        if (wroteBack && (!TxdwRequiresIvar || IvarTxValid(q.Index))) Raise(ICR_TXDW);
    }

    /// <summary>
    /// A gathered frame: <paramref name="command"/> and <paramref name="options"/> come from its
    /// first data descriptor, <paramref name="context"/> from the context slot its IDX names.
    /// With TSE it is a TCP segmentation train, cut into segments (datasheet 7.2.4); otherwise
    /// the checksums POPTS asks for are inserted (7.2.2.x) and it goes out as it is.
    /// </summary>
    internal void SendFrame(ReadOnlySpan<byte> gathered, uint command, uint options, in IgbTxContext context)
    {
        if ((command & IgbTxQueue.CmdTse) != 0)
        {
            SendSegments(gathered, command, options, context);
            return;
        }
        byte[] frame = gathered.ToArray();
        if ((options & PoptsIxsm) != 0 && !InsertIPv4Checksum(frame, context)) { _unsentTxFrames++; return; }
        if ((options & PoptsTxsm) != 0 && !InsertL4Checksum(frame, context, 0)) { _unsentTxFrames++; return; }
        Emit(frame, command, context.Vlan);
    }

    // TCP segmentation (datasheet 7.2.4): the header is MACLEN + IPLEN + L4LEN bytes and PAYLEN
    // (olinfo bits 31:14) the payload after it, cut into MSS-byte segments. Each segment gets the
    // header with the IPv4 total length (or IPv6 payload length), the IPv4 identification plus
    // the segment's index, the sequence number advanced by the payload before it, FIN and PSH
    // only on the last segment; then the IPv4 header checksum (IXSM)
    // and the TCP checksum (TXSM), whose field holds the pseudo-header sum without length, as
    // software seeds it: the device adds the segment's TCP length.
    private void SendSegments(ReadOnlySpan<byte> train, uint command, uint options, in IgbTxContext context)
    {
        int l3 = context.MacLength, l4 = l3 + context.IpLength, header = l4 + context.L4Length;
        int payload = (int)(options >> 14), mss = context.Mss;
        if (context.L4Type != 1 || context.L4Length < 20 || context.IpLength < 20 || mss == 0
            || header + payload != train.Length || payload == 0)
        {
            _unsentTxFrames++;
            return;
        }
        ushort id = BinaryPrimitives.ReadUInt16BigEndian(train[(l3 + 4)..]);
        uint sequence = BinaryPrimitives.ReadUInt32BigEndian(train[(l4 + 4)..]);
        byte flags = train[l4 + 13];
        int segments = (payload + mss - 1) / mss;
        for (int k = 0; k < segments; k++)
        {
            int size = Math.Min(mss, payload - k * mss);
            var segment = new byte[header + size];
            train[..header].CopyTo(segment);
            train.Slice(header + k * mss, size).CopyTo(segment.AsSpan(header));
            if (context.IPv4)
            {
                BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(l3 + 2), (ushort)(context.IpLength + context.L4Length + size));
                BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(l3 + 4), (ushort)(id + k));
            }
            else
            {
                BinaryPrimitives.WriteUInt16BigEndian(segment.AsSpan(l3 + 4), (ushort)(context.IpLength - 40 + context.L4Length + size));
            }
            BinaryPrimitives.WriteUInt32BigEndian(segment.AsSpan(l4 + 4), sequence + (uint)(k * mss));
            // The flag masks' reset values (DTXTCPFLGL/H, section not confirmed): first and middle
            // segments lose FIN and PSH, the last keeps every flag.
            segment[l4 + 13] = k != segments - 1 ? (byte)(flags & ~0x09) : flags;
            if ((options & PoptsIxsm) != 0 && context.IPv4) InsertIPv4Checksum(segment, context);
            if ((options & PoptsTxsm) != 0) InsertL4Checksum(segment, context, (uint)(context.L4Length + size));
            Emit(segment, command, context.Vlan);
        }
    }

    // IXSM: the IPv4 header checksum over IPLEN bytes at MACLEN.
    private static bool InsertIPv4Checksum(byte[] frame, in IgbTxContext context)
    {
        int l3 = context.MacLength, length = context.IpLength;
        if (length < 20 || l3 + length > frame.Length) return false;
        frame[l3 + 10] = 0;
        frame[l3 + 11] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(l3 + 10), (ushort)~Fold(Sum(frame.AsSpan(l3, length), 0)));
        return true;
    }

    // TXSM: the ones' complement sum from the L4 header (MACLEN + IPLEN) to the end of the packet,
    // the checksum field included, which software seeds with the pseudo-header sum (the device
    // does not compute the pseudo-header), plus `lengthToAdd` (segmentation: the segment's TCP
    // length), complemented into the field at offset 16 (TCP) or 6 (UDP) of the L4 header.
    private static bool InsertL4Checksum(byte[] frame, in IgbTxContext context, uint lengthToAdd)
    {
        int l4 = context.MacLength + context.IpLength;
        int at = l4 + (context.L4Type == 1 ? 16 : context.L4Type == 0 ? 6 : -1 - l4);
        if (at < l4 || at + 2 > frame.Length) return false;
        ushort sum = (ushort)~Fold(Sum(frame.AsSpan(l4), lengthToAdd));
        if (sum == 0 && context.L4Type == 0) sum = 0xFFFF;   // UDP sends 0 as all ones (RFC 768)
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(at), sum);
        return true;
    }

    private static ulong Sum(ReadOnlySpan<byte> data, ulong sum)
    {
        int i = 0;
        for (; i + 1 < data.Length; i += 2) sum += (ulong)(data[i] << 8 | data[i + 1]);
        if (i < data.Length) sum += (ulong)(data[i] << 8);
        return sum;
    }

    private static ushort Fold(ulong sum)
    {
        while (sum >> 16 != 0) sum = (sum & 0xFFFF) + (sum >> 16);
        return (ushort)sum;
    }

    // The MAC's part: short-frame handling, VLAN insertion (VLE, tag from the context), padding
    // (TCTL.PSP), statistics, then the wire or the loopback.
    private void Emit(ReadOnlySpan<byte> gathered, uint command, ushort contextVlan)
    {
        if (gathered.Length < MinimumPaddedFrame)
        {
            CountShortTxFrame();
            if (DropShortTxFrames) return;
        }
        ushort vlanType = (ushort)Reg(VET);
        bool insertVlan = (command & IgbTxQueue.CmdVle) != 0 && gathered.Length >= 12;
        int length = gathered.Length + (insertVlan ? 4 : 0);
        bool pad = (Reg(TCTL) & TCTL_PSP) != 0 && length < IgbPacket.MinimumFrame;
        var frame = new byte[pad ? IgbPacket.MinimumFrame : length];
        if (insertVlan)
        {
            // 802.1Q tag from the context descriptor, EtherType from VET (datasheet section not confirmed).
            gathered[..12].CopyTo(frame);
            BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), vlanType);
            BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(14), contextVlan);
            gathered[12..].CopyTo(frame.AsSpan(16));
        }
        else gathered.CopyTo(frame);

        CountTransmitted(frame);
        // MAC loopback (RCTL.LBM = 01) or PHY loopback (BMCR bit 14) return the frame to our receiver.
        if ((Reg(RCTL) & RCTL_LBM_MASK) == RCTL_LBM_MAC || _phy.Loopback) Receive(frame);
        else Transmit(frame);
    }

    // GPTC/TPT, octets with CRC into GOTC/TOT, broadcast/multicast and size bins (8.19).
    private void CountTransmitted(ReadOnlySpan<byte> frame)
    {
        int wire = frame.Length + IgbPacket.Crc;
        _stats.Increment(IgbStatistics.GPTC);
        _stats.Increment(IgbStatistics.TPT);
        _stats.Add64(IgbStatistics.GOTCL, (ulong)wire);
        _stats.Add64(IgbStatistics.TOTL, (ulong)wire);
        _stats.CountSize(IgbStatistics.PTC64, wire);
        switch (IgbPacket.Classify(frame))
        {
            case IgbAddressClass.Broadcast: _stats.Increment(IgbStatistics.BPTC); break;
            case IgbAddressClass.Multicast: _stats.Increment(IgbStatistics.MPTC); break;
        }
        _framesTransmitted++;
    }
}
