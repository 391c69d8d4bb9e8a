namespace Regs.Runtime.Models.Virtio;

/// <summary>
/// Offsets and values of the virtio-mmio register window the model decodes: the modern layout
/// (virtio 1.2 4.2.2, Version 2) and the registers only the legacy layout has (4.2.4, Version 1).
/// Kept as plain constants written from the spec: the model decodes raw bus accesses, so it must
/// not depend on the <c>Regs.Virtio</c> accessors it is meant to test.
/// </summary>
internal static class VirtioMmioRegisters
{
    // Identification (4.2.2).
    public const uint MagicValue = 0x000, Version = 0x004, DeviceID = 0x008, VendorID = 0x00C;

    // Features, 32 bits at a time (4.2.2; the legacy layout calls them HostFeatures and
    // GuestFeatures at the same offsets, 4.2.4).
    public const uint DeviceFeatures = 0x010, DeviceFeaturesSel = 0x014;
    public const uint DriverFeatures = 0x020, DriverFeaturesSel = 0x024;

    // Queue selection and the selected queue (4.2.2).
    public const uint QueueSel = 0x030, QueueNumMax = 0x034, QueueNum = 0x038, QueueReady = 0x044;
    public const uint QueueDescLow = 0x080, QueueDescHigh = 0x084;
    public const uint QueueDriverLow = 0x090, QueueDriverHigh = 0x094;
    public const uint QueueDeviceLow = 0x0A0, QueueDeviceHigh = 0x0A4;

    // Legacy only (4.2.4): the queue is placed by a page number instead of three addresses.
    public const uint GuestPageSize = 0x028, QueueAlign = 0x03C, QueuePFN = 0x040;

    // Notification, interrupt and status (4.2.2).
    public const uint QueueNotify = 0x050, InterruptStatus = 0x060, InterruptACK = 0x064, Status = 0x070;

    // Shared memory regions, each 64 bits as low and high words (4.2.2).
    public const uint SHMLenLow = 0x0B0, SHMLenHigh = 0x0B4, SHMBaseLow = 0x0B8, SHMBaseHigh = 0x0BC;

    public const uint ConfigGeneration = 0x0FC;

    /// <summary>Start of the device-specific configuration space (4.2.2, 4.2.4).</summary>
    public const uint Config = 0x100;

    /// <summary>MagicValue: the string "virt" read as a little-endian word (4.2.2).</summary>
    public const uint ExpectedMagic = 0x74726976;

    /// <summary>Version of a modern device (4.2.2); legacy devices report 1 (4.2.4).</summary>
    public const int ModernVersion = 2, LegacyVersion = 1;

    /// <summary>VendorID as QEMU presents it: the string "QEMU" read as a little-endian word.</summary>
    public const uint QemuVendorId = 0x554D4551;
}
