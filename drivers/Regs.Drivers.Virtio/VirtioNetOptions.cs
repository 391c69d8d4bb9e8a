using Regs.Nic;

namespace Regs.Drivers.Virtio;

/// <summary>
/// How <see cref="VirtioNet{TAccess, TTransport, THost}.Initialise"/> runs a virtio-net device.
/// The default (all zero) is what a user wants: a zero queue size, timeout or interval means the
/// default (<see cref="Default"/> spells them out).
/// </summary>
public struct VirtioNetOptions
{
    /// <summary>Largest queue size to use (a power of two; the device's maximum if smaller). Default 256.</summary>
    public uint QueueSize;

    /// <summary>Sleep on the device's interrupt in <c>WaitForReceive</c> instead of polling.</summary>
    public bool InterruptMode;

    /// <summary>Do not negotiate RING_INDIRECT_DESC even when offered: buffers become two-descriptor chains.</summary>
    public bool NoIndirect;

    /// <summary>Do not negotiate RING_EVENT_IDX even when offered: notifications use the ring flags.</summary>
    public bool NoEventIdx;

    /// <summary>How long a device reset may take before it counts as failed, in microseconds. Default 1 s.</summary>
    public uint ResetTimeoutMicroseconds;

    /// <summary>
    /// How long transmit buffers may stay with the device with none coming back before the device
    /// counts as stalled and is reset, in microseconds. Default 1 s. Longer than any back-pressure
    /// from the wire.
    /// </summary>
    public uint TransmitTimeoutMicroseconds;

    /// <summary>
    /// When non-zero: a link that is up but delivers no frame for this long counts as a stalled
    /// receive queue and the device is reset. Off by default: a quiet link is not an error, and a
    /// split ring shows no other sign of a device that keeps receive buffers (see docs/reliability.md).
    /// </summary>
    public uint ReceiveWatchdogMicroseconds;

    /// <summary>The most often the idle and stuck paths read the device status, in microseconds. Default 10 ms.</summary>
    public uint HealthCheckIntervalMicroseconds;

    /// <summary>How long after a failed recovery the driver tries to reset the device again, in microseconds. Default 100 ms.</summary>
    public uint RecoveryIntervalMicroseconds;

    /// <summary>
    /// Seed of the random locally administered MAC used when the device offers none
    /// (VIRTIO_NET_F_MAC absent, 5.1.4.2). 0: the host's clock at initialisation.
    /// </summary>
    public ulong MacSeed;

    /// <summary>
    /// The largest MTU the driver accepts from a device offering VIRTIO_NET_F_MTU (5.1.4.2), 68 to
    /// <see cref="MtuLimit"/>; 0 means <see cref="MtuLimit"/>. With VIRTIO_NET_F_MRG_RXBUF a big
    /// frame is gathered from 2 KiB receive buffers; without it the receive buffers are made big
    /// enough at initialisation (one data segment of MTU + 18 bytes rounded up to 2 KiB per buffer).
    /// </summary>
    public uint MaxMtu;

    /// <summary>Do not negotiate VIRTIO_NET_F_MRG_RXBUF even when offered: every frame arrives in one receive buffer.</summary>
    public bool NoMergeableBuffers;

    /// <summary>
    /// The offloads to turn on where the device offers them (5.1.3): <see cref="NicOffloads.TxChecksum"/>
    /// (CSUM), TCP segmentation (HOST_TSO4/6, which need CSUM, and HOST_ECN), <see cref="NicOffloads.RxChecksum"/>
    /// (GUEST_CSUM), receive coalescing (GUEST_TSO4/6, which need GUEST_CSUM and receive buffers for
    /// 64 KiB frames, so MRG_RXBUF; GUEST_ECN). What was turned on is in <c>Offloads</c>. None by default.
    /// </summary>
    public NicOffloads Offloads;

    /// <summary>The defaults: 256-entry queues, polling, indirect tables and event indices when offered, 1 s reset and transmit timeouts, no receive watchdog, 10 ms health checks, 100 ms between recovery attempts.</summary>
    public static VirtioNetOptions Default => new VirtioNetOptions
    {
        QueueSize = DefaultQueueSize,
        ResetTimeoutMicroseconds = DefaultResetTimeoutMicroseconds,
        TransmitTimeoutMicroseconds = DefaultTransmitTimeoutMicroseconds,
        HealthCheckIntervalMicroseconds = DefaultHealthCheckIntervalMicroseconds,
        RecoveryIntervalMicroseconds = DefaultRecoveryIntervalMicroseconds,
    };

    /// <summary>Default largest queue size.</summary>
    public const uint DefaultQueueSize = 256;
    /// <summary>The largest MTU the driver supports (the default for <see cref="MaxMtu"/>): a 9000-byte jumbo frame.</summary>
    public const uint MtuLimit = 9000;
    /// <summary>The smallest MTU a device may report (5.1.4.1); a smaller <see cref="MaxMtu"/> is raised to it.</summary>
    public const uint MinMtu = 68;
    /// <summary>Default limit for a device reset.</summary>
    public const uint DefaultResetTimeoutMicroseconds = 1_000_000;
    /// <summary>Default transmit stall limit.</summary>
    public const uint DefaultTransmitTimeoutMicroseconds = 1_000_000;
    /// <summary>Default least time between two status reads on the idle and stuck paths.</summary>
    public const uint DefaultHealthCheckIntervalMicroseconds = 10_000;
    /// <summary>Default time between attempts to recover a device whose reset failed.</summary>
    public const uint DefaultRecoveryIntervalMicroseconds = 100_000;

    /// <summary>The options with zero fields replaced by their defaults (the receive watchdog stays off).</summary>
    internal readonly VirtioNetOptions WithDefaults()
    {
        VirtioNetOptions o = this;
        if (o.QueueSize == 0) o.QueueSize = DefaultQueueSize;
        if (o.ResetTimeoutMicroseconds == 0) o.ResetTimeoutMicroseconds = DefaultResetTimeoutMicroseconds;
        if (o.TransmitTimeoutMicroseconds == 0) o.TransmitTimeoutMicroseconds = DefaultTransmitTimeoutMicroseconds;
        if (o.HealthCheckIntervalMicroseconds == 0) o.HealthCheckIntervalMicroseconds = DefaultHealthCheckIntervalMicroseconds;
        if (o.RecoveryIntervalMicroseconds == 0) o.RecoveryIntervalMicroseconds = DefaultRecoveryIntervalMicroseconds;
        if (o.MaxMtu == 0 || o.MaxMtu > MtuLimit) o.MaxMtu = MtuLimit;
        if (o.MaxMtu < MinMtu) o.MaxMtu = MinMtu;
        return o;
    }
}
