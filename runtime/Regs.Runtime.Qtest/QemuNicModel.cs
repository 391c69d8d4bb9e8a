namespace Regs.Runtime.Qtest;

/// <summary>The QEMU network device model of a NIC.</summary>
public enum QemuNicModel
{
    /// <summary>Intel 82576 (<c>-device igb</c>), PCI, q35 only; needs QEMU 8.0 or newer.</summary>
    Igb,
    /// <summary>Modern virtio-net over PCI (<c>-device virtio-net-pci,disable-legacy=on</c>), q35 only.</summary>
    VirtioNetPci,
    /// <summary>virtio-net on a virtio-mmio transport (<c>-device virtio-net-device</c>), microvm only.</summary>
    VirtioNetDevice,
}
