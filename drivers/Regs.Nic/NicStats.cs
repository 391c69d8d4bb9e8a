namespace Regs.Nic;

/// <summary>Counters since initialisation, kept by the driver (and by the device where it counts).</summary>
public struct NicStats
{
    /// <summary>Frames handed to the device and completed.</summary>
    public ulong TxFrames;
    /// <summary>Bytes of those frames.</summary>
    public ulong TxBytes;
    /// <summary>Frames Send consumed without sending them: empty, or longer than the NIC's <see cref="INic.MaxFrameLength"/>.</summary>
    public ulong TxRejected;
    /// <summary>Frames received and returned to the application.</summary>
    public ulong RxFrames;
    /// <summary>Bytes of those frames.</summary>
    public ulong RxBytes;
    /// <summary>Frames received but dropped by the driver: longer than the caller's batch could hold even empty.</summary>
    public ulong RxDropped;
    /// <summary>Frames the device dropped for lack of buffers (where the device counts them).</summary>
    public ulong RxMissed;
    /// <summary>Device completions refused because they could not be true (ids, lengths, indices out of range).</summary>
    public ulong ProtocolErrors;
    /// <summary>Link changes seen.</summary>
    public ulong LinkChanges;
    /// <summary>Interrupts taken in interrupt mode.</summary>
    public ulong Interrupts;
    /// <summary>Faults the device signalled or showed (needs-reset status, its state lost behind the driver's back).</summary>
    public ulong DeviceErrors;
    /// <summary>Bounded waits the device did not answer in (a reset, a stalled queue, a configuration that kept changing).</summary>
    public ulong Timeouts;
    /// <summary>Device resets the driver made by itself to recover from a fault (successful or not).</summary>
    public ulong Recoveries;
}
