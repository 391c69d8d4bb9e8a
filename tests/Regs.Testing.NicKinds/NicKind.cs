namespace Regs.Testing.NicKinds;

/// <summary>The NIC kinds the suites run, each a driver on a transport, on any backend.</summary>
public enum NicKind
{
    /// <summary>igb (82576) on PCI.</summary>
    Igb,
    /// <summary>virtio-net on virtio-pci modern.</summary>
    VirtioPci,
    /// <summary>virtio-net on virtio-mmio modern (version 2).</summary>
    VirtioMmio,
    /// <summary>virtio-net on virtio-mmio legacy (version 1).</summary>
    VirtioMmioLegacy,
}
