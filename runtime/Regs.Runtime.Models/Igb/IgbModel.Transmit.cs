using System;
using System.Buffers.Binary;
using static Regs.Runtime.Models.Igb.IgbRegisters;

namespace Regs.Runtime.Models.Igb;

// Transmit path (datasheet 7.2): queue gating, offloads the model performs (VLAN insertion,
// IPv4/TCP/UDP checksum insertion), padding, loopback, statistics and TXDW.
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

    /// <summary>A gathered frame: <paramref name="command"/> and <paramref name="options"/> come from its first data descriptor.</summary>
    internal void SendFrame(ReadOnlySpan<byte> gathered, uint command, uint options, ushort contextVlan)
    {
        if ((command & IgbTxQueue.CmdTse) != 0)
        {
            // TCP segmentation is not modelled: say so instead of sending a giant frame.
            _unsentTxFrames++;
            return;
        }
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

        if ((options & (PoptsIxsm | PoptsTxsm)) != 0)
        {
            var layers = IgbPacket.Parse(frame.AsSpan(0, length), vlanType);
            if ((options & PoptsIxsm) != 0) IgbPacket.InsertIPv4Checksum(frame, layers);
            if ((options & PoptsTxsm) != 0) IgbPacket.InsertL4Checksum(frame, layers);
        }

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
