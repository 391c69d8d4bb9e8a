namespace Regs.Runtime.Models.Virtio;

/// <summary>
/// The network device's numbers (virtio 1.2 5.1): its device ID, the configuration space fields
/// the model presents and the packet header that precedes every frame in a buffer. Written from
/// the spec, not taken from <c>defs/virtio</c>.
/// </summary>
internal static class VirtioNetLayout
{
    /// <summary>Virtio device ID of a network card (5.1.1).</summary>
    public const uint DeviceId = 1;

    // Configuration space (5.1.4): mac[6], then le16 status, le16 max_virtqueue_pairs, le16 mtu.
    public const int ConfigMac = 0, ConfigStatus = 6, ConfigMaxVirtqueuePairs = 8, ConfigMtu = 10;
    public const int MacBytes = 6;

    /// <summary>Bytes of the configuration space up to and including mtu (5.1.4).</summary>
    public const int ConfigBytes = 12;

    /// <summary>status: the link is up (VIRTIO_NET_S_LINK_UP, 5.1.4).</summary>
    public const ushort STATUS_LINK_UP = 1;

    // Packet header (5.1.6): flags, gso_type, le16 hdr_len, gso_size, csum_start, csum_offset,
    // num_buffers. The legacy interface without MRG_RXBUF leaves out num_buffers (5.1.6.1).
    public const int HeaderBytes = 12, LegacyHeaderBytes = 10;
    public const int HeaderFlags = 0, HeaderGsoType = 1, HeaderHdrLen = 2, HeaderGsoSize = 4, HeaderCsumStart = 6, HeaderCsumOffset = 8;
    public const int HeaderNumBuffers = 10;
}
