namespace Regs.Runtime.Qtest;

/// <summary>
/// One of microvm's virtio-mmio slots that holds a device (found by probing; the driver's
/// transport over it is Regs.Drivers.Virtio.VirtioMmioTransport): 512 bytes of registers at
/// <see cref="Base"/> = 0xFEB00000 + 512 × <see cref="Index"/> (VIRTIO_MMIO_BASE in
/// include/hw/i386/microvm.h) and one interrupt line.
/// </summary>
/// <param name="Index">Slot number.</param>
/// <param name="Base">Guest-physical address of its registers.</param>
/// <param name="Gsi">IOAPIC input of its interrupt.</param>
/// <param name="Version">1 (legacy) or 2 (modern), from the Version register.</param>
/// <param name="DeviceId">The virtio device type (1 = network).</param>
/// <param name="Registers">The slot's registers.</param>
public sealed record VirtioMmioSlot(int Index, ulong Base, int Gsi, uint Version, uint DeviceId, QtestAccess Registers)
{
    /// <summary>Address of slot 0.</summary>
    public const ulong FirstBase = 0xFEB0_0000;
    /// <summary>Bytes between slots.</summary>
    public const ulong Stride = 512;
    /// <summary>"virt" little-endian: the MagicValue register of a virtio-mmio transport.</summary>
    public const uint Magic = 0x7472_6976;
}
