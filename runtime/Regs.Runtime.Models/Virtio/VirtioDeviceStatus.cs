using System;

namespace Regs.Runtime.Models.Virtio;

/// <summary>
/// The device status byte as the model keeps it (virtio 1.2 2.1): the driver sets bits as
/// initialisation progresses and writes 0 to reset. The model's own definition, written from the
/// spec, so that a wrong bit in <c>defs/virtio</c> is not mirrored by driver and model alike.
/// </summary>
[Flags]
public enum VirtioDeviceStatus : byte
{
    /// <summary>The guest found the device and recognised it as virtio (bit 0).</summary>
    ACKNOWLEDGE = 1,
    /// <summary>The guest has a driver for the device (bit 1).</summary>
    DRIVER = 2,
    /// <summary>The driver is set up and ready to drive the device (bit 2).</summary>
    DRIVER_OK = 4,
    /// <summary>Feature negotiation is complete (bit 3); the device refuses by leaving it clear.</summary>
    FEATURES_OK = 8,
    /// <summary>The device hit an error it cannot recover from and needs a reset (bit 6).</summary>
    DEVICE_NEEDS_RESET = 64,
    /// <summary>The driver gave up on the device (bit 7).</summary>
    FAILED = 128,
}
