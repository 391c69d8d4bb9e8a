using System;
using System.Buffers.Binary;
using System.Collections.Generic;

namespace Regs.Runtime.Models.Virtio;

/// <summary>
/// What a virtio-net device does with a transmitted packet's header (virtio 1.2 5.1.6.2): complete
/// a partial checksum (NEEDS_CSUM: the 16-bit ones' complement sum from csum_start to the end,
/// stored at csum_start + csum_offset) and cut a TCP segmentation train into MSS-sized segments
/// (gso_type TCPV4/TCPV6, gso_size), each with its own IP length, IPv4 identification and header
/// checksum, TCP sequence number, flags and checksum; and on receive, whether a frame's TCP/UDP
/// checksum is right (for DATA_VALID, 5.1.6.4.1). Written from the spec and RFC 791/793/8200, not
/// from the driver.
/// </summary>
internal static class VirtioNetOffloadModel
{
    public const byte NEEDS_CSUM = 1, DATA_VALID = 2;
    public const byte GSO_NONE = 0, GSO_TCPV4 = 1, GSO_TCPV6 = 4, GSO_ECN = 0x80;

    private const int EthernetHeader = 14;
    private const ushort EtherTypeIPv4 = 0x0800, EtherTypeIPv6 = 0x86DD;
    private const byte ProtocolTcp = 6, ProtocolUdp = 17;

    /// <summary>RFC 1071 ones' complement sum of <paramref name="bytes"/> added to <paramref name="sum"/> (not folded).</summary>
    public static ulong Sum(ReadOnlySpan<byte> bytes, ulong sum = 0)
    {
        int i = 0;
        for (; i + 1 < bytes.Length; i += 2) sum += (ulong)(bytes[i] << 8 | bytes[i + 1]);
        if (i < bytes.Length) sum += (ulong)(bytes[i] << 8);
        return sum;
    }

    /// <summary>The folded, complemented checksum of a sum.</summary>
    public static ushort Finish(ulong sum)
    {
        while (sum >> 16 != 0) sum = (sum & 0xFFFF) + (sum >> 16);
        return (ushort)~sum;
    }

    /// <summary>NEEDS_CSUM: completes the checksum in place; false when the fields lie outside the frame.</summary>
    public static bool CompleteChecksum(Span<byte> frame, int start, int offset)
    {
        if (start + offset + 2 > frame.Length) return false;
        ushort c = Finish(Sum(frame[start..]));
        BinaryPrimitives.WriteUInt16BigEndian(frame[(start + offset)..], c);
        return true;
    }

    /// <summary>
    /// Cuts a TCP segmentation train into segments of at most <paramref name="mss"/> payload bytes,
    /// every segment's checksums complete. Null when the frame is not the TCP over IPv4/IPv6 the
    /// gso type names (no VLAN tag, no IPv6 extension headers in this model).
    /// </summary>
    public static List<byte[]>? Segment(ReadOnlySpan<byte> frame, byte gsoType, int mss)
    {
        byte kind = (byte)(gsoType & ~GSO_ECN);
        if (mss <= 0 || frame.Length < EthernetHeader) return null;
        ushort etherType = BinaryPrimitives.ReadUInt16BigEndian(frame[12..]);
        bool v4 = kind == GSO_TCPV4;
        if (kind != GSO_TCPV4 && kind != GSO_TCPV6) return null;
        if (etherType != (v4 ? EtherTypeIPv4 : EtherTypeIPv6)) return null;
        int ipLength = v4 ? (frame[EthernetHeader] & 0xF) * 4 : 40;
        if (frame.Length < EthernetHeader + ipLength + 20) return null;
        byte protocol = v4 ? frame[EthernetHeader + 9] : frame[EthernetHeader + 6];
        if (protocol != ProtocolTcp) return null;
        int tcp = EthernetHeader + ipLength;
        int tcpLength = (frame[tcp + 12] >> 4) * 4;
        int headers = tcp + tcpLength;
        if (tcpLength < 20 || headers > frame.Length) return null;
        ReadOnlySpan<byte> payload = frame[headers..];
        uint sequence = BinaryPrimitives.ReadUInt32BigEndian(frame[(tcp + 4)..]);
        ushort id = v4 ? BinaryPrimitives.ReadUInt16BigEndian(frame[(EthernetHeader + 4)..]) : (ushort)0;
        byte flags = frame[tcp + 13];
        var segments = new List<byte[]>();
        int count = Math.Max(1, (payload.Length + mss - 1) / mss);
        for (int k = 0; k < count; k++)
        {
            int at = k * mss, n = Math.Min(mss, payload.Length - at);
            byte[] s = new byte[headers + n];
            frame[..headers].CopyTo(s);
            payload.Slice(at, n).CopyTo(s.AsSpan(headers));
            if (v4)
            {
                BinaryPrimitives.WriteUInt16BigEndian(s.AsSpan(EthernetHeader + 2), (ushort)(ipLength + tcpLength + n));
                BinaryPrimitives.WriteUInt16BigEndian(s.AsSpan(EthernetHeader + 4), (ushort)(id + k));
                s[EthernetHeader + 10] = s[EthernetHeader + 11] = 0;
                BinaryPrimitives.WriteUInt16BigEndian(s.AsSpan(EthernetHeader + 10), Finish(Sum(s.AsSpan(EthernetHeader, ipLength))));
            }
            else
            {
                BinaryPrimitives.WriteUInt16BigEndian(s.AsSpan(EthernetHeader + 4), (ushort)(tcpLength + n));
            }
            BinaryPrimitives.WriteUInt32BigEndian(s.AsSpan(tcp + 4), sequence + (uint)at);
            byte f = flags;
            if (k != count - 1) f &= unchecked((byte)~0x09);     // FIN and PSH only on the last segment
            if (k != 0) f &= unchecked((byte)~0x80);             // CWR only on the first (ECN)
            s[tcp + 13] = f;
            s[tcp + 16] = s[tcp + 17] = 0;
            BinaryPrimitives.WriteUInt16BigEndian(s.AsSpan(tcp + 16), Finish(Sum(s.AsSpan(tcp), PseudoHeader(s, v4, ipLength, tcpLength + n, ProtocolTcp))));
            segments.Add(s);
        }
        return segments;
    }

    /// <summary>True when the frame is TCP or UDP over IPv4/IPv6 and its L4 checksum is right (UDP over IPv4 may carry none).</summary>
    public static bool L4ChecksumValid(ReadOnlySpan<byte> frame)
    {
        if (frame.Length < EthernetHeader + 20) return false;
        ushort etherType = BinaryPrimitives.ReadUInt16BigEndian(frame[12..]);
        bool v4 = etherType == EtherTypeIPv4;
        if (!v4 && etherType != EtherTypeIPv6) return false;
        int ipLength = v4 ? (frame[EthernetHeader] & 0xF) * 4 : 40;
        int total = v4 ? BinaryPrimitives.ReadUInt16BigEndian(frame[(EthernetHeader + 2)..]) : 40 + (frame.Length >= EthernetHeader + 6 ? BinaryPrimitives.ReadUInt16BigEndian(frame[(EthernetHeader + 4)..]) : 0);
        if (ipLength < 20 || EthernetHeader + total > frame.Length || total < ipLength + 8) return false;
        byte protocol = v4 ? frame[EthernetHeader + 9] : frame[EthernetHeader + 6];
        if (protocol != ProtocolTcp && protocol != ProtocolUdp) return false;
        int l4 = EthernetHeader + ipLength, l4Length = total - ipLength;
        if (protocol == ProtocolUdp && v4 && BinaryPrimitives.ReadUInt16BigEndian(frame[(l4 + 6)..]) == 0) return true;
        return Finish(Sum(frame.Slice(l4, l4Length), PseudoHeader(frame, v4, ipLength, l4Length, protocol))) == 0;
    }

    // RFC 793 / RFC 8200 8.1: source and destination addresses, protocol, L4 length.
    private static ulong PseudoHeader(ReadOnlySpan<byte> frame, bool v4, int ipLength, int l4Length, byte protocol)
    {
        ulong sum = v4 ? Sum(frame.Slice(EthernetHeader + 12, 8)) : Sum(frame.Slice(EthernetHeader + 8, 32));
        return sum + protocol + (ulong)l4Length;
    }
}
