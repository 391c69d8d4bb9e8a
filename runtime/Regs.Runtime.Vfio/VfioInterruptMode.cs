namespace Regs.Runtime.Vfio;

/// <summary>How a VFIO device's interrupts reach this process (each vector signals its own eventfd).</summary>
public enum VfioInterruptMode
{
    /// <summary>No interrupts: waits run to their timeout and report false.</summary>
    None,
    /// <summary>The legacy INTx line (vfio-pci IRQ index 0, one vector, masked by VFIO after each interrupt).</summary>
    Intx,
    /// <summary>MSI (IRQ index 1).</summary>
    Msi,
    /// <summary>MSI-X (IRQ index 2), one eventfd per vector.</summary>
    Msix,
}
