namespace Regs.Runtime.Models.Virtio;

/// <summary>
/// The feature bits the virtio-net model offers or checks, as masks of the 64-bit feature word:
/// device-independent ones from virtio 1.2 chapter 6 (names as the spec's VIRTIO_F_*), network
/// ones from 5.1.3 (VIRTIO_NET_F_*). Written from the spec, not taken from <c>defs/virtio</c>, so
/// the model does not share a wrong bit number with the driver it tests.
/// </summary>
internal static class VirtioFeatureBits
{
    // Network device (5.1.3).
    public const ulong NET_MTU = 1UL << 3;     // mtu in the configuration space is valid
    public const ulong NET_MAC = 1UL << 5;     // the device has a MAC address in mac
    public const ulong NET_STATUS = 1UL << 16; // the status configuration field is present

    // Reserved, device-independent (6).
    public const ulong INDIRECT_DESC = 1UL << 28;   // indirect descriptor tables (2.7.5.3)
    public const ulong EVENT_IDX = 1UL << 29;       // used_event / avail_event suppression (2.7.7, 2.7.10)
    public const ulong VERSION_1 = 1UL << 32;       // virtio 1.0 or later; never on the legacy interface (6.3)
    public const ulong ACCESS_PLATFORM = 1UL << 33; // the device's memory accesses are translated or restricted
    public const ulong ORDER_PLATFORM = 1UL << 36;  // driver and device order memory accesses as the platform does for hardware
}
