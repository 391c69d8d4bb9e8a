namespace Regs.Runtime.Models.Virtio;

/// <summary>
/// The interrupt status bits both transports show: virtio-mmio InterruptStatus and InterruptACK
/// (virtio 1.2 4.2.2), the virtio-pci ISR byte (4.1.4.5). Same two bits on both.
/// </summary>
internal static class VirtioInterruptStatus
{
    public const byte UsedBuffer = 1 << 0;   // a buffer was used in at least one virtqueue
    public const byte ConfigChange = 1 << 1; // the device configuration changed
}
