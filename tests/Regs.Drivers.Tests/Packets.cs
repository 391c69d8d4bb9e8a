using System;
using System.Buffers.Binary;
using Regs.Net;
using Regs.Nic;

namespace Regs.Drivers.Tests;

/// <summary>
/// TCP and UDP over IPv4/IPv6 frames for offload tests, and the checks of what arrives, computed
/// here from RFC 791/768/793/8200 (the Internet checksum of RFC 1071), apart from the device
/// models and the drivers.
/// </summary>
public static class Packets
{
    /// <summary>Where a UDP / TCP checksum lies in its header.</summary>
    public const int UdpChecksumOffset = 6, TcpChecksumOffset = 16;

    private const int Ether = 14;

    /// <summary>A UDP datagram of <paramref name="payload"/> bytes with a zero checksum.</summary>
    public static byte[] Udp(MacAddress to, MacAddress from, bool v6, int payload, int seed)
    {
        byte[] f = Ip(to, from, v6, 17, 8 + payload);
        int l4 = Ether + (v6 ? 40 : 20);
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(l4), 40000);
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(l4 + 2), 9);
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(l4 + 4), (ushort)(8 + payload));
        for (int i = l4 + 8; i < f.Length; i++) f[i] = (byte)(i * 7 + seed);
        return f;
    }

    /// <summary>A TCP segment (20-byte header) of <paramref name="payload"/> bytes with a zero checksum.</summary>
    public static byte[] Tcp(MacAddress to, MacAddress from, bool v6, int payload, int seed, uint sequence, byte flags)
    {
        byte[] f = Ip(to, from, v6, 6, 20 + payload);
        int l4 = Ether + (v6 ? 40 : 20);
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(l4), 40001);
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(l4 + 2), 80);
        BinaryPrimitives.WriteUInt32BigEndian(f.AsSpan(l4 + 4), sequence);
        BinaryPrimitives.WriteUInt32BigEndian(f.AsSpan(l4 + 8), 77);
        f[l4 + 12] = 5 << 4;
        f[l4 + 13] = flags;
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(l4 + 14), 65535);
        for (int i = l4 + 20; i < f.Length; i++) f[i] = (byte)(i * 11 + seed + (i >> 9));
        return f;
    }

    private static byte[] Ip(MacAddress to, MacAddress from, bool v6, byte protocol, int l4Length)
    {
        byte[] f = new byte[Ether + (v6 ? 40 : 20) + l4Length];
        to.CopyTo(f);
        from.CopyTo(f.AsSpan(6));
        BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(12), v6 ? (ushort)0x86DD : (ushort)0x0800);
        if (v6)
        {
            f[Ether] = 0x60;
            BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(Ether + 4), (ushort)l4Length);
            f[Ether + 6] = protocol;
            f[Ether + 7] = 64;
            for (int i = 0; i < 16; i++) { f[Ether + 8 + i] = (byte)(0xFD + i); f[Ether + 24 + i] = (byte)(0xFD + 2 * i); }
        }
        else
        {
            f[Ether] = 0x45;
            BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(Ether + 2), (ushort)(20 + l4Length));
            BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(Ether + 4), 0x4321);
            f[Ether + 8] = 64;
            f[Ether + 9] = protocol;
            new byte[] { 10, 0, 2, 15, 10, 0, 2, 2 }.CopyTo(f, Ether + 12);
            BinaryPrimitives.WriteUInt16BigEndian(f.AsSpan(Ether + 10), Checksum(f.AsSpan(Ether, 20), 0));
        }
        return f;
    }

    /// <summary>
    /// Primes the L4 checksum field with the pseudo-header sum, not complemented (what a stack
    /// hands a NIC with a partial checksum), and returns the NEEDS_CSUM metadata for it.
    /// </summary>
    public static FrameOffload PartialChecksum(byte[] frame, bool v6, int checksumOffset)
    {
        int l4 = Ether + (v6 ? 40 : 20);
        ulong pseudo = PseudoSum(frame, v6, l4);
        while (pseudo >> 16 != 0) pseudo = (pseudo & 0xFFFF) + (pseudo >> 16);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(l4 + checksumOffset), (ushort)pseudo);
        return new FrameOffload { Flags = FrameOffload.NeedsChecksum, ChecksumStart = (ushort)l4, ChecksumOffset = (ushort)checksumOffset };
    }

    /// <summary>True when the TCP/UDP checksum of the frame verifies (sum over pseudo-header and segment is all ones).</summary>
    public static bool L4ChecksumRight(ReadOnlySpan<byte> frame, bool v6)
    {
        int l4 = Ether + (v6 ? 40 : 20);
        return Checksum(frame[l4..], PseudoSum(frame, v6, l4)) == 0;
    }

    /// <summary>True when the IPv4 header checksum verifies.</summary>
    public static bool Ipv4HeaderChecksumRight(ReadOnlySpan<byte> frame) => Checksum(frame.Slice(Ether, (frame[Ether] & 0xF) * 4), 0) == 0;

    private static ulong PseudoSum(ReadOnlySpan<byte> frame, bool v6, int l4)
    {
        ReadOnlySpan<byte> addresses = v6 ? frame.Slice(Ether + 8, 32) : frame.Slice(Ether + 12, 8);
        ulong sum = 0;
        for (int i = 0; i < addresses.Length; i += 2) sum += BinaryPrimitives.ReadUInt16BigEndian(addresses[i..]);
        return sum + (v6 ? frame[Ether + 6] : frame[Ether + 9]) + (ulong)(frame.Length - l4);
    }

    // RFC 1071: the complement of the ones' complement sum.
    private static ushort Checksum(ReadOnlySpan<byte> bytes, ulong sum)
    {
        for (int i = 0; i < bytes.Length; i++) sum += (i & 1) == 0 ? (ulong)bytes[i] << 8 : bytes[i];
        while (sum >> 16 != 0) sum = (sum & 0xFFFF) + (sum >> 16);
        return (ushort)~sum;
    }
}
