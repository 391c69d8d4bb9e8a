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
    public const ulong NET_CSUM = 1UL << 0;        // the device completes partial checksums (NEEDS_CSUM) on transmit
    public const ulong NET_GUEST_CSUM = 1UL << 1;  // the driver takes DATA_VALID / partial checksums on receive
    public const ulong NET_GUEST_TSO4 = 1UL << 7;  // the driver takes coalesced TCP/IPv4 (needs GUEST_CSUM)
    public const ulong NET_GUEST_TSO6 = 1UL << 8;  // the driver takes coalesced TCP/IPv6 (needs GUEST_CSUM)
    public const ulong NET_GUEST_ECN = 1UL << 9;   // ... with ECN (needs GUEST_TSO4 or GUEST_TSO6)
    public const ulong NET_HOST_TSO4 = 1UL << 11;  // the device segments TCP/IPv4 trains (needs CSUM)
    public const ulong NET_HOST_TSO6 = 1UL << 12;  // the device segments TCP/IPv6 trains (needs CSUM)
    public const ulong NET_HOST_ECN = 1UL << 13;   // ... with ECN (needs HOST_TSO4 or HOST_TSO6)
    public const ulong NET_MRG_RXBUF = 1UL << 15;  // a received packet may span buffers (num_buffers)
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
