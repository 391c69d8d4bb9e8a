namespace Regs.Runtime.Qtest;

/// <summary>The QEMU machine type to start.</summary>
public enum QemuMachineKind
{
    /// <summary>q35 (PCI Express chipset): PCI NICs, INTx routed to IOAPIC inputs 20-23.</summary>
    Q35,
    /// <summary>microvm: no PCI, virtio-mmio transports at 0xFEB00000.</summary>
    Microvm,
}
