namespace Regs.Nic;

/// <summary>
/// The offload metadata of one frame. On transmit: what the NIC is asked to do (insert a checksum,
/// cut a TCP/UDP segment train); on receive: what the NIC checked. The fields are the virtio-net
/// header's (virtio 1.2 §5.1.6: flags, gso_type, hdr_len, gso_size, csum_start, csum_offset), the
/// format Linux's TAP (IFF_VNET_HDR), virtio-net and vhost-user share, so a bridge copies them
/// unchanged; <see cref="Checks"/> adds what a NIC's receive write-back reports beyond that.
/// All zero means "nothing asked, nothing checked".
/// </summary>
public struct FrameOffload
{
    /// <summary><see cref="Flags"/>: the checksum at <see cref="ChecksumStart"/> + <see cref="ChecksumOffset"/> is to be completed by the NIC (VIRTIO_NET_HDR_F_NEEDS_CSUM).</summary>
    public const byte NeedsChecksum = 1;
    /// <summary><see cref="Flags"/>, receive: the NIC validated the frame's checksums (VIRTIO_NET_HDR_F_DATA_VALID).</summary>
    public const byte DataValid = 2;

    /// <summary><see cref="GsoType"/>: a single frame.</summary>
    public const byte GsoNone = 0;
    /// <summary><see cref="GsoType"/>: TCP over IPv4, cut into <see cref="SegmentSize"/>-byte segments.</summary>
    public const byte GsoTcpV4 = 1;
    /// <summary><see cref="GsoType"/>: UDP fragmentation offload (UFO).</summary>
    public const byte GsoUdp = 3;
    /// <summary><see cref="GsoType"/>: TCP over IPv6.</summary>
    public const byte GsoTcpV6 = 4;
    /// <summary><see cref="GsoType"/> bit: the TCP segments carry ECN (CWR set on the first only).</summary>
    public const byte GsoEcn = 0x80;

    /// <summary><see cref="Checks"/>: the NIC checked the IPv4 header checksum.</summary>
    public const byte IpChecked = 1;
    /// <summary><see cref="Checks"/>: the NIC checked the TCP or UDP checksum.</summary>
    public const byte L4Checked = 2;
    /// <summary><see cref="Checks"/>: the IPv4 header checksum was wrong.</summary>
    public const byte IpBad = 4;
    /// <summary><see cref="Checks"/>: the TCP or UDP checksum was wrong.</summary>
    public const byte L4Bad = 8;

    /// <summary><see cref="NeedsChecksum"/>, <see cref="DataValid"/>.</summary>
    public byte Flags;
    /// <summary><see cref="GsoNone"/>, <see cref="GsoTcpV4"/>, <see cref="GsoUdp"/>, <see cref="GsoTcpV6"/>, optionally with <see cref="GsoEcn"/>.</summary>
    public byte GsoType;
    /// <summary>Bytes of the headers (Ethernet to the end of TCP/UDP) copied in front of each segment.</summary>
    public ushort HeaderLength;
    /// <summary>Payload bytes per segment (the MSS).</summary>
    public ushort SegmentSize;
    /// <summary>Where checksumming starts, from the frame's first byte (the L4 header).</summary>
    public ushort ChecksumStart;
    /// <summary>Where the checksum goes, from <see cref="ChecksumStart"/> (16 for TCP, 6 for UDP).</summary>
    public ushort ChecksumOffset;
    /// <summary>Receive: <see cref="IpChecked"/>, <see cref="L4Checked"/>, <see cref="IpBad"/>, <see cref="L4Bad"/>, as the NIC reported them.</summary>
    public byte Checks;

    /// <summary>True when the frame asks nothing of the NIC on transmit.</summary>
    public readonly bool IsPlain => (Flags & NeedsChecksum) == 0 && GsoType == GsoNone;
}
