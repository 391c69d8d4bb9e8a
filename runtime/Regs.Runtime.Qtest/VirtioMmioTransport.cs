namespace Regs.Runtime.Qtest;

/// <summary>
/// A microvm virtio-mmio transport that holds a device: 512 bytes of registers at
/// <see cref="Base"/> = 0xFEB00000 + 512 × <see cref="Index"/> (VIRTIO_MMIO_BASE in
/// include/hw/i386/microvm.h) and one interrupt line.
/// </summary>
/// <param name="Index">Transport number.</param>
/// <param name="Base">Guest-physical address of its registers.</param>
/// <param name="Gsi">IOAPIC input of its interrupt.</param>
/// <param name="Version">1 (legacy) or 2 (modern), from the Version register.</param>
/// <param name="DeviceId">The virtio device type (1 = network).</param>
/// <param name="Registers">The transport's registers.</param>
public sealed record VirtioMmioTransport(int Index, ulong Base, int Gsi, uint Version, uint DeviceId, QtestAccess Registers)
{
    /// <summary>Address of transport 0.</summary>
    public const ulong FirstBase = 0xFEB0_0000;
    /// <summary>Bytes between transports.</summary>
    public const ulong Stride = 512;
    /// <summary>"virt" little-endian: the MagicValue register of a virtio-mmio transport.</summary>
    public const uint Magic = 0x7472_6976;
}
