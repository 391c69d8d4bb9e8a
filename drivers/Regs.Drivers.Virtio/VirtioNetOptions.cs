namespace Regs.Drivers.Virtio;

/// <summary>How to run a virtio-net device. The default (all zero) is what a user wants.</summary>
public struct VirtioNetOptions
{
    /// <summary>Largest queue size to use (a power of two; the device's maximum if smaller; 0 for 256).</summary>
    public uint QueueSize;

    /// <summary>Sleep on the device's interrupt in <c>WaitForReceive</c> instead of polling.</summary>
    public bool InterruptMode;

    /// <summary>Do not negotiate RING_INDIRECT_DESC even when offered: buffers become two-descriptor chains.</summary>
    public bool NoIndirect;

    /// <summary>Do not negotiate RING_EVENT_IDX even when offered: notifications use the ring flags.</summary>
    public bool NoEventIdx;

    /// <summary>How long a device reset may take before it counts as failed (0 for 1 s).</summary>
    public uint ResetTimeoutMicroseconds;

    /// <summary>
    /// How long transmit buffers may stay with the device with none coming back before the device
    /// counts as stalled and is reset (0 for 1 s). Longer than any back-pressure from the wire.
    /// </summary>
    public uint TransmitTimeoutMicroseconds;

    /// <summary>
    /// When non-zero: a link that is up but delivers no frame for this long counts as a stalled
    /// receive queue and the device is reset. Off by default: a quiet link is not an error, and a
    /// split ring shows no other sign of a device that keeps receive buffers (see docs/reliability.md).
    /// </summary>
    public uint ReceiveWatchdogMicroseconds;

    /// <summary>The most often the idle and stuck paths read the device status (0 for 10 ms).</summary>
    public uint HealthCheckIntervalMicroseconds;

    /// <summary>How long after a failed recovery the driver tries to reset the device again (0 for 100 ms).</summary>
    public uint RecoveryIntervalMicroseconds;
}
