namespace Regs.Runtime.Models.Virtio;

/// <summary>
/// How a driver finds a modern virtio-pci function and its structures: the PCI IDs (virtio 1.2
/// 4.1.2) and the vendor-specific capabilities in configuration space that point into a BAR
/// (4.1.4). Written from the spec, not taken from <c>defs/virtio</c>, so the model lays out the
/// capabilities the driver's generated accessors have to find.
/// </summary>
internal static class VirtioPciCapabilities
{
    // PCI identity (4.1.2): one vendor; a modern device ID is 0x1040 plus the virtio device ID.
    public const ushort VendorId = 0x1AF4;
    public const ushort ModernDeviceIdBase = 0x1040;

    /// <summary>cap_vndr of every virtio capability: the PCI vendor-specific capability ID (4.1.4).</summary>
    public const byte VendorCapabilityId = 0x09;

    // cfg_type: which structure a capability describes (4.1.4).
    public const byte COMMON_CFG = 1, NOTIFY_CFG = 2, ISR_CFG = 3, DEVICE_CFG = 4, PCI_CFG = 5;

    // struct virtio_pci_cap (4.1.4): cap_vndr and cap_next (bytes 0 and 1, the generic PCI
    // capability header), then these byte offsets; offset and length are le32.
    public const int CapLen = 2, CfgType = 3, Bar = 4, Id = 5, Offset = 8, Length = 12;

    /// <summary>Bytes of struct virtio_pci_cap (4.1.4).</summary>
    public const int CapSize = 16;

    /// <summary>
    /// The le32 after struct virtio_pci_cap: notify_off_multiplier in the notification capability
    /// (4.1.4.4), pci_cfg_data in the PCI configuration access capability (4.1.4.9).
    /// </summary>
    public const int Extra = 16;

    /// <summary>Bytes of the notification and PCI configuration access capabilities (4.1.4.4, 4.1.4.9).</summary>
    public const int CapWithExtraSize = 20;
}
