using System;
using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Regs.Nic;
using Regs.Runtime.Hosted.Tap;
using Regs.Tap;
using Xunit;

namespace Regs.Drivers.Tests.Tap;

/// <summary>The virtio-net header (what a TAP interface speaks) to and from a frame's FrameOffload, and which NIC offloads the TAP interface may rely on.</summary>
[Trait("Category", "Traffic")]
public sealed class TapOffloadMappingTests
{
    // A TCP SYN Linux sent from 192.0.2.1:44488 to 192.0.2.2:5009 through a TAP interface with no
    // offloads (captured on the model cable by the traffic tests): its checksum, 0x1982, is Linux's.
    private const string LinuxSyn =
        "525400123457525400123456080045000" + "03C42144000400674A4C0000201C0000202" + "ADC8139158A448B500000000A002FAF019820000020405B40402080A0F3E3D95000000000103030A";
    private const int TcpStart = 34, TcpChecksumOffset = 16;

    [Fact]
    public void The_header_is_virtio_net_hdr_v1_twelve_bytes()
    {
        // virtio 1.2 5.1.6: u8 flags, u8 gso_type, le16 hdr_len, gso_size, csum_start, csum_offset, num_buffers.
        Assert.Equal(12, Marshal.SizeOf<VirtioNetHeader>());
        Assert.Equal(0, (int)Marshal.OffsetOf<VirtioNetHeader>(nameof(VirtioNetHeader.Flags)));
        Assert.Equal(1, (int)Marshal.OffsetOf<VirtioNetHeader>(nameof(VirtioNetHeader.GsoType)));
        Assert.Equal(2, (int)Marshal.OffsetOf<VirtioNetHeader>(nameof(VirtioNetHeader.HeaderLength)));
        Assert.Equal(4, (int)Marshal.OffsetOf<VirtioNetHeader>(nameof(VirtioNetHeader.GsoSize)));
        Assert.Equal(6, (int)Marshal.OffsetOf<VirtioNetHeader>(nameof(VirtioNetHeader.ChecksumStart)));
        Assert.Equal(8, (int)Marshal.OffsetOf<VirtioNetHeader>(nameof(VirtioNetHeader.ChecksumOffset)));
        Assert.Equal(10, (int)Marshal.OffsetOf<VirtioNetHeader>(nameof(VirtioNetHeader.NumBuffers)));
        // The constants are the header's (include/uapi/linux/virtio_net.h) and FrameOffload's.
        Assert.Equal(FrameOffload.NeedsChecksum, VirtioNetHeader.FlagNeedsChecksum);
        Assert.Equal(FrameOffload.DataValid, VirtioNetHeader.FlagDataValid);
        Assert.Equal(FrameOffload.GsoTcpV4, VirtioNetHeader.GsoTcpV4);
        Assert.Equal(FrameOffload.GsoTcpV6, VirtioNetHeader.GsoTcpV6);
        Assert.Equal(FrameOffload.GsoUdp, VirtioNetHeader.GsoUdp);
        Assert.Equal(FrameOffload.GsoEcn, VirtioNetHeader.GsoEcn);
    }

    [Fact]
    public void A_frame_from_the_kernel_keeps_its_checksum_and_segmentation_requests_and_drops_data_valid()
    {
        var header = new VirtioNetHeader
        {
            Flags = VirtioNetHeader.FlagNeedsChecksum | VirtioNetHeader.FlagDataValid,
            GsoType = VirtioNetHeader.GsoTcpV4 | VirtioNetHeader.GsoEcn,
            HeaderLength = 66, GsoSize = 1448, ChecksumStart = 34, ChecksumOffset = 16, NumBuffers = 7,
        };
        FrameOffload o = TapOffloadMapping.ToOffload(header);
        Assert.Equal(FrameOffload.NeedsChecksum, o.Flags);
        Assert.Equal(FrameOffload.GsoTcpV4 | FrameOffload.GsoEcn, o.GsoType);
        Assert.Equal((66, 1448, 34, 16, 0), (o.HeaderLength, o.SegmentSize, o.ChecksumStart, o.ChecksumOffset, o.Checks));

        // Without NEEDS_CSUM and GSO the checksum and segment fields mean nothing and are not carried.
        FrameOffload plain = TapOffloadMapping.ToOffload(new VirtioNetHeader { Flags = VirtioNetHeader.FlagDataValid, HeaderLength = 9, GsoSize = 9, ChecksumStart = 9, ChecksumOffset = 9 });
        Assert.True(plain.IsPlain);
        Assert.Equal(default(FrameOffload), plain);
    }

    [Theory]
    // flags, checks, gso -> header flags
    [InlineData(0, 0, 0, 0)]
    [InlineData(FrameOffload.DataValid, 0, 0, VirtioNetHeader.FlagDataValid)]
    [InlineData(0, FrameOffload.IpChecked | FrameOffload.L4Checked, 0, VirtioNetHeader.FlagDataValid)]
    [InlineData(0, FrameOffload.L4Checked, 0, VirtioNetHeader.FlagDataValid)]
    [InlineData(0, FrameOffload.IpChecked, 0, 0)]                                        // only the IP header checked: the kernel checks TCP/UDP
    [InlineData(0, FrameOffload.IpChecked | FrameOffload.L4Checked | FrameOffload.L4Bad, 0, 0)]   // a bad checksum is the kernel's to count and drop
    [InlineData(0, FrameOffload.IpChecked | FrameOffload.L4Checked | FrameOffload.IpBad, 0, 0)]
    [InlineData(FrameOffload.NeedsChecksum, 0, FrameOffload.GsoTcpV4, VirtioNetHeader.FlagNeedsChecksum)]
    public void A_received_frame_tells_the_kernel_what_the_nic_checked_or_coalesced(byte flags, byte checks, byte gso, byte expectedFlags)
    {
        var offload = new FrameOffload { Flags = flags, Checks = checks, GsoType = gso };
        if (gso != 0) { offload.HeaderLength = 66; offload.SegmentSize = 1448; }
        if ((flags & FrameOffload.NeedsChecksum) != 0) { offload.ChecksumStart = 34; offload.ChecksumOffset = 16; }
        VirtioNetHeader h = TapOffloadMapping.ToHeader(offload);
        Assert.Equal(expectedFlags, h.Flags);
        Assert.Equal(gso, h.GsoType);
        Assert.Equal(gso != 0 ? (ushort)66 : (ushort)0, h.HeaderLength);
        Assert.Equal(gso != 0 ? (ushort)1448 : (ushort)0, h.GsoSize);
        Assert.Equal((flags & FrameOffload.NeedsChecksum) != 0 ? (ushort)34 : (ushort)0, h.ChecksumStart);
        Assert.Equal((flags & FrameOffload.NeedsChecksum) != 0 ? (ushort)16 : (ushort)0, h.ChecksumOffset);
        Assert.Equal(0, h.NumBuffers);
    }

    [Theory]
    [InlineData(NicOffloads.None, TunOffloads.None)]
    [InlineData(NicOffloads.RxChecksum | NicOffloads.RxTcpCoalescingV4, TunOffloads.None)]
    [InlineData(NicOffloads.TxTcpSegmentationV4 | NicOffloads.TxTcpSegmentationV6, TunOffloads.None)]   // TSO without checksum insertion: the kernel refuses it, so none
    [InlineData(NicOffloads.TxChecksum, TunOffloads.Checksum)]
    [InlineData(NicOffloads.TxChecksum | NicOffloads.TxTcpSegmentationV4, TunOffloads.Checksum | TunOffloads.TcpSegmentationV4)]
    [InlineData(NicOffloads.TxChecksum | NicOffloads.TxTcpEcn, TunOffloads.Checksum)]
    [InlineData(NicOffloads.TxChecksum | NicOffloads.TxTcpSegmentationV4 | NicOffloads.TxTcpSegmentationV6 | NicOffloads.TxTcpEcn,
        TunOffloads.Checksum | TunOffloads.TcpSegmentationV4 | TunOffloads.TcpSegmentationV6 | TunOffloads.TcpEcn)]
    public void The_kernel_may_hand_over_unfinished_only_what_the_nic_finishes(NicOffloads nic, TunOffloads expected)
    {
        Assert.Equal(expected, TapOffloadMapping.ForNic(nic));
        // The numeric values are if_tun.h's TUN_F_*.
        Assert.Equal(0x01u, (uint)TunOffloads.Checksum);
        Assert.Equal(0x02u, (uint)TunOffloads.TcpSegmentationV4);
        Assert.Equal(0x04u, (uint)TunOffloads.TcpSegmentationV6);
        Assert.Equal(0x08u, (uint)TunOffloads.TcpEcn);
    }

    [Fact]
    public void A_checksum_the_nic_does_not_insert_is_completed_in_software_as_linux_computes_it()
    {
        byte[] frame = Convert.FromHexString(LinuxSyn);
        ushort linux = BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(TcpStart + TcpChecksumOffset));
        Assert.Equal(0x1982, linux);
        // CHECKSUM_PARTIAL as the kernel hands it over: the field holds the folded pseudo-header sum.
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(TcpStart + TcpChecksumOffset), PseudoHeaderSum(frame, TcpStart));
        var header = new VirtioNetHeader { Flags = VirtioNetHeader.FlagNeedsChecksum, ChecksumStart = TcpStart, ChecksumOffset = TcpChecksumOffset };

        Assert.Equal(TapFrameVerdict.ChecksumCompleted, TapOffloadMapping.Prepare(header, frame, NicOffloads.None, out FrameOffload offload));
        Assert.True(offload.IsPlain);
        Assert.Equal(LinuxSyn, Convert.ToHexString(frame));
        Assert.Equal(0xFFFF, IndependentL4Sum(frame, TcpStart));
    }

    [Fact]
    public void A_nic_that_inserts_checksums_gets_the_request_untouched()
    {
        byte[] frame = Convert.FromHexString(LinuxSyn);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(TcpStart + TcpChecksumOffset), PseudoHeaderSum(frame, TcpStart));
        byte[] before = (byte[])frame.Clone();
        var header = new VirtioNetHeader { Flags = VirtioNetHeader.FlagNeedsChecksum, ChecksumStart = TcpStart, ChecksumOffset = TcpChecksumOffset };
        Assert.Equal(TapFrameVerdict.Send, TapOffloadMapping.Prepare(header, frame, NicOffloads.TxChecksum, out FrameOffload offload));
        Assert.Equal(before, frame);
        Assert.Equal((FrameOffload.NeedsChecksum, (ushort)TcpStart, (ushort)TcpChecksumOffset), (offload.Flags, offload.ChecksumStart, offload.ChecksumOffset));
    }

    [Fact]
    public void A_udp_checksum_that_comes_out_zero_is_sent_as_all_ones()
    {
        // Ethernet + IPv4 (20) + UDP (8) + 8 bytes; the last payload word is chosen so the sum is 0xFFFF.
        byte[] frame = new byte[14 + 20 + 8 + 8];
        frame[12] = 0x08;
        frame[14] = 0x45; frame[23] = 17;
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(16), 36);
        new byte[] { 192, 0, 2, 1, 192, 0, 2, 2 }.CopyTo(frame, 26);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(34), 4000);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(36), 5000);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(38), 16);
        "abcdef"u8.CopyTo(frame.AsSpan(42));
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(40), PseudoHeaderSum(frame, 34));
        byte[] probe = (byte[])frame.Clone();
        TapOffloadMapping.CompleteChecksum(probe, 34, 6);
        ushort withZero = BinaryPrimitives.ReadUInt16BigEndian(probe.AsSpan(40));
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(48), withZero);   // adds ~sum: the sum becomes 0xFFFF
        TapOffloadMapping.CompleteChecksum(frame, 34, 6);
        Assert.Equal(0xFFFF, BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(40)));
        Assert.Equal(0xFFFF, IndependentL4Sum(frame, 34));
    }

    [Theory]
    [InlineData(NicOffloads.None, 0, 60, 16, TapFrameVerdict.Refused)]                              // checksum field past the end
    [InlineData(NicOffloads.TxChecksum, 0, 34, 60, TapFrameVerdict.Refused)]
    [InlineData(NicOffloads.TxChecksum, FrameOffload.GsoTcpV4, 34, 16, TapFrameVerdict.Refused)]     // no TSO on this NIC
    [InlineData(NicOffloads.TxChecksum | NicOffloads.TxTcpSegmentationV4, FrameOffload.GsoTcpV4, 34, 16, TapFrameVerdict.Send)]
    [InlineData(NicOffloads.TxChecksum | NicOffloads.TxTcpSegmentationV4, FrameOffload.GsoTcpV6, 54, 16, TapFrameVerdict.Refused)]
    [InlineData(NicOffloads.TxChecksum | NicOffloads.TxTcpSegmentationV4, FrameOffload.GsoTcpV4 | FrameOffload.GsoEcn, 34, 16, TapFrameVerdict.Refused)]
    [InlineData(NicOffloads.TxChecksum | NicOffloads.TxTcpSegmentationV4 | NicOffloads.TxTcpEcn, FrameOffload.GsoTcpV4 | FrameOffload.GsoEcn, 34, 16, TapFrameVerdict.Send)]
    [InlineData(NicOffloads.TxChecksum | NicOffloads.TxTcpSegmentationV4 | NicOffloads.TxTcpSegmentationV6, FrameOffload.GsoUdp, 34, 6, TapFrameVerdict.Refused)]   // UFO: no NIC here
    public void Requests_the_nic_cannot_honour_are_refused_not_sent_corrupted(NicOffloads nic, byte gso, int start, int offset, TapFrameVerdict expected)
    {
        byte[] frame = Convert.FromHexString(LinuxSyn);
        byte[] before = (byte[])frame.Clone();
        var header = new VirtioNetHeader { Flags = VirtioNetHeader.FlagNeedsChecksum, GsoType = gso, ChecksumStart = (ushort)start, ChecksumOffset = (ushort)offset };
        if (gso != 0) { header.HeaderLength = 66; header.GsoSize = 1448; }
        Assert.Equal(expected, TapOffloadMapping.Prepare(header, frame, nic, out FrameOffload offload));
        Assert.Equal(before, frame);
        if (expected == TapFrameVerdict.Send) Assert.Equal((gso, (ushort)1448), (offload.GsoType, offload.SegmentSize));
    }

    // The TCP/UDP pseudo-header of an IPv4 frame (RFC 793 3.1, RFC 768), summed and folded, not complemented.
    private static ushort PseudoHeaderSum(byte[] frame, int l4Start)
    {
        uint sum = 0;
        for (int i = 26; i < 34; i += 2) sum += BinaryPrimitives.ReadUInt16BigEndian(frame.AsSpan(i));
        sum += frame[23];
        sum += (uint)(frame.Length - l4Start);
        while (sum > 0xFFFF) sum = (sum & 0xFFFF) + (sum >> 16);
        return (ushort)sum;
    }

    // The whole TCP/UDP checksum check: pseudo-header plus segment, folded; 0xFFFF when right.
    private static int IndependentL4Sum(byte[] frame, int l4Start)
    {
        long sum = 0;
        for (int i = 26; i < 34; i += 2) sum += frame[i] * 256 + frame[i + 1];
        sum += frame[23] + (frame.Length - l4Start);
        for (int i = l4Start; i < frame.Length; i += 2) sum += frame[i] * 256 + (i + 1 < frame.Length ? frame[i + 1] : 0);
        while (sum > 0xFFFF) sum = (sum & 0xFFFF) + (sum >> 16);
        return (int)sum;
    }
}
