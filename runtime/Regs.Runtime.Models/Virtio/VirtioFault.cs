namespace Regs.Runtime.Models.Virtio;

/// <summary>
/// A way a virtio-net device model can misbehave on purpose (<see cref="VirtioFaultInjector"/>),
/// each a thing a driver must survive: impossible used-ring contents (virtio 1.2 2.7.8), a device
/// that stops answering, and device-side state changes under traffic (2.1.2, 2.4, 2.5.1, 5.1.4).
/// </summary>
public enum VirtioFault
{
    /// <summary>Behaves.</summary>
    None,
    /// <summary>A used element's id is beyond the queue size.</summary>
    UsedIdOutOfRange,
    /// <summary>After a buffer, the previously returned buffer's id is returned again (a duplicate completion).</summary>
    UsedIdDuplicate,
    /// <summary>A used element's len is one more than the device-writable bytes the chain had.</summary>
    UsedLengthTooLong,
    /// <summary>The used idx published goes back by the queue size, and stays there until reset.</summary>
    UsedIndexBackwards,
    /// <summary>The used idx published jumps ahead by more than the queue size, and stays there until reset.</summary>
    UsedIndexJump,
    /// <summary>The transmit queue is never processed: buffers stay available, nothing is used.</summary>
    TxNeverCompletes,
    /// <summary>Frames from the wire are swallowed: receive buffers are never used.</summary>
    RxNeverCompletes,
    /// <summary>Writing 0 to the device status does not reset the device: the status never reads back 0.</summary>
    ResetNeverCompletes,
    /// <summary>A configuration change, then every read of the configuration generation returns a new value.</summary>
    GenerationChurn,
    /// <summary>LINK_UP toggles, with a configuration change notification, every <see cref="VirtioFaultInjector.Period"/> device events.</summary>
    LinkFlap,
    /// <summary>The device sets DEVICE_NEEDS_RESET (2.1.2) and stops.</summary>
    NeedsReset,
    /// <summary>The device resets itself behind the driver's back: status 0, queues disabled (2.4).</summary>
    SurpriseReset,
}
