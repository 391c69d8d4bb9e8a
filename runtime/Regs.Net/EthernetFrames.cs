using System;

namespace Regs.Net;

/// <summary>
/// Builds and parses the few frames a NIC bring-up needs: ARP (RFC 826) and ICMP echo over IPv4
/// (RFC 792, RFC 791), and answers them for a station. Bare-metal subset: spans and integers only.
/// IPv4 addresses are uints with the first octet highest (see <see cref="Ipv4"/>).
/// </summary>
public static class EthernetFrames
{
    /// <summary>Ethernet minimum frame length without the FCS; shorter frames are zero-padded.</summary>
    public const int MinimumLength = 60;
    /// <summary>Ethernet's MTU (payload bytes) where nothing else is negotiated.</summary>
    public const int StandardMtu = 1500;
    /// <summary>What a frame carries besides its MTU-bounded payload: destination, source, one 802.1Q tag and the EtherType (FCS excluded).</summary>
    public const int HeaderAndTagLength = EthernetHeader + VlanTag;
    /// <summary>The longest frame of <see cref="StandardMtu"/> without the FCS: 1518 bytes, tagged.</summary>
    public const int MaxStandardLength = StandardMtu + HeaderAndTagLength;

    private const int EthernetHeader = 14, VlanTag = 4, ArpLength = 28, Ipv4Header = 20, IcmpHeader = 8;

    /// <summary>Writes an ARP request "who has <paramref name="targetIp"/>" (broadcast); returns the frame length.</summary>
    public static int ArpRequest(Span<byte> frame, MacAddress source, uint sourceIp, uint targetIp)
        => Arp(frame, 1, source, sourceIp, MacAddress.Broadcast, default, targetIp);

    /// <summary>Writes an ARP reply "<paramref name="sourceIp"/> is at <paramref name="source"/>" to the asker; returns the frame length.</summary>
    public static int ArpReply(Span<byte> frame, MacAddress source, uint sourceIp, MacAddress target, uint targetIp)
        => Arp(frame, 2, source, sourceIp, target, target, targetIp);

    private static int Arp(Span<byte> frame, ushort operation, MacAddress source, uint sourceIp, MacAddress destination, MacAddress targetHardware, uint targetIp)
    {
        if (frame.Length < MinimumLength) return 0;
        frame.Slice(0, MinimumLength).Clear();
        EthernetHeaderTo(frame, destination, source, EtherType.Arp);
        Span<byte> arp = frame.Slice(EthernetHeader);
        Put16(arp, 0, 1);              // hardware: Ethernet
        Put16(arp, 2, EtherType.Ipv4);  // protocol: IPv4
        arp[4] = 6;
        arp[5] = 4;
        Put16(arp, 6, operation);
        source.CopyTo(arp.Slice(8));
        Put32(arp, 14, sourceIp);
        targetHardware.CopyTo(arp.Slice(18));
        Put32(arp, 24, targetIp);
        return MinimumLength;
    }

    /// <summary>Reads an ARP packet for IPv4 over Ethernet; false for anything else.</summary>
    public static bool TryParseArp(ReadOnlySpan<byte> frame, out ArpPacket packet)
    {
        packet = default;
        if (frame.Length < EthernetHeader + ArpLength || Get16(frame, 12) != EtherType.Arp) return false;
        ReadOnlySpan<byte> arp = frame.Slice(EthernetHeader);
        if (Get16(arp, 0) != 1 || Get16(arp, 2) != EtherType.Ipv4 || arp[4] != 6 || arp[5] != 4) return false;
        packet = new ArpPacket(Get16(arp, 6), MacAddress.From(arp.Slice(8)), Get32(arp, 14), MacAddress.From(arp.Slice(18)), Get32(arp, 24));
        return true;
    }

    /// <summary>Writes an ICMP echo request (or reply) with <paramref name="payload"/>; returns the frame length, 0 if it does not fit.</summary>
    public static int IcmpEcho(Span<byte> frame, bool reply, MacAddress source, uint sourceIp, MacAddress destination, uint destinationIp,
                               ushort identifier, ushort sequence, ReadOnlySpan<byte> payload)
    {
        int ipLength = Ipv4Header + IcmpHeader + payload.Length;
        int length = EthernetHeader + ipLength;
        int padded = length < MinimumLength ? MinimumLength : length;
        if (frame.Length < padded || ipLength > 1500) return 0;
        frame.Slice(0, padded).Clear();
        EthernetHeaderTo(frame, destination, source, EtherType.Ipv4);
        Span<byte> ip = frame.Slice(EthernetHeader, ipLength);
        ip[0] = 0x45;                  // version 4, 5-word header
        Put16(ip, 2, (ushort)ipLength);
        Put16(ip, 4, sequence);        // identification
        ip[8] = 64;                    // TTL
        ip[9] = 1;                     // ICMP
        Put32(ip, 12, sourceIp);
        Put32(ip, 16, destinationIp);
        Put16(ip, 10, Checksum(ip.Slice(0, Ipv4Header)));
        Span<byte> icmp = ip.Slice(Ipv4Header);
        icmp[0] = reply ? (byte)0 : (byte)8;
        Put16(icmp, 4, identifier);
        Put16(icmp, 6, sequence);
        payload.CopyTo(icmp.Slice(IcmpHeader));
        Put16(icmp, 2, Checksum(icmp));
        return padded;
    }

    /// <summary>Reads an ICMP echo request or reply, checking both checksums; false for anything else.</summary>
    public static bool TryParseIcmpEcho(ReadOnlySpan<byte> frame, out IcmpEchoPacket packet)
    {
        packet = default;
        if (frame.Length < EthernetHeader + Ipv4Header + IcmpHeader || Get16(frame, 12) != EtherType.Ipv4) return false;
        ReadOnlySpan<byte> ip = frame.Slice(EthernetHeader);
        int headerLength = (ip[0] & 0xF) * 4;
        int totalLength = Get16(ip, 2);
        if (ip[0] >> 4 != 4 || headerLength < Ipv4Header || totalLength > ip.Length || totalLength < headerLength + IcmpHeader || ip[9] != 1) return false;
        if (Checksum(ip.Slice(0, headerLength)) != 0) return false;
        ReadOnlySpan<byte> icmp = ip.Slice(headerLength, totalLength - headerLength);
        if ((icmp[0] != 0 && icmp[0] != 8) || icmp[1] != 0 || Checksum(icmp) != 0) return false;
        packet = new IcmpEchoPacket(icmp[0] == 0, MacAddress.From(frame.Slice(6)), Get32(ip, 12), MacAddress.From(frame), Get32(ip, 16),
                                    Get16(icmp, 4), Get16(icmp, 6), icmp.Length - IcmpHeader);
        return true;
    }

    /// <summary>
    /// What a station at <paramref name="mac"/>/<paramref name="ip"/> answers to <paramref name="frame"/>:
    /// an ARP reply to a request for its address, an echo reply to an echo request to it (same
    /// identifier, sequence and payload). Returns the reply's length, 0 when there is nothing to answer.
    /// </summary>
    public static int Answer(ReadOnlySpan<byte> frame, MacAddress mac, uint ip, Span<byte> reply)
    {
        if (TryParseArp(frame, out ArpPacket arp))
            return arp.Operation == 1 && arp.TargetIp == ip ? ArpReply(reply, mac, ip, arp.SenderMac, arp.SenderIp) : 0;
        if (TryParseIcmpEcho(frame, out IcmpEchoPacket echo) && !echo.IsReply && echo.DestinationIp == ip && echo.Destination.Bits == mac.Bits)
        {
            ReadOnlySpan<byte> payload = frame.Slice(EthernetHeader + (frame[EthernetHeader] & 0xF) * 4 + IcmpHeader, echo.PayloadLength);
            return IcmpEcho(reply, true, mac, ip, echo.Source, echo.SourceIp, echo.Identifier, echo.Sequence, payload);
        }
        return 0;
    }

    /// <summary>The Internet checksum (RFC 1071) of <paramref name="data"/>; 0 when data already holds a correct checksum.</summary>
    public static ushort Checksum(ReadOnlySpan<byte> data)
    {
        uint sum = 0;
        int i = 0;
        for (; i + 1 < data.Length; i += 2) sum += (uint)(data[i] << 8 | data[i + 1]);
        if (i < data.Length) sum += (uint)(data[i] << 8);
        while (sum >> 16 != 0) sum = (sum & 0xFFFF) + (sum >> 16);
        return (ushort)~sum;
    }

    private static void EthernetHeaderTo(Span<byte> frame, MacAddress destination, MacAddress source, ushort etherType)
    {
        destination.CopyTo(frame);
        source.CopyTo(frame.Slice(6));
        Put16(frame, 12, etherType);
    }

    private static void Put16(Span<byte> s, int at, ushort v) { s[at] = (byte)(v >> 8); s[at + 1] = (byte)v; }
    private static void Put32(Span<byte> s, int at, uint v) { Put16(s, at, (ushort)(v >> 16)); Put16(s, at + 2, (ushort)v); }
    private static ushort Get16(ReadOnlySpan<byte> s, int at) => (ushort)(s[at] << 8 | s[at + 1]);
    private static uint Get32(ReadOnlySpan<byte> s, int at) => (uint)Get16(s, at) << 16 | Get16(s, at + 2);
}
