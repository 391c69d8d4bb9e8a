namespace Regs.Runtime.Models.Virtio;

/// <summary>
/// Byte offsets of the virtio-pci common configuration structure (virtio 1.2 4.1.4.3), which the
/// COMMON_CFG capability points at; fields from queue_size on refer to the queue chosen by
/// queue_select. Written from the spec, not taken from <c>defs/virtio</c>.
/// </summary>
internal static class VirtioPciCommonConfig
{
    // About the whole device.
    public const uint DeviceFeatureSelect = 0x00, DeviceFeature = 0x04;    // le32, le32
    public const uint DriverFeatureSelect = 0x08, DriverFeature = 0x0C;    // le32, le32
    public const uint ConfigMsixVector = 0x10, NumQueues = 0x12;           // le16, le16
    public const uint DeviceStatus = 0x14, ConfigGeneration = 0x15;        // u8, u8

    // About the selected queue.
    public const uint QueueSelect = 0x16, QueueSize = 0x18, QueueMsixVector = 0x1A; // le16 each
    public const uint QueueEnable = 0x1C, QueueNotifyOff = 0x1E;                     // le16 each
    public const uint QueueDescLow = 0x20, QueueDescHigh = 0x24;                     // le64 as two le32
    public const uint QueueDriverLow = 0x28, QueueDriverHigh = 0x2C;
    public const uint QueueDeviceLow = 0x30, QueueDeviceHigh = 0x34;

    /// <summary>MSI-X vector value meaning no vector (VIRTIO_MSI_NO_VECTOR, 4.1.5.1.2).</summary>
    public const ushort NoVector = 0xFFFF;
}
