using System;
using System.Buffers.Binary;

namespace Regs.Runtime.Models.Igb;

/// <summary>Destination class of a frame, for filtering and the BPRC/MPRC/BPTC/MPTC counters.</summary>
internal enum IgbAddressClass { Unicast, Multicast, Broadcast }

/// <summary>
/// Just enough frame parsing for what the 82576 reports and offloads: the packet type of the
/// advanced receive write-back (7.1.5.2), IPv4 header and TCP/UDP checksum checks (7.1.10) and
/// insertion (7.2.5), and the Ethernet CRC the MAC appends unless RCTL.SECRC strips it.
/// </summary>
internal static class IgbPacket
{
    public const int EthernetHeader = 14, MinimumFrame = 60, Crc = 4;
    private const byte Tcp = 6, Udp = 17, Sctp = 132;

    /// <summary>Where the layers of a frame start; offsets are -1 where a layer is absent.</summary>
    public readonly struct Layers
    {
        public Layers(int l3, bool ipv4, bool ipv6, int l4, byte protocol, int l4Length)
        { L3 = l3; IPv4 = ipv4; IPv6 = ipv6; L4 = l4; Protocol = protocol; L4Length = l4Length; }
        public int L3 { get; }
        public bool IPv4 { get; }
        public bool IPv6 { get; }
        public int L4 { get; }
        public byte Protocol { get; }
        public int L4Length { get; }
    }

    public static IgbAddressClass Classify(ReadOnlySpan<byte> frame)
    {
        if (frame.Length < 6) return IgbAddressClass.Unicast;
        if (frame[..6].IndexOfAnyExcept((byte)0xFF) < 0) return IgbAddressClass.Broadcast;
        return (frame[0] & 1) != 0 ? IgbAddressClass.Multicast : IgbAddressClass.Unicast;
    }

    /// <summary>Finds IPv4/IPv6 and an unfragmented TCP/UDP/SCTP header behind at most one VLAN tag.</summary>
    public static Layers Parse(ReadOnlySpan<byte> frame, ushort vlanEtherType)
    {
        int at = EthernetHeader;
        if (frame.Length < at) return new Layers(-1, false, false, -1, 0, 0);
        ushort type = BinaryPrimitives.ReadUInt16BigEndian(frame[12..]);
        if (type == vlanEtherType && frame.Length >= at + 4)
        {
            type = BinaryPrimitives.ReadUInt16BigEndian(frame[16..]);
            at += 4;
        }
        if (type == 0x0800 && frame.Length >= at + 20 && frame[at] >> 4 == 4)
        {
            int ihl = (frame[at] & 0xF) * 4;
            int total = BinaryPrimitives.ReadUInt16BigEndian(frame[(at + 2)..]);
            bool fragment = (BinaryPrimitives.ReadUInt16BigEndian(frame[(at + 6)..]) & 0x3FFF) != 0;
            if (ihl < 20 || at + ihl > frame.Length) return new Layers(-1, false, false, -1, 0, 0);
            if (total < ihl || at + total > frame.Length) return new Layers(at, true, false, -1, 0, 0);
            byte protocol = frame[at + 9];
            if (fragment || !IsL4(protocol)) return new Layers(at, true, false, -1, protocol, 0);
            return new Layers(at, true, false, at + ihl, protocol, total - ihl);
        }
        if (type == 0x86DD && frame.Length >= at + 40 && frame[at] >> 4 == 6)
        {
            int payload = BinaryPrimitives.ReadUInt16BigEndian(frame[(at + 4)..]);
            byte next = frame[at + 6];
            if (at + 40 + payload > frame.Length || !IsL4(next)) return new Layers(at, false, true, -1, next, 0);
            return new Layers(at, false, true, at + 40, next, payload);
        }
        return new Layers(-1, false, false, -1, 0, 0);
    }

    /// <summary>The PKT_TYPE bits of the receive write-back (bits 15:4 of the low dword).</summary>
    public static ushort PacketType(in Layers layers)
    {
        int t = 0;
        if (layers.IPv4) t |= 1 << 0;
        if (layers.IPv6) t |= 1 << 2;
        if (layers.L4 >= 0)
            t |= layers.Protocol switch { Tcp => 1 << 4, Udp => 1 << 5, Sctp => 1 << 6, _ => 0 };
        return (ushort)t;
    }

    /// <summary>True when the IPv4 header checksum is correct.</summary>
    public static bool IPv4HeaderValid(ReadOnlySpan<byte> frame, in Layers layers)
    {
        int ihl = (frame[layers.L3] & 0xF) * 4;
        return Fold(Sum(frame.Slice(layers.L3, ihl), 0)) == 0xFFFF;
    }

    /// <summary>
    /// Checks a TCP or UDP checksum; null when there is nothing to check (not TCP/UDP, or UDP over
    /// IPv4 sent without a checksum).
    /// </summary>
    public static bool? L4ChecksumValid(ReadOnlySpan<byte> frame, in Layers layers)
    {
        if (layers.L4 < 0 || layers.Protocol is not (Tcp or Udp)) return null;
        int checksumAt = layers.L4 + (layers.Protocol == Tcp ? 16 : 6);
        if (checksumAt + 2 > layers.L4 + layers.L4Length) return false;
        if (layers.Protocol == Udp && layers.IPv4 && BinaryPrimitives.ReadUInt16BigEndian(frame[checksumAt..]) == 0) return null;
        return Fold(Sum(frame.Slice(layers.L4, layers.L4Length), PseudoHeader(frame, layers))) == 0xFFFF;
    }

    /// <summary>Fills in the IPv4 header checksum (POPTS.IXSM).</summary>
    public static void InsertIPv4Checksum(Span<byte> frame, in Layers layers)
    {
        if (!layers.IPv4) return;
        int ihl = (frame[layers.L3] & 0xF) * 4;
        BinaryPrimitives.WriteUInt16BigEndian(frame[(layers.L3 + 10)..], 0);
        BinaryPrimitives.WriteUInt16BigEndian(frame[(layers.L3 + 10)..], (ushort)~Fold(Sum(frame.Slice(layers.L3, ihl), 0)));
    }

    /// <summary>Fills in the TCP or UDP checksum (POPTS.TXSM).</summary>
    public static void InsertL4Checksum(Span<byte> frame, in Layers layers)
    {
        if (layers.L4 < 0 || layers.Protocol is not (Tcp or Udp)) return;
        int checksumAt = layers.L4 + (layers.Protocol == Tcp ? 16 : 6);
        if (checksumAt + 2 > layers.L4 + layers.L4Length) return;
        BinaryPrimitives.WriteUInt16BigEndian(frame[checksumAt..], 0);
        ushort sum = (ushort)~Fold(Sum(frame.Slice(layers.L4, layers.L4Length), PseudoHeader(frame, layers)));
        if (sum == 0 && layers.Protocol == Udp) sum = 0xFFFF; // UDP sends 0 as all ones (RFC 768)
        BinaryPrimitives.WriteUInt16BigEndian(frame[checksumAt..], sum);
    }

    /// <summary>The Ethernet FCS (IEEE 802.3 CRC-32) of <paramref name="frame"/>, in wire byte order.</summary>
    public static void WriteCrc(ReadOnlySpan<byte> frame, Span<byte> destination)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in frame) crc = CrcTable[(crc ^ b) & 0xFF] ^ crc >> 8;
        BinaryPrimitives.WriteUInt32LittleEndian(destination, ~crc);
    }

    private static bool IsL4(byte protocol) => protocol is Tcp or Udp or Sctp;

    private static ulong PseudoHeader(ReadOnlySpan<byte> frame, in Layers layers)
    {
        ulong sum = (ulong)layers.Protocol + (ulong)layers.L4Length;
        return layers.IPv4
            ? Sum(frame.Slice(layers.L3 + 12, 8), sum)
            : Sum(frame.Slice(layers.L3 + 8, 32), sum);
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

    private static readonly uint[] CrcTable = BuildCrcTable();

    private static uint[] BuildCrcTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++) c = (c & 1) != 0 ? 0xEDB88320 ^ c >> 1 : c >> 1;
            table[n] = c;
        }
        return table;
    }
}
