namespace Regs.Net;

/// <summary>EtherTypes (IEEE 802 numbers) this project sends or recognises.</summary>
public static class EtherType
{
    /// <summary>IPv4 (RFC 894).</summary>
    public const ushort Ipv4 = 0x0800;
    /// <summary>ARP (RFC 826).</summary>
    public const ushort Arp = 0x0806;
    /// <summary>IPv6 (RFC 8200).</summary>
    public const ushort Ipv6 = 0x86DD;
    /// <summary>An IEEE 802.1Q tag: the real EtherType follows the 4-byte tag.</summary>
    public const ushort Vlan = 0x8100;
    /// <summary>IEEE 802 "Local Experimental EtherType 1": test payloads no stack answers.</summary>
    public const ushort LocalExperimental1 = 0x88B5;
    /// <summary>IEEE 802 "Local Experimental EtherType 2": a second test stream beside the first.</summary>
    public const ushort LocalExperimental2 = 0x88B6;

    /// <summary>The EtherType of <paramref name="frame"/> (bytes 12-13, big-endian); 0 when it is shorter than a header.</summary>
    public static ushort Of(System.ReadOnlySpan<byte> frame) => frame.Length < 14 ? (ushort)0 : (ushort)(frame[12] << 8 | frame[13]);
}
