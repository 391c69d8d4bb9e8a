using System.Runtime.InteropServices;

namespace Regs.Runtime.Hosted.Tap;

/// <summary>
/// struct virtio_net_hdr_v1 (virtio 1.2 §5.1.6: flags, gso_type, hdr_len, gso_size, csum_start,
/// csum_offset, num_buffers), little-endian, 12 bytes: what a TAP interface opened with
/// IFF_VNET_HDR and TUNSETVNETHDRSZ 12 puts in front of every frame it hands over and expects in
/// front of every frame written to it (Linux drivers/net/tun.c, tun_put_user and tun_get_user, via
/// virtio_net_hdr_from_skb / virtio_net_hdr_to_skb).
/// </summary>
[StructLayout(LayoutKind.Sequential, Pack = 1, Size = Length)]
public struct VirtioNetHeader
{
    /// <summary>Bytes of the header with num_buffers (virtio_net_hdr_v1).</summary>
    public const int Length = 12;

    /// <summary>flags: VIRTIO_NET_HDR_F_NEEDS_CSUM (the checksum from csum_start is to be completed).</summary>
    public const byte FlagNeedsChecksum = 1;
    /// <summary>flags: VIRTIO_NET_HDR_F_DATA_VALID (the checksums were checked).</summary>
    public const byte FlagDataValid = 2;
    /// <summary>gso_type: VIRTIO_NET_HDR_GSO_NONE.</summary>
    public const byte GsoNone = 0;
    /// <summary>gso_type: VIRTIO_NET_HDR_GSO_TCPV4.</summary>
    public const byte GsoTcpV4 = 1;
    /// <summary>gso_type: VIRTIO_NET_HDR_GSO_UDP.</summary>
    public const byte GsoUdp = 3;
    /// <summary>gso_type: VIRTIO_NET_HDR_GSO_TCPV6.</summary>
    public const byte GsoTcpV6 = 4;
    /// <summary>gso_type bit: VIRTIO_NET_HDR_GSO_ECN.</summary>
    public const byte GsoEcn = 0x80;

    /// <summary>flags.</summary>
    public byte Flags;
    /// <summary>gso_type.</summary>
    public byte GsoType;
    /// <summary>hdr_len (little-endian on the wire; this struct is used on little-endian hosts only).</summary>
    public ushort HeaderLength;
    /// <summary>gso_size.</summary>
    public ushort GsoSize;
    /// <summary>csum_start.</summary>
    public ushort ChecksumStart;
    /// <summary>csum_offset.</summary>
    public ushort ChecksumOffset;
    /// <summary>num_buffers (receive with VIRTIO_NET_F_MRG_RXBUF; TAP ignores it).</summary>
    public ushort NumBuffers;
}
