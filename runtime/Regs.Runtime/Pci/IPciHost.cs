namespace Regs.Runtime.Pci;

/// <summary>
/// A PCI function as a platform exposes it: its configuration space and its memory BARs, each as
/// a register-access backend. Firmware (bare metal), vfio-pci, or the qtest harness assigned the
/// BARs; the driver only maps and uses them.
/// </summary>
/// <typeparam name="TAccess">The backend configuration space and BARs are reached through.</typeparam>
public interface IPciHost<TAccess> where TAccess : struct, IRegisterAccess<TAccess>
{
    /// <summary>The function's configuration space (offset 0 is the header).</summary>
    TAccess ConfigSpace();

    /// <summary>
    /// Memory BAR <paramref name="index"/> (0-5) and its <paramref name="length"/> in bytes (the
    /// size the BAR decodes: PCI 3.0 6.2.5.1 sizing, or what vfio-pci reports), so a driver can
    /// check every offset a device gives it against the BAR; false when it is absent, an I/O BAR
    /// or cannot be mapped.
    /// </summary>
    bool TryMapBar(uint index, out TAccess registers, out ulong length);
}
