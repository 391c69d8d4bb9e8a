namespace Regs.Runtime.Hosted.Tap;

/// <summary>
/// The TUNSETOFFLOAD flags (include/uapi/linux/if_tun.h): what the reader of a TAP interface can
/// finish, so what the kernel may hand over unfinished. None: every frame arrives with its
/// checksums computed and no longer than the MTU.
/// </summary>
[System.Flags]
public enum TunOffloads : uint
{
    /// <summary>Frames arrive complete.</summary>
    None = 0,
    /// <summary>TUN_F_CSUM: frames may carry VIRTIO_NET_HDR_F_NEEDS_CSUM.</summary>
    Checksum = 0x01,
    /// <summary>TUN_F_TSO4: TCP over IPv4 trains (needs <see cref="Checksum"/>).</summary>
    TcpSegmentationV4 = 0x02,
    /// <summary>TUN_F_TSO6: TCP over IPv6 trains (needs <see cref="Checksum"/>).</summary>
    TcpSegmentationV6 = 0x04,
    /// <summary>TUN_F_TSO_ECN: trains with ECN.</summary>
    TcpEcn = 0x08,
}
