using System;
using System.Buffers.Binary;
using static Regs.Runtime.Models.Igb.IgbRegisters;

namespace Regs.Runtime.Models.Igb;

// Receive path (datasheet 7.1): acceptance, size and VLAN checks, address filtering (7.1.1), the
// packet-buffer FIFO, placement into queue 0 and statistics. Without RSS or VMDq (MRQC.MRQE = 0)
// the 82576 and QEMU put every accepted frame on queue 0.
public sealed partial class IgbModel
{
    private const uint StatusVP = 1u << 3, StatusUDPCS = 1u << 4, StatusL4I = 1u << 5, StatusIPCS = 1u << 6;
    private const uint ErrorL4E = 1u << 29, ErrorIPE = 1u << 30;
    private const uint AdvancedOneBuffer = 1;

    private bool ReceiverReady =>
        (Reg(STATUS) & STATUS_LU) != 0 && (Reg(RCTL) & RCTL_EN) != 0 && BusMaster;

    // A frame from the wire (or looped back). Frames carry no CRC here; the MAC adds one when it
    // stores the frame unless RCTL.SECRC strips it.
    private void Receive(ReadOnlySpan<byte> wire)
    {
        if ((Reg(STATUS) & STATUS_LU) == 0) { _framesDropped++; return; } // nothing arrives without link
        if (!ReceiverReady) { Missed(); return; }

        // Runts are padded to the 60-byte minimum and counted as undersized (QEMU igb_receive_internal).
        byte[] frame;
        if (wire.Length < IgbPacket.MinimumFrame)
        {
            frame = new byte[IgbPacket.MinimumFrame];
            wire.CopyTo(frame);
            _stats.Increment(IgbStatistics.RUC);
        }
        else frame = wire.ToArray();

        ushort vlanType = (ushort)Reg(VET);
        bool tagged = BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(12)) == vlanType;
        uint rctl = Reg(RCTL);
        // Long packets (receive, 7.1; the subsection is not confirmed): beyond 1500 bytes of
        // payload unless RCTL.LPE, then RLPML (with CRC).
        bool oversized = (rctl & RCTL_LPE) != 0
            ? frame.Length + IgbPacket.Crc > (Reg(RLPML) & 0x3FFF)
            : frame.Length > IgbPacket.EthernetHeader + (tagged ? 4 : 0) + 1500;
        if (oversized && (rctl & RCTL_SBP) == 0)
        {
            _stats.Increment(IgbStatistics.ROC);
            _framesDropped++;
            return;
        }
        if (tagged && (rctl & RCTL_VFE) != 0 && frame.Length >= 16)
        {
            // VLAN filter (VFTA, section not confirmed): one bit per VLAN id.
            int vid = BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(14)) & 0xFFF;
            if ((Reg(VFTA + 4 * (vid >> 5)) & 1u << (vid & 31)) == 0) { _framesFiltered++; return; }
        }
        if (!AddressAccepted(frame)) { _framesFiltered++; return; }

        // RNBC counts frames that find no free descriptor, whether or not the FIFO keeps them
        // (statistics, 8.19; the RNBC subsection is not confirmed).
        if (_rx[0].Free == 0) _stats.Increment(IgbStatistics.RNBC);
        if (_fifo.Count >= ReceiveFifoFrames)
        {
            Missed();
            Raise(ICR_RXO);
            return;
        }
        _fifo.Enqueue(frame);
        DrainReceive();
    }

    private void Missed()
    {
        _stats.Increment(IgbStatistics.MPC);
        _framesDropped++;
    }

    // Destination filtering (7.1.1.1): broadcast with BAM, promiscuous modes, the exact filters
    // RAL/RAH 0-15 with AV, the 4096-bit multicast table hashed on the address bits RCTL.MO selects
    // (MTA, section not confirmed), then RAL/RAH 16-23.
    private bool AddressAccepted(ReadOnlySpan<byte> frame)
    {
        uint rctl = Reg(RCTL);
        var kind = IgbPacket.Classify(frame);
        if (kind == IgbAddressClass.Broadcast && (rctl & RCTL_BAM) != 0) return true;
        if (kind == IgbAddressClass.Multicast && (rctl & RCTL_MPE) != 0) return true;
        if (kind == IgbAddressClass.Unicast && (rctl & RCTL_UPE) != 0) return true;
        for (int i = 0; i < 16; i++) if (ExactMatch(RA + 8 * i, frame)) return true;
        if (kind != IgbAddressClass.Unicast)
        {
            // MO 0..3 take destination bits 47:36, 46:35, 45:34, 43:32 (e1000 family hash).
            int shift = ((rctl >> RCTL_MO_SHIFT) & 3) switch { 0 => 4, 1 => 3, 2 => 2, _ => 0 };
            int hash = ((frame[5] << 8 | frame[4]) >> shift) & 0xFFF;
            if ((Reg(MTA + 4 * (hash >> 5)) & 1u << (hash & 31)) != 0) return true;
        }
        for (int i = 0; i < 8; i++) if (ExactMatch(RA2 + 8 * i, frame)) return true;
        return false;
    }

    private bool ExactMatch(int ral, ReadOnlySpan<byte> frame)
    {
        uint high = Reg(ral + 4);
        if ((high & RAH_AV) == 0) return false;
        uint low = Reg(ral);
        return frame[0] == (byte)low && frame[1] == (byte)(low >> 8) && frame[2] == (byte)(low >> 16)
            && frame[3] == (byte)(low >> 24) && frame[4] == (byte)high && frame[5] == (byte)(high >> 8);
    }

    // Moves frames from the FIFO into queue 0 while descriptors last. Called on arrival and
    // whenever the driver may have made room (RDT, RXDCTL.ENABLE, RCTL.EN writes).
    private void DrainReceive()
    {
        uint causes = 0;
        var q = _rx[0];
        Span<byte> crc = stackalloc byte[IgbPacket.Crc];
        while (_fifo.Count > 0 && ReceiverReady)
        {
            if (!q.Enabled || q.Halted)
            {
                // QEMU discards frames for a disabled queue; a halted one takes nothing either.
                _fifo.Dequeue();
                Missed();
                continue;
            }
            if (q.DescriptorType != AdvancedOneBuffer)
            {
                // QEMU writes advanced descriptors whatever DESCTYPE says and real hardware writes
                // legacy ones for 0: a driver must select 1 to work on both, so other values drop.
                _fifo.Dequeue();
                _rxDescriptorTypeErrors++;
                Missed();
                continue;
            }
            if (q.Count == 0) break; // ring not set up yet: keep the frames

            byte[] frame = _fifo.Peek();
            uint rctl = Reg(RCTL);
            var metadata = Describe(ref frame);
            int crcLength = (rctl & RCTL_SECRC) != 0 ? 0 : IgbPacket.Crc;
            int total = frame.Length + crcLength;
            int bufferSize = q.BufferSize(rctl);
            uint needed = (uint)((total + bufferSize - 1) / bufferSize);
            if (needed > q.Count - 1)
            {
                // Could never fit even in an empty ring: overrun.
                _fifo.Dequeue();
                Missed();
                causes |= ICR_RXO;
                continue;
            }
            if (q.Free < needed) break; // wait for the driver to return descriptors

            _fifo.Dequeue();
            IgbPacket.WriteCrc(frame, crc);
            if (!q.Place(frame, crc[..crcLength], bufferSize, metadata))
            {
                Missed();
                continue;
            }
            CountReceived(frame, metadata);
            WriteDoneBeyondTail(q);
            MaybeFlapLink();
            causes |= ICR_RXT0;
            // RXDMT0 when the free descriptors reach SRRCTL.RDMTS x 16 (QEMU igb_rx_descr_threshold_hit).
            if (q.Free == q.MinimumThreshold) causes |= ICR_RXDMT0;
        }
        Raise(causes);
    }

    // Strips the VLAN tag when CTRL.VME is set (7.4) and works out the write-back fields: packet
    // type, IP id (RXCSUM.PCSD clear) and checksum status per RXCSUM.IPOFL/TUOFL (7.1.10).
    private IgbRxMetadata Describe(ref byte[] frame)
    {
        ushort vlanType = (ushort)Reg(VET);
        uint status = 0;
        ushort vlan = 0;
        if ((Reg(CTRL) & CTRL_VME) != 0 && frame.Length >= 18
            && BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(12)) == vlanType)
        {
            vlan = BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(14));
            var stripped = new byte[frame.Length - 4];
            frame.AsSpan(0, 12).CopyTo(stripped);
            frame.AsSpan(16).CopyTo(stripped.AsSpan(12));
            frame = stripped;
            status |= StatusVP;
        }
        var layers = IgbPacket.Parse(frame, vlanType);
        uint rxcsum = Reg(RXCSUM);
        ushort ipId = 0;
        if ((rxcsum & RXCSUM_PCSD) == 0 && layers.IPv4)
            ipId = BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(layers.L3 + 4));
        if ((rxcsum & RXCSUM_IPOFL) != 0 && layers.IPv4)
            status |= StatusIPCS | (IgbPacket.IPv4HeaderValid(frame, layers) ? 0 : ErrorIPE);
        if ((rxcsum & RXCSUM_TUOFL) != 0 && IgbPacket.L4ChecksumValid(frame, layers) is bool valid)
        {
            status |= StatusL4I | (valid ? 0 : ErrorL4E);
            if (layers.Protocol == 17) status |= StatusUDPCS;
        }
        return new IgbRxMetadata(IgbPacket.PacketType(layers), ipId, status, vlan);
    }

    // GPRC/TPR, octets with CRC into GORC/TOR, broadcast/multicast and size bins (8.19).
    private void CountReceived(ReadOnlySpan<byte> frame, in IgbRxMetadata metadata)
    {
        int wire = frame.Length + IgbPacket.Crc + ((metadata.Status & StatusVP) != 0 ? 4 : 0);
        _stats.Increment(IgbStatistics.GPRC);
        _stats.Increment(IgbStatistics.TPR);
        _stats.Add64(IgbStatistics.GORCL, (ulong)wire);
        _stats.Add64(IgbStatistics.TORL, (ulong)wire);
        _stats.CountSize(IgbStatistics.PRC64, wire);
        switch (IgbPacket.Classify(frame))
        {
            case IgbAddressClass.Broadcast: _stats.Increment(IgbStatistics.BPRC); break;
            case IgbAddressClass.Multicast: _stats.Increment(IgbStatistics.MPRC); break;
        }
        _framesReceived++;
    }
}
