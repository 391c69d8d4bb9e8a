using System;
using System.Buffers.Binary;
using Regs.Net;
using Regs.Nic;
using Regs.Runtime.Hosted.Tap;

namespace Regs.Tap;

/// <summary>What to do with a frame read from the TAP interface, given the NIC's offloads.</summary>
public enum TapFrameVerdict
{
    /// <summary>Send it with its offload metadata: the NIC does what it asks.</summary>
    Send,
    /// <summary>It asked for a checksum the NIC does not insert: completed in software, sent plain.</summary>
    ChecksumCompleted,
    /// <summary>Its header is impossible (checksum outside the frame) or asks for a segmentation the NIC does not do: dropped and counted.</summary>
    Refused,
}

/// <summary>
/// The mapping between the TAP interface's virtio-net header (virtio 1.2 §5.1.6) and a frame's
/// <see cref="FrameOffload"/>, and between a NIC's <see cref="NicOffloads"/> and the TUNSETOFFLOAD
/// flags. FrameOffload's fields are the header's, so the mapping copies; what it decides is which
/// requests a NIC can honour.
/// </summary>
public static class TapOffloadMapping
{
    /// <summary>
    /// What the TAP interface may hand over unfinished for a NIC with <paramref name="nic"/>:
    /// TUN_F_CSUM only if the NIC completes checksums, TUN_F_TSO4/6 and TUN_F_TSO_ECN only with it
    /// and the matching segmentation. None otherwise: the kernel then checksums and segments
    /// itself (Linux tun.c, set_offload: no NETIF_F_HW_CSUM, no NETIF_F_TSO*).
    /// </summary>
    public static TunOffloads ForNic(NicOffloads nic)
    {
        if ((nic & NicOffloads.TxChecksum) == 0) return TunOffloads.None;
        TunOffloads t = TunOffloads.Checksum;
        if ((nic & NicOffloads.TxTcpSegmentationV4) != 0) t |= TunOffloads.TcpSegmentationV4;
        if ((nic & NicOffloads.TxTcpSegmentationV6) != 0) t |= TunOffloads.TcpSegmentationV6;
        if ((nic & NicOffloads.TxTcpEcn) != 0 && (t & (TunOffloads.TcpSegmentationV4 | TunOffloads.TcpSegmentationV6)) != 0) t |= TunOffloads.TcpEcn;
        return t;
    }

    /// <summary>The offloads as short text for a status line ("none", or "csum,tso4,...").</summary>
    public static string Describe(NicOffloads nic)
    {
        if (nic == NicOffloads.None) return "none";
        var names = new System.Collections.Generic.List<string>();
        if ((nic & NicOffloads.TxChecksum) != 0) names.Add("tx-csum");
        if ((nic & NicOffloads.TxTcpSegmentationV4) != 0) names.Add("tso4");
        if ((nic & NicOffloads.TxTcpSegmentationV6) != 0) names.Add("tso6");
        if ((nic & NicOffloads.TxTcpEcn) != 0) names.Add("tso-ecn");
        if ((nic & NicOffloads.RxChecksum) != 0) names.Add("rx-csum");
        if ((nic & NicOffloads.RxTcpCoalescingV4) != 0) names.Add("lro4");
        if ((nic & NicOffloads.RxTcpCoalescingV6) != 0) names.Add("lro6");
        if ((nic & NicOffloads.RxTcpEcn) != 0) names.Add("lro-ecn");
        return string.Join(',', names);
    }

    /// <summary>
    /// The transmit metadata of a frame the kernel handed over with <paramref name="header"/>
    /// (NEEDS_CSUM and the GSO fields; DATA_VALID means nothing on transmit and is not kept).
    /// </summary>
    public static FrameOffload ToOffload(in VirtioNetHeader header)
    {
        FrameOffload o = default;
        o.Flags = (byte)(header.Flags & VirtioNetHeader.FlagNeedsChecksum);
        o.GsoType = header.GsoType;
        if (header.GsoType != VirtioNetHeader.GsoNone)
        {
            o.HeaderLength = header.HeaderLength;
            o.SegmentSize = header.GsoSize;
        }
        if ((header.Flags & VirtioNetHeader.FlagNeedsChecksum) != 0)
        {
            o.ChecksumStart = header.ChecksumStart;
            o.ChecksumOffset = header.ChecksumOffset;
        }
        return o;
    }

    /// <summary>
    /// The header for a frame the NIC received with <paramref name="offload"/>: NEEDS_CSUM and the
    /// GSO fields as the NIC gave them (a coalesced frame), DATA_VALID when the NIC validated the
    /// checksums (the DataValid flag, or its L4 check passed with no IP or L4 error), so the kernel
    /// does not check them again (tun_get_user sets CHECKSUM_UNNECESSARY).
    /// </summary>
    public static VirtioNetHeader ToHeader(in FrameOffload offload)
    {
        VirtioNetHeader h = default;
        if ((offload.Flags & FrameOffload.NeedsChecksum) != 0)
        {
            h.Flags = VirtioNetHeader.FlagNeedsChecksum;
            h.ChecksumStart = offload.ChecksumStart;
            h.ChecksumOffset = offload.ChecksumOffset;
        }
        else if ((offload.Flags & FrameOffload.DataValid) != 0
                 || ((offload.Checks & FrameOffload.L4Checked) != 0 && (offload.Checks & (FrameOffload.L4Bad | FrameOffload.IpBad)) == 0))
            h.Flags = VirtioNetHeader.FlagDataValid;
        if (offload.GsoType != FrameOffload.GsoNone)
        {
            h.GsoType = offload.GsoType;
            h.HeaderLength = offload.HeaderLength;
            h.GsoSize = offload.SegmentSize;
        }
        return h;
    }

    /// <summary>
    /// Decides what to do with <paramref name="frame"/>, read with <paramref name="header"/>, for a
    /// NIC with <paramref name="nic"/>, completing its checksum in software when it asked for one
    /// the NIC does not insert (then <paramref name="offload"/> is plain). A checksum position
    /// outside the frame, or a segmentation the NIC does not do (UFO never), is refused.
    /// </summary>
    public static TapFrameVerdict Prepare(in VirtioNetHeader header, Span<byte> frame, NicOffloads nic, out FrameOffload offload)
    {
        offload = ToOffload(header);
        bool needsChecksum = (offload.Flags & FrameOffload.NeedsChecksum) != 0;
        if (needsChecksum && (uint)offload.ChecksumStart + offload.ChecksumOffset + 2u > (uint)frame.Length) return TapFrameVerdict.Refused;
        if (offload.GsoType != FrameOffload.GsoNone)
        {
            NicOffloads needed = (offload.GsoType & ~FrameOffload.GsoEcn) switch
            {
                FrameOffload.GsoTcpV4 => NicOffloads.TxTcpSegmentationV4,
                FrameOffload.GsoTcpV6 => NicOffloads.TxTcpSegmentationV6,
                _ => (NicOffloads)0xFFFF_FFFF,   // UDP fragmentation and unknown types: no NIC here does them
            };
            if ((offload.GsoType & FrameOffload.GsoEcn) != 0) needed |= NicOffloads.TxTcpEcn;
            if ((nic & needed) != needed || !needsChecksum || offload.SegmentSize == 0) return TapFrameVerdict.Refused;
            return TapFrameVerdict.Send;
        }
        if (needsChecksum && (nic & NicOffloads.TxChecksum) == 0)
        {
            CompleteChecksum(frame, offload.ChecksumStart, offload.ChecksumOffset);
            offload = default;
            return TapFrameVerdict.ChecksumCompleted;
        }
        return TapFrameVerdict.Send;
    }

    /// <summary>
    /// Completes a CHECKSUM_PARTIAL checksum (virtio 1.2 §5.1.6.2: the field at start + offset
    /// holds the pseudo-header sum): the one's-complement sum of the bytes from
    /// <paramref name="start"/> to the end of <paramref name="frame"/>, stored complemented
    /// (RFC 1071). A UDP result of 0 is sent as 0xFFFF (RFC 768). The caller checked the bounds.
    /// </summary>
    public static void CompleteChecksum(Span<byte> frame, int start, int offset)
    {
        ushort result = EthernetFrames.Checksum(frame.Slice(start));
        if (result == 0 && offset == 6) result = 0xFFFF;   // UDP: 0 means "no checksum"
        BinaryPrimitives.WriteUInt16BigEndian(frame.Slice(start + offset), result);
    }
}
