using System;

namespace Regs.Runtime.Models.Virtio;

/// <summary>
/// The device side of a virtio transport: what the transport-independent device
/// (<see cref="VirtioNetDevice"/>) needs from the transport model it sits behind (bounds-checked
/// DMA, the wire and the interrupt line). Not the driver's <c>Regs.Drivers.Virtio.IVirtioTransport</c>,
/// which is the driver side of the same registers.
/// </summary>
internal interface IVirtioDeviceTransport
{
    /// <summary>True for the legacy interface (virtio-mmio version 1): no VERSION_1, 10-byte net header.</summary>
    bool Legacy { get; }

    /// <summary>The lock device behaviour runs under (the network's).</summary>
    object Lock { get; }

    /// <summary>False while the transport forbids DMA (PCI without bus mastering).</summary>
    bool DmaEnabled { get; }

    /// <summary>Reads driver memory; false (and a counted DMA fault) outside it.</summary>
    bool DmaRead(ulong address, Span<byte> destination);

    /// <summary>Writes driver memory; false (and a counted DMA fault) outside it.</summary>
    bool DmaWrite(ulong address, ReadOnlySpan<byte> source);

    /// <summary>Puts a frame on the wire.</summary>
    void Transmit(ReadOnlySpan<byte> frame);

    /// <summary>The interrupt state (ISR) may have changed.</summary>
    void InterruptChanged();

    /// <summary>The device was reset (by the driver or by itself): the transport forgets its own state (selectors, legacy queue pages).</summary>
    void OnDeviceReset();
}
